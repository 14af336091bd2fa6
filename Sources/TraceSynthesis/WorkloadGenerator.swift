import MMIOTrace
import SeededRandom

/// Generates a synthetic but realistic trace of a ``Workload``: exactly `events` events,
/// deterministic per seed, streamed one at a time in constant memory.
///
/// The trace has three phases, each opened by a `mark`:
/// - `init`: after the VMM's config-space reads, vCPU 0 runs the guest driver's probe;
/// - `io`: both vCPUs drive their own queues, with occasional timer exits and re-entries;
/// - `reclaim`: the host's teardown of docs/domain.md §6, ending with `teardown vm 0`.
///
/// The reclaim is always whole: the I/O phase is cut so that it fits, and when `events` leaves no
/// room for the prelude either, the prelude is cut too. When `events` is smaller than
/// ``reclaimCount``, the trace is the first `events` events of the bare reclaim, the canonical
/// trace of exactly ``reclaimCount`` events.
///
/// Time is in nanoseconds from 0; events come in non-decreasing time order, and each agent's
/// events in strictly increasing order. Besides the prelude and reclaim, fixed in size and
/// built on creation, ``next()`` allocates nothing: a generator of 100 million events takes the
/// memory of one of a hundred.
public struct WorkloadGenerator: IteratorProtocol, Sequence, Sendable {
    public let workload: Workload
    /// The number of events the trace has.
    public let events: Int
    public let seed: UInt64
    /// The devices, regions and stage-1 mappings the events refer to.
    public let topology: Topology

    private let prelude: [TraceEvent]
    /// The reclaim, with times relative to its start.
    private let reclaim: [TraceEvent]
    /// How long after the last event before it the reclaim starts.
    private let reclaimDelay: UInt64
    /// Events before the reclaim (prelude, then I/O).
    private let leadingCount: Int
    private var cpus: ContiguousArray<GuestCPU>
    private var emitted = 0
    private var lastTime: UInt64 = 0

    /// A generator of `events` (at least 0) events of `workload`, drawn from `seed`.
    public init(workload: Workload, events: Int, seed: UInt64) {
        precondition(events >= 0, "a trace cannot have \(events) events")
        self.workload = workload
        self.events = events
        self.seed = seed
        var rng = SplitMix64(seed: seed)
        let system = SyntheticSystem(workload: workload)
        topology = system.topology
        prelude = system.prelude(rng: &rng)
        cpus = system.guestCPUs(after: prelude.last?.time.nanoseconds ?? 0, rng: &rng)
        reclaim = system.reclaim(rng: &rng)
        reclaimDelay = rng.next(in: 2_000...20_000)
        leadingCount = Swift.max(0, events - reclaim.count)
    }

    /// The number of events of the reclaim that ends every trace.
    public var reclaimCount: Int { reclaim.count }

    /// The number of events still to come.
    public var underestimatedCount: Int { events - emitted }

    /// The next event, or nil after the last one.
    public mutating func next() -> TraceEvent? {
        guard emitted < events else { return nil }
        var event: TraceEvent
        if emitted < prelude.count, emitted < leadingCount {
            event = prelude[emitted]
        } else if emitted < leadingCount {
            event = nextIOEvent(remaining: leadingCount - emitted)
        } else {
            event = reclaim[emitted - leadingCount]
            event.time.nanoseconds += leadingCount == 0 ? 0 : lastTime + reclaimDelay
        }
        emitted += 1
        if emitted <= leadingCount { lastTime = event.time.nanoseconds }
        return event
    }

    /// The earliest pending vCPU event that keeps the trace able to end with every vCPU in the
    /// guest, `remaining` events before the reclaim (this one included).
    ///
    /// A vCPU that exits must re-enter before the reclaim's own exits, so once the remaining
    /// events are just enough for the pending entries only entries are issued, and an exit
    /// without room for its entry is replaced by device work.
    private mutating func nextIOEvent(remaining: Int) -> TraceEvent {
        var exited = 0
        for i in cpus.indices where cpus[i].isExited { exited += 1 }
        var chosen = earliest(exitedOnly: exited == remaining)
        while cpus[chosen].exitIsPending, exited + 2 > remaining {
            cpus[chosen].skipExit()
            chosen = earliest(exitedOnly: false)
        }
        let event = cpus[chosen].pending
        cpus[chosen].advance()
        return event
    }

    /// The index of the vCPU with the earliest pending event (the lowest index on a tie).
    private func earliest(exitedOnly: Bool) -> Int {
        var best = -1
        for i in cpus.indices where !exitedOnly || cpus[i].isExited {
            if best < 0 || cpus[i].pending.time < cpus[best].pending.time { best = i }
        }
        return best
    }
}
