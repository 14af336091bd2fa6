/// One of the seven effective memory types an access can have after stage-1 and stage-2
/// translation (Arm ARM B2.10.2, "Device memory"; B2.10.5, "Normal memory").
///
/// The cases are ordered from strongest (Device-nGnRnE) to most relaxed (Normal-WB), which is
/// the order the combining rules of docs/domain.md §2 use.
public enum MemoryType: UInt8, CaseIterable, Comparable, Hashable, Sendable {
    case deviceNGnRnE
    case deviceNGnRE
    case deviceNGRE
    case deviceGRE
    case normalNC
    case normalWT
    case normalWB

    /// The spelling used on the command line and in files, e.g. `device-ngnre`.
    public var name: String {
        switch self {
        case .deviceNGnRnE: "device-ngnrne"
        case .deviceNGnRE: "device-ngnre"
        case .deviceNGRE: "device-ngre"
        case .deviceGRE: "device-gre"
        case .normalNC: "normal-nc"
        case .normalWT: "normal-wt"
        case .normalWB: "normal-wb"
        }
    }

    /// The spelling of the Arm ARM, e.g. `Device-nGnRE`, for human-readable output.
    public var displayName: String {
        switch self {
        case .deviceNGnRnE: "Device-nGnRnE"
        case .deviceNGnRE: "Device-nGnRE"
        case .deviceNGRE: "Device-nGRE"
        case .deviceGRE: "Device-GRE"
        case .normalNC: "Normal-NC"
        case .normalWT: "Normal-WT"
        case .normalWB: "Normal-WB"
        }
    }

    /// Parses a type name case-insensitively (`Device-nGnRE`, `device-ngnre`).
    public init?(name: some StringProtocol) {
        let lowered = name.lowercased()
        guard let match = MemoryType.allCases.first(where: { $0.name == lowered }) else { return nil }
        self = match
    }

    /// Whether this is one of the four Device types.
    public var isDevice: Bool { self <= .deviceGRE }

    /// Whether accesses of this type may be cached (Normal-WT, Normal-WB).
    public var isCacheable: Bool { self >= .normalWT }

    public static func < (lhs: MemoryType, rhs: MemoryType) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension MemoryType: CustomStringConvertible {
    public var description: String { name }
}

extension MemoryType: Codable {
    /// Decodes a type from its name (``name``), case-insensitively.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let type = MemoryType(name: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "unknown memory type '\(text)'")
        }
        self = type
    }

    /// Encodes the type as its name (``name``), e.g. `"normal-nc"`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }
}
