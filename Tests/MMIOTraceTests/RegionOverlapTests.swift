import Diagnostics
import SeededRandom
import Testing
@testable import MMIOTrace

/// Overlapping regions are found whatever order their bases come in, and the error is the one
/// that checking each region against the earlier ones gives: the first region (in file order)
/// that overlaps an earlier one, named with its neighbour by base (the one before first).
@Suite struct RegionOverlapTests {
    struct Declared {
        var base: UInt64
        var size: UInt64
        var last: UInt64 { base + size - 1 }
    }

    /// What the straightforward check says: the first region overlapping an earlier one, and
    /// which earlier one, or nil.
    static func expected(_ regions: [Declared]) -> (region: Int, other: Int)? {
        for b in regions.indices {
            let earlier = regions.indices.filter { $0 < b }
            let before = earlier.filter { regions[$0].base < regions[b].base }.max { regions[$0].base < regions[$1].base }
            let after = earlier.filter { regions[$0].base >= regions[b].base }.min { regions[$0].base < regions[$1].base }
            let overlapping = [before, after].compactMap { $0 }.first { regions[$0].base <= regions[b].last && regions[b].base <= regions[$0].last }
            if let other = overlapping { return (b, other) }
            // The earlier regions are disjoint, so only the neighbours can overlap; check the rest
            // anyway, so that a wrong reference cannot pass unnoticed.
            #expect(!earlier.contains { regions[$0].base <= regions[b].last && regions[b].base <= regions[$0].last })
        }
        return nil
    }

    static func text(_ regions: [Declared]) -> String {
        "mtrace 1\ndevice d model=generic\n"
            + regions.enumerated().map { "region r\($0) device=d kind=platform base=0x\(String($1.base, radix: 16)) size=0x\(String($1.size, radix: 16))\n" }
            .joined()
    }

    @Test(arguments: 0..<300)
    func randomDeclarationsAgreeWithTheStraightforwardCheck(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let count = Int(rng.next(in: 1...40))
        // Pages from a range small enough that some overlap, sometimes in increasing order.
        let pages = rng.next(in: UInt64(count)...UInt64(count * 4))
        var regions = (0..<count).map { _ in Declared(base: rng.next(below: pages) * 0x1000, size: rng.next(in: 1...3) * 0x800) }
        if rng.oneIn(3) { regions.sort { $0.base < $1.base } }
        let want = Self.expected(regions)
        do {
            _ = try MTraceReader(bytes: Array(Self.text(regions).utf8))
            #expect(want == nil, "no error, expected r\(want!.region) overlapping r\(want!.other)")
        } catch let error as InputError {
            let want = try #require(want, "unexpected error: \(error)")
            #expect(error.location.line == want.region + 3)
            #expect(error.message == "region 'r\(want.region)' overlaps region 'r\(want.other)'", "\(error)")
        }
    }

    /// An overlap among regions out of base order is reported before a later mistake.
    @Test func anOverlapComesBeforeALaterError() throws {
        let text = Self.text([Declared(base: 0x2000, size: 0x1000), Declared(base: 0x1000, size: 0x1000), Declared(base: 0x1800, size: 0x100)])
            + "map vm0 nowhere device-ngnre\n"
        #expect(throws: InputError.self) { try MTraceReader(bytes: Array(text.utf8)) }
        do {
            _ = try MTraceReader(bytes: Array(text.utf8))
        } catch let error as InputError {
            #expect(error.location.line == 5 && error.message == "region 'r2' overlaps region 'r1'", "\(error)")
        }
    }
}
