/// The seven built-in policies of docs/domain.md §2, in its order.
///
/// docs/domain.md gives columns for BARs and the GICv2 VCPU interface only. For the other two region
/// kinds (see `docs/policies.md`):
/// - `config` gets the BAR attribute under `kvm-device`, `strict-ngnrne`, `all-normal-nc` and
///   the FWB policies, and Device-nGnRE under `kvm-normal-nc` and `vmm-mirror`: config space is
///   never the guest's write-combining target, and the VMM never mmaps it, so there is no VMM
///   mapping to mirror.
/// - `platform` (vfio-platform) gets Device-nGnRE under `kvm-normal-nc`, because KVM relaxes
///   only VMAs with `VM_ALLOW_ANY_UNCACHED`, which only vfio-pci sets; Normal-NC under
///   `all-normal-nc`, the rejected v2 that relaxed everything; the VMM's stage-1 type under
///   `vmm-mirror`, which reads any VMA's attributes; and the BAR attribute elsewhere.
extension AttributePolicy {
    /// Stage 2 Device-nGnRE everywhere, so the guest can never get write-combining.
    public static let kvmDevice = uniform(
        "kvm-device", summary: "stage 2 Device-nGnRE for every device region",
        source: "KVM before 6.9; vfio without the flag", .type(.deviceNGnRE))

    /// Stage 2 Normal-NC for vfio-pci BARs, so the guest's stage-1 type decides.
    public static let kvmNormalNC = AttributePolicy(
        name: "kvm-normal-nc", summary: "stage 2 Normal-NC for vfio-pci BARs, Device-nGnRE elsewhere",
        source: "KVM 6.9+, vfio-pci with VM_ALLOW_ANY_UNCACHED", fwb: false
    ) { $0 == .bar ? .fixed(.type(.normalNC)) : .fixed(.type(.deviceNGnRE)) }

    /// Stage 2 Device-nGnRnE everywhere: the strongest type, as the VMM's own mapping has.
    public static let strictNGnRnE = uniform(
        "strict-ngnrne", summary: "stage 2 Device-nGnRnE for every device region",
        source: "what the VMM's own vfio mapping uses", .type(.deviceNGnRnE))

    /// Stage 2 Normal-NC for every device region, the GICv2 VCPU interface included.
    public static let allNormalNC = uniform(
        "all-normal-nc", summary: "stage 2 Normal-NC for every device region, the GICv2 VCPU interface too",
        source: "the rejected v2 of the patch (GIC too)", .type(.normalNC))

    /// Stage 2 mirrors the VMM's stage-1 type for BARs and platform regions.
    public static let vmmMirror = AttributePolicy(
        name: "vmm-mirror", summary: "stage 2 copies the VMM's stage-1 type for BARs and platform regions",
        source: "proposed in the thread, rejected: the VMM cannot know BAR semantics", fwb: false
    ) { $0 == .bar || $0 == .platform ? .vmmStage1 : .fixed(.type(.deviceNGnRE)) }

    /// HCR_EL2.FWB = 1 with MemAttr `111` everywhere: stage 1 wins, cacheable included.
    public static let fwbS1Wins = uniform(
        "fwb-s1-wins", summary: "FWB stage 2 111: the guest's stage-1 type is used unchanged",
        source: "lets the guest pick cacheable: hazard 2", .fwb(.stage1))

    /// HCR_EL2.FWB = 1 with MemAttr `110` everywhere: Normal-WB even over stage-1 Device.
    public static let fwbForceWB = uniform(
        "fwb-force-wb", summary: "FWB stage 2 110: Normal-WB whatever the guest maps",
        source: "breaks MMIO; included as a negative control", .fwb(.forceWriteBack))

    /// The built-in policies in docs/domain.md §2's order.
    public static let builtIns: [AttributePolicy] = [
        kvmDevice, kvmNormalNC, strictNGnRnE, allNormalNC, vmmMirror, fwbS1Wins, fwbForceWB,
    ]

    /// The built-in policy with this name (case-insensitive), if there is one.
    public static func builtIn(named name: String) -> AttributePolicy? {
        let lowered = name.lowercased()
        return builtIns.first { $0.name == lowered }
    }

    /// A policy with the same stage-2 attribute for every region kind.
    private static func uniform(_ name: String, summary: String, source: String, _ attribute: Stage2Attribute) -> AttributePolicy {
        AttributePolicy(name: name, summary: summary, source: source, fwb: attribute.isFWB) { _ in .fixed(attribute) }
    }
}
