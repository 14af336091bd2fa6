/// What KVM on arm64 does when a guest first touches a device region: the stage-2 attribute it
/// maps, or the error with which it refuses the mapping, and the rule that decides
/// (docs/policies.md, "Kernel policies"; arch/arm64/kvm/mmu.c `user_mem_abort()` and
/// `kvm_arch_prepare_memory_region()`).
public struct KernelStage2: Hashable, Sendable {
    /// The guest access that faults the mapping in.
    public enum Access: String, Hashable, Sendable, CaseIterable {
        case data
        /// An instruction fetch: refused on a device mapping.
        case instructionFetch = "fetch"
    }

    /// Where KVM refuses.
    public enum Refusal: Hashable, Sendable {
        /// `KVM_SET_USER_MEMORY_REGION` fails with -EINVAL: the VMM cannot create the memslot
        /// (a stage-2 fault on such memory would fail with -EFAULT, but no memslot exists for it).
        case memslot
        /// The fault returns -ENOEXEC and the guest receives an instruction-abort SEA.
        case execute

        /// The errno name and value.
        public var errno: (name: String, value: Int32) {
            switch self {
            case .memslot: ("EINVAL", 22)
            case .execute: ("ENOEXEC", 8)
            }
        }
    }

    /// The decision: a stage-2 attribute, or a refusal.
    public enum Outcome: Hashable, Sendable {
        case map(Stage2Attribute)
        /// Refused, where and with which errno.
        case refuse(Refusal)
    }

    public var outcome: Outcome
    /// The rule's name, e.g. `kvm-s2-allow-any-uncached`.
    public var rule: String
    /// Why, in one sentence, with the facts it read.
    public var reason: String

    /// Decides for a region backed by `mapping`, under `kernel`, on a CPU with `cpu`.
    public static func decide(kernel: KernelVersion, mapping: HostMapping, cpu: CPUFeatures, access: Access = .data) -> KernelStage2 {
        let facts = mapping.facts(kernel: kernel)
        let fwb = cpu.contains(.fwb)
        func map(_ type: MemoryType, _ rule: String, _ reason: String) -> KernelStage2 {
            KernelStage2(outcome: .map(stage2(type, fwb: fwb)), rule: rule, reason: reason)
        }
        // kvm_arch_prepare_memory_region(): checks made when the memslot is created.
        if cpu.contains(.mte), !facts.mteAllowed {
            return KernelStage2(outcome: .refuse(.memslot), rule: "kvm-memslot-mte",
                                reason: "the VM has MTE enabled and the VMA lacks VM_MTE_ALLOWED (every VFIO mapping): memslot creation fails with -EINVAL")
        }
        let device = facts.pfnMap && !facts.inLinearMap
        if device, facts.hostStage1 == .cacheable, kernel >= .cacheablePFNMap, !(cpu.contains(.fwb) && cpu.contains(.dic)) {
            return KernelStage2(outcome: .refuse(.memslot), rule: "kvm-memslot-cacheable-pfnmap",
                                reason: "cacheable PFNMAP device memory needs FEAT_S2FWB and CTR_EL0.DIC from \(KernelVersion.cacheablePFNMap) on "
                                    + "(CPU: \(cpu)): memslot creation fails with -EINVAL, and a fault without a memslot check with -EFAULT")
        }
        guard device else {
            return map(.normalWB, "kvm-s2-memory", "the pfn is in the linear map: ordinary memory, mapped Normal-WB")
        }
        // user_mem_abort(): device memory.
        if access == .instructionFetch, facts.hostStage1 != .cacheable || kernel < .cacheablePFNMap {
            return KernelStage2(outcome: .refuse(.execute), rule: "kvm-exec-device",
                                reason: "an instruction fetch from a device mapping: the fault returns -ENOEXEC and the guest takes an instruction abort")
        }
        if facts.hostStage1 == .cacheable {
            guard kernel < .cacheablePFNMap else {
                return map(.normalWB, "kvm-s2-cacheable-pfnmap",
                           "cacheable PFNMAP device memory on a CPU with FWB and DIC: stage 2 Normal-WB (KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED)")
            }
            let type: MemoryType = facts.allowAnyUncached ? .normalNC : .deviceNGnRE
            return map(type, "kvm-s2-cacheable-mismatch",
                       "the host maps this device memory cacheable but KVM before \(KernelVersion.cacheablePFNMap) maps it \(type.displayName) at stage 2: "
                           + "an attribute mismatch between the host's and the guest's aliases")
        }
        if facts.allowAnyUncached {
            return map(.normalNC, "kvm-s2-allow-any-uncached",
                       "device memory whose VMA has VM_ALLOW_ANY_UNCACHED (vfio-pci, \(KernelVersion.allowAnyUncached)+): stage 2 Normal-NC, the guest's stage 1 decides")
        }
        let flag = kernel >= .allowAnyUncached ? "without VM_ALLOW_ANY_UNCACHED" : "before VM_ALLOW_ANY_UNCACHED existed (\(KernelVersion.allowAnyUncached))"
        return map(.deviceNGnRE, "kvm-s2-device", "device memory \(flag): stage 2 Device-nGnRE")
    }

    /// `type` (Device-nGnRE, Normal-NC or Normal-WB: the three KVM uses) in the stage-2 encoding
    /// KVM uses: with FWB, MemAttr 0b001, 0b101 or 0b110; without, the type itself.
    static func stage2(_ type: MemoryType, fwb: Bool) -> Stage2Attribute {
        guard fwb else { return .type(type) }
        switch type {
        case .normalWB: return .fwb(.forceWriteBack)
        case .normalNC: return .fwb(.normalNC)
        default: return .fwb(.deviceNGnRE)
        }
    }
}
