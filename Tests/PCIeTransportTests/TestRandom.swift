/// SplitMix64 (Steele, Lea and Flood) for seeded property tests: one seed, one sequence, on
/// every toolchain.
struct TestRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z &>> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z &>> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z &>> 31)
    }

    /// A number in `0 ..< bound` (`bound > 0`).
    mutating func next(below bound: Int) -> Int {
        Int(UInt64(bound).multipliedFullWidth(by: next()).high)
    }

    /// A number in `range`.
    mutating func next(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + next(below: range.upperBound - range.lowerBound + 1)
    }

    mutating func nextBool() -> Bool { next() & 1 == 1 }

    mutating func pick<T>(_ choices: [T]) -> T { choices[next(below: choices.count)] }
}
