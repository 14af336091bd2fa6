import PCIeTransport
import SeededRandom
import Testing
@testable import DeviceModels

/// Paged device memory holds what a flat byte array holds, whatever the writes' enables and
/// however they straddle pages (runs of enabled bytes are copied whole, others byte by byte).
@Suite struct PagedBytesTests {
    @Test(arguments: UInt64(1)...10)
    func pagedMemoryHoldsWhatAFlatArrayHolds(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let size = 3 << 12
        var memory = PagedBytes(zeros: size)
        var reference = [UInt8](repeating: 0, count: size)
        for _ in 0..<2000 {
            let count = Int(random.next(in: 1...64))
            // Near page boundaries half the time.
            let start = random.oneIn(2) ? Int(random.next(below: UInt64(size - count))) : (Int(random.next(in: 1...2)) << 12) - Int(random.next(below: UInt64(count)))
            let value = AccessValue(words: SIMD8<UInt64>((0..<8).map { _ in random.next() }))
            let enables: UInt64 = random.oneIn(2) ? .max : random.next()
            if random.oneIn(3) {
                let read = memory.read(count: count, at: start)
                #expect((0..<count).map { read.byte($0) } == Array(reference[start..<(start + count)]))
                #expect((count..<64).allSatisfy { read.byte($0) == 0 })
            } else {
                memory.write(value, count: count, enables: enables, at: start)
                for i in 0..<count where enables >> UInt64(i) & 1 == 1 { reference[start + i] = value.byte(i) }
            }
        }
        let whole = stride(from: 0, to: size, by: 64).flatMap { start in
            let read = memory.read(count: 64, at: start)
            return (0..<64).map { read.byte($0) }
        }
        #expect(whole == reference)
    }
}
