/// A stage-2 MemAttr[2:0] value under HCR_EL2.FWB = 1 (Arm ARM D8.6.6).
///
/// With FWB the host does not describe a memory type that combines with stage 1; it states how
/// stage 1 is overridden. `0b100` is reserved and has no case. Linux uses `0b001` for
/// Device-nGnRE, `0b101` for Normal-NC and `0b110` for Normal memory.
public enum FWBMemAttr: UInt8, CaseIterable, Hashable, Sendable {
    /// `000`: Device-nGnRnE, combined with stage 1 as under FWB = 0.
    case deviceNGnRnE = 0b000
    /// `001`: Device-nGnRE, combined with stage 1 as under FWB = 0.
    case deviceNGnRE = 0b001
    /// `010`: Device-nGRE, combined with stage 1 as under FWB = 0.
    case deviceNGRE = 0b010
    /// `011`: Device-GRE, combined with stage 1 as under FWB = 0.
    case deviceGRE = 0b011
    /// `101`: a stage-1 Device type stays; any stage-1 Normal type becomes Normal-NC.
    case normalNC = 0b101
    /// `110`: Normal-WB whatever stage 1 says, even Device.
    case forceWriteBack = 0b110
    /// `111`: the stage-1 type is used unchanged.
    case stage1 = 0b111

    /// The spelling used on the command line and in files, e.g. `fwb-101`.
    public var name: String {
        let bits = String(rawValue, radix: 2)
        return "fwb-" + String(repeating: "0", count: 3 - bits.count) + bits
    }
}
