/// A kind of result the replay counts (verdicts, hazards, TLPs): each has a dense index and the
/// name its count goes under in JSON.
public protocol CountedKind: CaseIterable, Hashable, Sendable {
    /// 0 up to the number of kinds, in `allCases` order.
    var countIndex: Int { get }
    /// The key of its count in JSON output, e.g. `host-panic`.
    var countName: String { get }
}

/// How many results of each kind, indexed by the kind. Encodes as an object from each kind's
/// ``CountedKind/countName`` to its count, listing only the kinds that occurred.
public struct KindCounts<Kind: CountedKind>: Hashable, Sendable, Encodable {
    private var counts = [Int](repeating: 0, count: Kind.allCases.count)

    public init() {}

    public subscript(kind: Kind) -> Int {
        get { counts[kind.countIndex] }
        set { counts[kind.countIndex] = newValue }
    }

    /// The kinds that occurred, with their counts, in `allCases` order.
    public var nonZero: [(kind: Kind, count: Int)] {
        Kind.allCases.compactMap { counts[$0.countIndex] > 0 ? ($0, counts[$0.countIndex]) : nil }
    }

    /// All results counted.
    public var total: Int { counts.reduce(0, +) }

    public var isEmpty: Bool { total == 0 }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Dictionary(uniqueKeysWithValues: nonZero.map { ($0.kind.countName, $0.count) }))
    }
}

/// How many verdicts of each kind.
public typealias VerdictCounts = KindCounts<Verdict>

extension KindCounts where Kind == Verdict {
    /// The verdicts that are not contained.
    public var uncontained: Int { nonZero.filter { !$0.kind.contained }.reduce(0) { $0 + $1.count } }
}

extension Verdict: CountedKind {
    public var countIndex: Int { severity }
    public var countName: String { name }
}

/// How many hazards of each kind.
public typealias HazardCounts = KindCounts<HazardKind>

extension HazardKind: CountedKind {
    private static let indices = Dictionary(uniqueKeysWithValues: allCases.enumerated().map { ($1, $0) })
    public var countIndex: Int { Self.indices[self]! }
    public var countName: String { rawValue }
}
