/// Whether declared regions overlap, in O(n log n) for n regions whatever order their bases come
/// in: regions declared in increasing base order (the usual case) are checked as they come,
/// against the last one; once one comes out of order, the rest are checked together by
/// ``firstOverlap()``, which finds the same region and partner that checking each against the
/// earlier ones would have found first. Regions are numbered from 0 in the order they are added.
public struct RegionOverlaps {
    private struct Range {
        var base: UInt64
        var last: UInt64
    }

    /// Every region's range, by number.
    private var ranges: [Range] = []
    /// Whether every region so far came in increasing base order (then none overlaps).
    private var inOrder = true

    public init() {}

    /// The region overlapping a new one, `base...last`, when it can be decided now (regions in
    /// increasing base order so far); nil when there is none or it is left to ``firstOverlap()``.
    public mutating func add(base: UInt64, last: UInt64) -> Int? {
        defer { ranges.append(Range(base: base, last: last)) }
        guard inOrder, let previous = ranges.last else { return nil }
        if previous.base < base { return previous.last >= base ? ranges.count - 1 : nil }
        inOrder = false
        return nil
    }

    /// The first region (in the order added) that overlaps an earlier one, with that earlier one
    /// (its neighbour by base, the one before first); nil when none overlaps.
    public func firstOverlap() -> (region: Int, other: Int)? {
        guard !inOrder else { return nil }
        let sorted = ranges.indices.sorted { (ranges[$0].base, $0) < (ranges[$1].base, $1) }
        guard overlaps(sorted, upTo: ranges.count - 1) else { return nil }
        // The smallest k such that regions 0...k overlap: the first region to overlap an earlier one.
        var low = 1, high = ranges.count - 1
        while low < high {
            let mid = (low + high) / 2
            if overlaps(sorted, upTo: mid) { high = mid } else { low = mid + 1 }
        }
        let region = low
        // Its neighbours by base among the earlier regions, the one before first, as the
        // incremental check takes them.
        let earlier = sorted.filter { $0 < region }
        let at = earlier.partitionPoint { ranges[$0].base >= ranges[region].base }
        let candidates = [at > 0 ? earlier[at - 1] : nil, at < earlier.count ? earlier[at] : nil].compactMap { $0 }
        let other = candidates.first { ranges[$0].base <= ranges[region].last && ranges[region].base <= ranges[$0].last }!
        return (region, other)
    }

    /// Whether any two of regions `0...k` overlap: in base order, whether one starts before the
    /// furthest end of those before it.
    private func overlaps(_ sorted: [Int], upTo k: Int) -> Bool {
        var furthest: UInt64?
        for i in sorted where i <= k {
            if let end = furthest, ranges[i].base <= end { return true }
            furthest = max(furthest ?? 0, ranges[i].last)
        }
        return false
    }
}
