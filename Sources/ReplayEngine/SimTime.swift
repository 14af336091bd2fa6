/// A point in simulated time, in picoseconds from the start of a replay.
public struct SimTime: Hashable, Comparable, Sendable, Codable {
    public var picoseconds: UInt64

    @inlinable public init(picoseconds: UInt64) { self.picoseconds = picoseconds }
    @inlinable public init(nanoseconds: UInt64) { self.picoseconds = nanoseconds &* 1000 }

    public static let zero = SimTime(picoseconds: 0)
    /// Later than any event of a replay: "held until the end".
    public static let never = SimTime(picoseconds: .max)
    /// The latest time a trace event may have: half the picosecond range, so that the latencies,
    /// timeouts and resets after the last event stay representable (a later one used to wrap
    /// into the past and spin).
    public static let latestEventNanoseconds = UInt64.max / 2 / 1000

    @inlinable public var nanoseconds: UInt64 { picoseconds / 1000 }

    @inlinable public static func < (a: SimTime, b: SimTime) -> Bool { a.picoseconds < b.picoseconds }
    @inlinable public static func + (a: SimTime, d: SimDuration) -> SimTime {
        SimTime(picoseconds: a.picoseconds &+ d.picoseconds < a.picoseconds ? .max : a.picoseconds &+ d.picoseconds)
    }
    /// The duration from `b` to `a` (zero if `b` is later).
    @inlinable public static func - (a: SimTime, b: SimTime) -> SimDuration {
        SimDuration(picoseconds: a.picoseconds > b.picoseconds ? a.picoseconds - b.picoseconds : 0)
    }
}

/// A length of simulated time, in picoseconds.
public struct SimDuration: Hashable, Comparable, Sendable, Codable {
    public var picoseconds: UInt64

    @inlinable public init(picoseconds: UInt64) { self.picoseconds = picoseconds }
    @inlinable public static func nanoseconds(_ ns: UInt64) -> SimDuration { SimDuration(picoseconds: ns &* 1000) }

    public static let zero = SimDuration(picoseconds: 0)

    @inlinable public static func < (a: SimDuration, b: SimDuration) -> Bool { a.picoseconds < b.picoseconds }
    @inlinable public static func + (a: SimDuration, b: SimDuration) -> SimDuration { SimDuration(picoseconds: a.picoseconds &+ b.picoseconds) }
}
