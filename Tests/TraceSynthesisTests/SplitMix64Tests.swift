import SeededRandom
import Testing
@testable import TraceSynthesis

@Suite struct SplitMix64Tests {
    @Test func matchesTheReferenceSequence() {
        // The reference implementation (Vigna, splitmix64.c) seeded with 0.
        var rng = SplitMix64(seed: 0)
        #expect(rng.next() == 0xe220_a839_7b1d_cdaf)
        #expect(rng.next() == 0x6e78_9e6a_a1b9_65f4)
        #expect(rng.next() == 0x06c4_5d18_8009_454f)
    }

    @Test(arguments: [1, 2, 7, 1_000] as [UInt64])
    func boundedDrawsStayInBounds(bound: UInt64) {
        var rng = SplitMix64(seed: bound)
        for _ in 0..<1_000 {
            #expect(rng.next(below: bound) < bound)
            #expect((10...10 + bound).contains(rng.next(in: 10...10 + bound)))
        }
    }
}
