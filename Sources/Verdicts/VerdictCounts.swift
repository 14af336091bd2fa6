/// How many verdicts of each kind, indexed by ``Verdict``. Encodes as an object from verdict
/// name to count, listing only the verdicts that occurred.
public struct VerdictCounts: Hashable, Sendable, Encodable {
    private var counts = [Int](repeating: 0, count: Verdict.allCases.count)

    public init() {}

    public subscript(verdict: Verdict) -> Int {
        get { counts[verdict.severity] }
        set { counts[verdict.severity] = newValue }
    }

    /// The verdicts that occurred, with their counts, in severity order.
    public var nonZero: [(verdict: Verdict, count: Int)] {
        Verdict.allCases.compactMap { counts[$0.severity] > 0 ? ($0, counts[$0.severity]) : nil }
    }

    /// All verdicts counted.
    public var total: Int { counts.reduce(0, +) }

    /// The verdicts that are not contained.
    public var uncontained: Int { Verdict.allCases.filter { !$0.contained }.reduce(0) { $0 + counts[$1.severity] } }

    public var isEmpty: Bool { total == 0 }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Dictionary(uniqueKeysWithValues: nonZero.map { ($0.verdict.name, $0.count) }))
    }
}
