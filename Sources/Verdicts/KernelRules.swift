import ArmMemory

/// The evidence of a kernel policy's decision for a region (docs/policies.md, "Kernel
/// policies"): the stage-2 attribute KVM maps, or the refusal that is a verdict of its own.
public enum KernelRules {
    /// The rule of a decision (every ``KernelStage2/rule`` is a ``Rule``; a test checks it).
    static func rule(_ decision: KernelStage2) -> Rule {
        Rule(rawValue: decision.rule)!
    }

    /// The link that says why the guest's stage 2 is what it is, before the combining link.
    public static func stage2(_ decision: KernelStage2, policy: String) -> Evidence {
        let result: String = switch decision.outcome {
        case .map(let attribute): "stage 2 \(attribute.name): \(decision.reason)"
        case .refuse(let refusal): "refused (-\(refusal.errno.name)): \(decision.reason)"
        }
        return Evidence(rule: rule(decision), inputs: policy, result: result, source: "arch/arm64/kvm/mmu.c (docs/policies.md, Kernel policies)")
    }

    /// A guest access to a region the kernel refuses to map: `mapping-refused`, contained; the
    /// access never reaches the device.
    public static func refused(_ decision: KernelStage2, region: String, mapping: HostMapping, policy: String) -> VerdictDerivation {
        guard case .refuse(let refusal) = decision.outcome else { return VerdictDerivation(verdict: .none, evidence: [stage2(decision, policy: policy)]) }
        let consequence = switch refusal {
        case .memslot: "the VMM cannot create the memslot: the VM never maps \(region), its accesses never reach the device"
        case .execute: "the guest takes an instruction abort: the fetch never reaches the device"
        }
        return VerdictDerivation(verdict: .mappingRefused, evidence: [Evidence(
            rule: rule(decision), inputs: "\(policy); \(region) backed by a \(mapping) VMA",
            result: "-\(refusal.errno.name) (\(refusal.errno.value)): \(decision.reason); \(consequence)",
            source: "arch/arm64/kvm/mmu.c kvm_arch_prepare_memory_region(), user_mem_abort() (docs/policies.md, Kernel policies)")])
    }
}
