/// What the host puts in stage 2 for each kind of device region, and so which effective memory
/// type a guest access gets (docs/domain.md §2, "Attribute policies").
///
/// A policy is either one of the seven built-ins (``builtIns``) or loaded from a YAML file
/// (``load(yaml:file:)``, ``resolve(_:)``).
public struct AttributePolicy: Hashable, Sendable {
    /// What the VMM's own mapping of a vfio region gets when nothing else is known:
    /// Device-nGnRnE, from `pgprot_noncached` in vfio's `mmap`.
    public static let defaultVMMStage1 = MemoryType.deviceNGnRnE

    /// The name used on the command line, e.g. `kvm-normal-nc`.
    public let name: String
    /// One line saying what the policy does.
    public let summary: String
    /// Where the policy comes from (a kernel version, a patch revision, a file).
    public let source: String
    /// Whether the host runs with HCR_EL2.FWB = 1; every stage-2 choice belongs to this regime.
    public let fwb: Bool
    /// The kernel this policy is the logic of (`linux-6.9`), or nil for a named row.
    public let kernel: KernelPolicy?
    private let choices: [RegionKind: Stage2Choice]

    /// Creates a policy from a stage-2 choice per region kind.
    ///
    /// - Precondition: every choice is valid in the `fwb` regime (``Stage2Choice/isValid(fwb:)``);
    ///   mixing regimes is a programming error, since HCR_EL2.FWB is one bit for the whole host.
    public init(name: String, summary: String, source: String, fwb: Bool, stage2: (RegionKind) -> Stage2Choice) {
        self.init(name: name, summary: summary, source: source, fwb: fwb, kernel: nil, stage2: stage2)
    }

    init(name: String, summary: String, source: String, fwb: Bool, kernel: KernelPolicy?, stage2: (RegionKind) -> Stage2Choice) {
        var choices: [RegionKind: Stage2Choice] = [:]
        for kind in RegionKind.allCases {
            let choice = stage2(kind)
            precondition(choice.isValid(fwb: fwb), "policy \(name): \(choice) for \(kind) does not belong to FWB=\(fwb ? 1 : 0)")
            choices[kind] = choice
        }
        self.name = name
        self.summary = summary
        self.source = source
        self.fwb = fwb
        self.kernel = kernel
        self.choices = choices
    }

    /// How the policy picks the stage-2 attribute of `region`.
    public func stage2Choice(for region: RegionKind) -> Stage2Choice {
        choices[region]!  // init fills every RegionKind
    }

    /// The stage-2 attribute the host uses for `region` when the VMM maps it as `vmmStage1`.
    public func stage2Attribute(for region: RegionKind, vmmStage1: MemoryType = defaultVMMStage1) -> Stage2Attribute {
        stage2Choice(for: region).attribute(vmmStage1: vmmStage1)
    }

    /// The kernel's decision for a region of `kind` backed by `mapping`: nil for a named policy,
    /// which decides by region kind alone.
    public func kernelDecision(for kind: RegionKind, mapping: HostMapping, access: KernelStage2.Access = .data) -> KernelStage2? {
        kernel.map { KernelStage2.decide(kernel: $0.version, mapping: mapping, cpu: $0.cpu, access: access) }
    }

    /// The stage-2 attribute for a region of `kind` backed by `mapping`, or nil where a kernel
    /// policy refuses the mapping (``kernelDecision(for:mapping:access:)`` says why).
    public func stage2Attribute(for kind: RegionKind, mapping: HostMapping, vmmStage1: MemoryType = defaultVMMStage1) -> Stage2Attribute? {
        guard let decision = kernelDecision(for: kind, mapping: mapping) else { return stage2Attribute(for: kind, vmmStage1: vmmStage1) }
        if case .map(let attribute) = decision.outcome { return attribute }
        return nil
    }

    /// The effective type of a guest access of stage-1 type `guest` to `region` (Arm ARM D8.6.5
    /// when ``fwb`` is false, D8.6.6 when true).
    ///
    /// - Parameters:
    ///   - guest: The guest's stage-1 type for the access.
    ///   - region: The kind of region accessed.
    ///   - vmmStage1: The VMM's own stage-1 type for the region; only `vmm-stage1` choices read it.
    public func effectiveType(guest: MemoryType, region: RegionKind, vmmStage1: MemoryType = defaultVMMStage1) -> MemoryType {
        MemoryType.combine(stage1: guest, stage2: stage2Attribute(for: region, vmmStage1: vmmStage1))
    }
}
