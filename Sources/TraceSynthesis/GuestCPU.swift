import MMIOTrace
import SeededRandom

/// One vCPU of the I/O phase: a state machine that always holds its next event, and moves on
/// batch by batch, drawing from its own generator.
struct GuestCPU {
    let agent: Agent
    private var rng: SplitMix64
    private var nvme: NVMeQueuePair?
    private var nic: NICTransmitQueue?
    private var batch: Batch
    private var step = 0
    /// The event this vCPU issues next.
    private(set) var pending: TraceEvent
    /// Whether the vCPU is out of the guest (its last event was an exit; `pending` is the entry).
    private(set) var isExited = false

    /// A vCPU whose first event is at `start`, driving the given queues.
    init(index: UInt16, seed: UInt64, start: UInt64, nvme: NVMeQueuePair?, nic: NICTransmitQueue?) {
        var rng = SplitMix64(seed: seed)
        var nvme = nvme, nic = nic
        batch = Self.deviceBatch(nvme: &nvme, nic: &nic, rng: &rng)
        agent = .vcpu(index)
        pending = TraceEvent(time: TraceTime(nanoseconds: start), agent: agent, kind: batch.event(at: 0))
        self.rng = rng
        self.nvme = nvme
        self.nic = nic
    }

    /// Whether `pending` is a guest exit.
    var exitIsPending: Bool {
        if case .guestExit = pending.kind { true } else { false }
    }

    /// Moves to the event after `pending`, which the caller has just issued.
    mutating func advance() {
        isExited = exitIsPending
        step += 1
        let gap: UInt64
        if step < batch.count {
            gap = batch.gap(before: step, rng: &rng)
        } else {
            // After re-entry the guest resumes at once; otherwise the driver idles for microseconds.
            gap = isGuestExit(batch) ? rng.next(in: 300...1_500) : rng.next(in: 1_000...20_000)
            batch = rng.oneIn(256) ? .guestExit : nextDeviceBatch()
            step = 0
        }
        pending.time.nanoseconds += gap
        pending.kind = batch.event(at: step)
    }

    /// Replaces a pending exit by device work at the same time (for when the trace has no room
    /// left for the matching entry).
    mutating func skipExit() {
        precondition(exitIsPending)
        batch = nextDeviceBatch()
        pending.kind = batch.event(at: 0)
    }

    /// The next batch on this vCPU's devices: in a mixed workload NVMe or NIC at random.
    private mutating func nextDeviceBatch() -> Batch {
        Self.deviceBatch(nvme: &nvme, nic: &nic, rng: &rng)
    }

    private static func deviceBatch(nvme: inout NVMeQueuePair?, nic: inout NICTransmitQueue?, rng: inout SplitMix64) -> Batch {
        if nvme != nil, nic == nil || rng.oneIn(2) {
            return nvme!.nextBatch(rng: &rng)
        }
        return nic!.nextBatch(rng: &rng)
    }

    private func isGuestExit(_ batch: Batch) -> Bool {
        if case .guestExit = batch { true } else { false }
    }
}
