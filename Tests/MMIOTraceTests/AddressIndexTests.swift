import SeededRandom
import Testing
@testable import MMIOTrace

/// The address index answers as a scan of the list does: the first range containing the address.
@Suite struct AddressIndexTests {
    /// The straightforward answer the index must give.
    private func scan(_ ranges: [(base: UInt64, size: UInt64)?], _ address: UInt64) -> Int? {
        ranges.firstIndex { range in range.map { address >= $0.base && address - $0.base < $0.size } ?? false }
    }

    @Test(arguments: [false, true])
    func agreesWithAScanOfTheList(overlapping: Bool) {
        var random = SplitMix64(seed: overlapping ? 7 : 3)
        for _ in 0..<300 {
            let count = Int(random.next(below: 40))
            var ranges: [(base: UInt64, size: UInt64)?] = []
            var next: UInt64 = random.next(below: 0x1000)
            for _ in 0..<count {
                if random.oneIn(8) { ranges.append(nil); continue }
                let size = 1 + random.next(below: 0x300)
                let base = overlapping ? random.next(below: 0x4000) : next
                next = base + size + random.next(below: 0x100)
                ranges.append((base, size))
            }
            if random.oneIn(4) { ranges.append((UInt64.max - 0x10, 0x100)) }  // reaches past the top
            for i in ranges.indices.reversed() { ranges.swapAt(i, Int(random.next(below: UInt64(i + 1)))) }  // any list order
            let index = AddressIndex(ranges)
            let probes = ranges.compactMap { $0 }.flatMap { [$0.base, $0.base &- 1, $0.base &+ $0.size &- 1, $0.base &+ $0.size] }
                + (0..<50).map { _ in random.next(below: 0x5000) } + [0, .max]
            for address in probes {
                #expect(index.first(containing: address) == scan(ranges, address), "address \(address)")
            }
        }
    }
}
