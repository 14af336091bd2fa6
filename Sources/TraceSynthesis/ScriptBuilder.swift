import MMIOTrace
import SeededRandom

/// Collects a sequential script of events (a probe, the reclaim), each placed a given number of
/// nanoseconds after the previous one, so that time strictly increases along the script.
struct ScriptBuilder {
    private(set) var events: [TraceEvent] = []
    /// The time of the last event added (the start time before the first).
    private(set) var now: UInt64

    init(start: UInt64) { now = start }

    /// Adds `kind` by `agent`, `gap` (at least 1) nanoseconds after the previous event.
    mutating func add(_ agent: Agent, _ kind: EventKind, after gap: UInt64) {
        precondition(gap > 0, "events of one script must be strictly ordered in time")
        now += gap
        events.append(TraceEvent(time: TraceTime(nanoseconds: now), agent: agent, kind: kind))
    }

    /// Adds every event of `batch`, the first `gap` nanoseconds after the previous event.
    mutating func add(_ agent: Agent, _ batch: Batch, after gap: UInt64, rng: inout SplitMix64) {
        add(agent, batch.event(at: 0), after: gap)
        for step in 1..<batch.count {
            add(agent, batch.event(at: step), after: batch.gap(before: step, rng: &rng))
        }
    }
}
