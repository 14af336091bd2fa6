/// How an attribute policy picks the stage-2 attribute of one region kind.
public enum Stage2Choice: Hashable, Sendable {
    /// Always this attribute.
    case fixed(Stage2Attribute)
    /// The VMM's own stage-1 type for the region, used as an HCR_EL2.FWB = 0 stage-2 type
    /// (spelled `vmm-stage1`; the `vmm-mirror` idea). Not available under FWB = 1, where stage 2
    /// cannot express Normal-WT.
    case vmmStage1

    /// The spelling used in policy files: an attribute name or `vmm-stage1`.
    public var name: String {
        switch self {
        case .fixed(let attribute): attribute.name
        case .vmmStage1: "vmm-stage1"
        }
    }

    /// The stage-2 attribute this choice gives when the VMM maps the region as `vmmStage1`.
    public func attribute(vmmStage1: MemoryType) -> Stage2Attribute {
        switch self {
        case .fixed(let attribute): attribute
        case .vmmStage1: .type(vmmStage1)
        }
    }

    /// Whether the choice is valid in the given HCR_EL2.FWB regime.
    public func isValid(fwb: Bool) -> Bool {
        switch self {
        case .fixed(let attribute): attribute.isFWB == fwb
        case .vmmStage1: !fwb
        }
    }
}

extension Stage2Choice: CustomStringConvertible {
    public var description: String { name }
}
