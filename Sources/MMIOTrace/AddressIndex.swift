/// Which of a list of address ranges contains an address, in O(log n): a binary search over the
/// ranges sorted by base. Where ranges overlap (importers may keep such ranges), the answer is the
/// first in list order, as a scan of the list would give; those lookups cost O(n).
public struct AddressIndex: Sendable {
    /// The present ranges sorted by base (ties by position), each with its position in the list.
    private let sorted: [(base: UInt64, last: UInt64, position: Int)]
    /// Whether two ranges share an address.
    private let overlapping: Bool

    /// Indexes `ranges` (nil entries stand for absent ranges: they contain nothing).
    public init(_ ranges: some Sequence<(base: UInt64, size: UInt64)?>) {
        var sorted: [(base: UInt64, last: UInt64, position: Int)] = []
        for (position, range) in ranges.enumerated() {
            guard let range, range.size > 0 else { continue }
            let (last, beyond) = range.base.addingReportingOverflow(range.size - 1)
            sorted.append((range.base, beyond ? .max : last, position))
        }
        sorted.sort { ($0.base, $0.position) < ($1.base, $1.position) }
        self.sorted = sorted
        overlapping = zip(sorted, sorted.dropFirst()).contains { $1.base <= $0.last }
    }

    /// Indexes the regions of a topology.
    public init(_ regions: [Region]) {
        self.init(regions.lazy.map { (base: $0.base, size: $0.size) as (base: UInt64, size: UInt64)? })
    }

    /// The position in the list of the first range containing `address`, if any.
    public func first(containing address: UInt64) -> Int? {
        if overlapping {
            return sorted.lazy.filter { $0.base <= address && address <= $0.last }.map(\.position).min()
        }
        let after = sorted.partitionPoint { $0.base > address }
        guard after > 0, address <= sorted[after - 1].last else { return nil }
        return sorted[after - 1].position
    }
}
