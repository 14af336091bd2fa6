/// What the host puts in a stage-2 descriptor's MemAttr field, together with the HCR_EL2.FWB
/// regime that gives the field its meaning.
///
/// The regime is part of the value, so a stage-2 attribute cannot be combined under the wrong
/// FWB setting. Spellings: under FWB = 0 the seven type names (`device-ngnre`, `normal-nc`, ...);
/// under FWB = 1 `fwb-000` ... `fwb-111` (see ``FWBMemAttr``).
///
/// Linux encodings: FWB = 0 Device-nGnRE `0x1`, Normal-NC `0x5`, Normal `0xf`; FWB = 1 `1`, `5`,
/// `6`.
public enum Stage2Attribute: Hashable, Sendable {
    /// HCR_EL2.FWB = 0 (Arm ARM D8.6.5): MemAttr[3:0] encodes a memory type, which is combined
    /// with the stage-1 type.
    case type(MemoryType)
    /// HCR_EL2.FWB = 1 (Arm ARM D8.6.6): MemAttr[2:0] says how stage 1 is overridden.
    case fwb(FWBMemAttr)

    /// Whether this attribute belongs to the HCR_EL2.FWB = 1 regime.
    public var isFWB: Bool {
        if case .fwb = self { true } else { false }
    }

    /// The MemAttr field value: 4 bits under FWB = 0 (the canonical encoding of the type:
    /// `0b00dd` Device, `0b0101` NC, `0b1010` WT, `0b1111` WB), 3 bits under FWB = 1.
    public var memAttr: UInt8 {
        switch self {
        case .type(let type):
            switch type {
            case .deviceNGnRnE: 0b0000
            case .deviceNGnRE: 0b0001
            case .deviceNGRE: 0b0010
            case .deviceGRE: 0b0011
            case .normalNC: 0b0101
            case .normalWT: 0b1010
            case .normalWB: 0b1111
            }
        case .fwb(let attr): attr.rawValue
        }
    }

    /// Decodes a MemAttr field value in the given regime; nil for reserved values.
    ///
    /// Under FWB = 0 (D8.6.5), `0b00dd` is Device type `dd`; otherwise MemAttr[3:2] is the outer
    /// and MemAttr[1:0] the inner cacheability (`01` NC, `10` WT, `11` WB) and the less cacheable
    /// of the two is the type, so encodings with the same meaning decode to the same value.
    /// Inner `00` with a non-zero outer is reserved. Under FWB = 1 (D8.6.6) only MemAttr[2:0]
    /// is read and `0b100` is reserved.
    public init?(memAttr: UInt8, fwb: Bool) {
        if fwb {
            guard let attr = FWBMemAttr(rawValue: memAttr) else { return nil }
            self = .fwb(attr)
            return
        }
        guard memAttr <= 0b1111 else { return nil }
        let outer = memAttr >> 2, inner = memAttr & 0b11
        if outer == 0 {
            self = .type(MemoryType.allCases[Int(inner)])
            return
        }
        let normal: [MemoryType?] = [nil, .normalNC, .normalWT, .normalWB]
        guard let o = normal[Int(outer)], let i = normal[Int(inner)] else { return nil }
        self = .type(min(o, i))
    }

    /// The spelling used on the command line and in files: a type name or `fwb-xxx`.
    public var name: String {
        switch self {
        case .type(let type): type.name
        case .fwb(let attr): attr.name
        }
    }

    /// Parses a name, case-insensitively: one of the seven type names (FWB = 0) or
    /// `fwb-000` ... `fwb-111` (FWB = 1). The name says the regime.
    public init?(name: some StringProtocol) {
        if let type = MemoryType(name: name) {
            self = .type(type)
        } else if let attr = FWBMemAttr.allCases.first(where: { $0.name == name.lowercased() }) {
            self = .fwb(attr)
        } else {
            return nil
        }
    }

    /// Parses a name (see ``init(name:)``) or a raw MemAttr value written `0b0101` or `0x5`,
    /// which is read in the given regime.
    ///
    /// A name is accepted whatever `fwb` says; check ``isFWB`` against the regime you need.
    public init?(spelling: some StringProtocol, fwb: Bool) {
        let text = spelling.lowercased()
        let radix = text.hasPrefix("0b") ? 2 : text.hasPrefix("0x") ? 16 : nil
        if let radix {
            guard let value = UInt8(text.dropFirst(2), radix: radix) else { return nil }
            self.init(memAttr: value, fwb: fwb)
        } else {
            self.init(name: text)
        }
    }

}

extension Stage2Attribute: CaseIterable {
    /// Every value: the seven FWB = 0 types, then the seven FWB = 1 encodings.
    public static let allCases: [Stage2Attribute] =
        MemoryType.allCases.map(Stage2Attribute.type) + FWBMemAttr.allCases.map(Stage2Attribute.fwb)
}

extension Stage2Attribute: CustomStringConvertible {
    public var description: String { name }
}

/// Encoded as its name (`normal-nc`, `fwb-111`), which carries the regime.
extension Stage2Attribute: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let name = try container.decode(String.self)
        guard let value = Stage2Attribute(name: name) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "expected a stage-2 attribute name, found '\(name)'")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }
}
