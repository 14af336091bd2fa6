import SeededRandom

/// Seeded property-test inputs from SplitMix64: one seed, one sequence, on every toolchain.
struct TestRandom {
    private var random: SplitMix64

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    mutating func next() -> UInt64 { random.next() }

    /// A number in `0 ..< bound` (`bound > 0`).
    mutating func next(below bound: Int) -> Int { Int(random.next(below: UInt64(bound))) }

    /// A number in `range`.
    mutating func next(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + next(below: range.upperBound - range.lowerBound + 1)
    }

    mutating func nextBool() -> Bool { next() & 1 == 1 }

    mutating func pick<T>(_ choices: [T]) -> T { choices[next(below: choices.count)] }
}
