/// A small seeded pseudo-random generator (Steele, Lea and Flood's SplitMix64): the project's
/// only source of randomness (synthetic traces, the random schedule, sampled fault sites), so
/// that one seed always gives one sequence, on every machine and toolchain.
///
/// The same algorithm as the `roll` example of swift-argument-parser. Bounded draws use a
/// multiply-high reduction of their own rather than the standard library's `random(in:using:)`,
/// whose algorithm is not promised to stay the same across toolchains.
public struct SplitMix64: Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z &>> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z &>> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z &>> 31)
    }

    /// A number in `0 ..< bound` (`bound > 0`); the bias is below `bound / 2^64`.
    public mutating func next(below bound: UInt64) -> UInt64 {
        bound.multipliedFullWidth(by: next()).high
    }

    /// A number in `range`.
    public mutating func next(in range: ClosedRange<UInt64>) -> UInt64 {
        range.lowerBound + next(below: range.upperBound - range.lowerBound + 1)
    }

    /// True with probability `1 / n`.
    public mutating func oneIn(_ n: UInt64) -> Bool { next(below: n) == 0 }
}
