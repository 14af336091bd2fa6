extension MemoryType {
    /// The effective type of an access whose stage-1 (guest) type is `stage1` and whose stage-2
    /// (host) attribute is `stage2`; the FWB regime is the one `stage2` belongs to.
    ///
    /// - HCR_EL2.FWB = 0 (Arm ARM D8.6.5): Device beats Normal; among Device types each of nG,
    ///   nR and nE wins on its own; among Normal types the less cacheable wins (NC < WT < WB).
    ///   Because the four Device types form a chain (nGnRnE, nGnRE, nGRE, GRE), all three rules
    ///   amount to taking the stronger of the two types in ``MemoryType``'s order.
    /// - HCR_EL2.FWB = 1 (Arm ARM D8.6.6): `0xx` is a Device type combined as above; `101`
    ///   keeps a stage-1 Device type and turns any Normal type into Normal-NC; `110` gives
    ///   Normal-WB even over a stage-1 Device type; `111` gives the stage-1 type.
    ///
    /// The issue asked for `combine(stage1:stage2:fwb:)`; the `fwb:` flag is carried by
    /// ``Stage2Attribute`` instead, so a mismatched flag and encoding cannot be written.
    public static func combine(stage1: MemoryType, stage2: Stage2Attribute) -> MemoryType {
        switch stage2 {
        case .type(let type): min(stage1, type)
        case .fwb(.deviceNGnRnE): min(stage1, .deviceNGnRnE)
        case .fwb(.deviceNGnRE): min(stage1, .deviceNGnRE)
        case .fwb(.deviceNGRE): min(stage1, .deviceNGRE)
        case .fwb(.deviceGRE): min(stage1, .deviceGRE)
        case .fwb(.normalNC): min(stage1, .normalNC)
        case .fwb(.forceWriteBack): .normalWB
        case .fwb(.stage1): stage1
        }
    }
}
