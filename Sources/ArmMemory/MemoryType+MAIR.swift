/// Stage-1 encodings: the attribute bytes a guest writes into MAIR_ELx.
///
/// Field `Attr<n>` of the MAIR_EL1 register description (Arm ARM, System register chapter):
/// `0b0000dd00` Device (`dd`: 00 nGnRnE, 01 nGnRE, 10 nGRE, 11 GRE); `0bOOOOIIII` with both
/// nibbles non-zero is Normal memory with an outer and an inner cacheability.
extension MemoryType {
    /// The canonical MAIR_ELx attribute byte for this type, as Linux programs it
    /// (`MT_DEVICE_nGnRnE` 0x00 ... `MT_NORMAL` 0xff).
    ///
    /// Normal-WT uses 0xbb (inner and outer Write-Through Non-transient, Read- and
    /// Write-Allocate), the form docs/domain.md §1 lists.
    public var mairByte: UInt8 {
        switch self {
        case .deviceNGnRnE: 0x00
        case .deviceNGnRE: 0x04
        case .deviceNGRE: 0x08
        case .deviceGRE: 0x0c
        case .normalNC: 0x44
        case .normalWT: 0xbb
        case .normalWB: 0xff
        }
    }

    /// Decodes any architecturally valid MAIR_ELx attribute byte; nil for reserved or
    /// UNPREDICTABLE encodings.
    ///
    /// - Device: `0b0000dd00`, and `0b0000dd01` (FEAT_XS: the same Device type with XS = 0).
    ///   `0b0000dd1x` is UNPREDICTABLE.
    /// - Normal: outer nibble `OOOO` and inner nibble `IIII`, both non-zero, each one of
    ///   `0100` Non-cacheable, `00RW` (RW != 00) or `10RW` Write-Through, `01RW` (RW != 00) or
    ///   `11RW` Write-Back. The type is the less cacheable of inner and outer, because that is
    ///   the cacheability every observer can rely on (a Normal-NC outer makes a WB inner line
    ///   no safer for device memory).
    /// - `0x40` (FEAT_XS) is Normal-NC, `0xa0` (FEAT_XS) is Normal-WT and `0xf0` (FEAT_MTE2,
    ///   Tagged) is Normal-WB; tagging and XS are not modelled. Any other `0bxxxx0000` with
    ///   `xxxx != 0000` is UNPREDICTABLE.
    public init?(mair byte: UInt8) {
        let outer = byte >> 4, inner = byte & 0x0f
        switch (outer, inner) {
        case (0, _):
            guard inner & 0b0010 == 0 else { return nil }
            self = MemoryType.allCases[Int(inner >> 2)]
        case (_, 0):
            switch byte {
            case 0x40: self = .normalNC
            case 0xa0: self = .normalWT
            case 0xf0: self = .normalWB
            default: return nil
            }
        default:
            guard let o = Self.normalCacheability(nibble: outer),
                  let i = Self.normalCacheability(nibble: inner) else { return nil }
            self = min(o, i)
        }
    }

    /// The Normal type one non-zero MAIR nibble encodes, or nil for `0000`.
    private static func normalCacheability(nibble: UInt8) -> MemoryType? {
        switch nibble {
        case 0b0100: .normalNC
        case 0b0001...0b0011, 0b1000...0b1011: .normalWT
        case 0b0101...0b0111, 0b1100...0b1111: .normalWB
        default: nil
        }
    }
}
