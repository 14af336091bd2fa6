/// A driver hazard (docs/domain.md §4): the guest's own business, reported but not a verdict.
public enum HazardKind: String, CaseIterable, Hashable, Sendable, Codable {
    /// Writes merged into a size the device does not accept.
    case mergedSize = "merged-size"
    /// An access reached the device after a later access of the same agent.
    case outOfOrder = "out-of-order"
    /// A read answered from a buffered write instead of the device.
    case readFromBuffer = "read-from-buffer"
    /// A speculative read of a register with read side effects.
    case speculativeReadSensitive = "speculative-read-sensitive"
    /// A cacheable access (linefill or write-back) to device memory.
    case cacheableDeviceAccess = "cacheable-device-access"
    /// A guest access to a region its stage 2 no longer maps.
    case stage2Fault = "stage2-fault"
    /// An access outside every declared region.
    case outsideRegion = "outside-region"
    /// A guest write that reached its device after a reset the guest (or the VMM for it)
    /// requested, with no reclaim: the driver raced its own reset.
    case afterOwnReset = "after-own-reset"
}

/// How many hazards of each kind, indexed by ``HazardKind``. Encodes as an object from kind to
/// count, listing only the kinds that occurred.
public struct HazardCounts: Hashable, Sendable, Encodable {
    private var counts = [Int](repeating: 0, count: HazardKind.allCases.count)
    private static let index = Dictionary(uniqueKeysWithValues: HazardKind.allCases.enumerated().map { ($1, $0) })

    public init() {}

    public subscript(kind: HazardKind) -> Int {
        get { counts[Self.index[kind]!] }
        set { counts[Self.index[kind]!] = newValue }
    }

    /// The kinds that occurred, with their counts, in declaration order.
    public var nonZero: [(kind: HazardKind, count: Int)] {
        HazardKind.allCases.compactMap { self[$0] > 0 ? ($0, self[$0]) : nil }
    }

    public var total: Int { counts.reduce(0, +) }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Dictionary(uniqueKeysWithValues: nonZero.map { ($0.kind.rawValue, $0.count) }))
    }
}
