import MMIOTrace
import PCIeTransport
import SeededRandom

/// One burst of a vCPU's activity: a few events issued back to back, which a pause of some
/// microseconds separates from the next burst.
///
/// A batch is plain data; ``event(at:)`` and ``gap(before:rng:)`` unfold it one event at a time,
/// so a vCPU never holds more than the batch it is in.
enum Batch {
    /// Linux `writel`: `__iowmb()` (`dmb oshst`), then a store (a doorbell or a register).
    case writel(MemoryAccess)
    /// Linux `readl`: a load, then `__iormb()` (`dmb oshld`) once the value has arrived.
    case readl(MemoryAccess)
    /// A write-combined descriptor push (mlx5 BlueFlame, ENA LLQ): `dma_wmb()` (`dmb oshst`),
    /// `__iowrite64_copy` of one 64-byte slot as eight 8-byte stores, `wmb()` (`dsb st`), then the
    /// 4-byte tail doorbell in the register BAR.
    case descriptorPush(slot: UInt64, region: RegionID, words: SIMD8<UInt64>, doorbell: MemoryAccess)
    /// A timer or interrupt exit: the vCPU leaves the guest, and KVM re-enters it a few
    /// microseconds later.
    case guestExit

    /// The number of events in the batch.
    var count: Int {
        switch self {
        case .writel, .readl, .guestExit: 2
        case .descriptorPush: 11
        }
    }

    /// The event at `step` (`0 ..< count`).
    func event(at step: Int) -> EventKind {
        switch self {
        case .writel(let access):
            step == 0 ? .barrier(.dmb(.outerShareable, .stores)) : .write(access)
        case .readl(let access):
            step == 0 ? .read(access) : .barrier(.dmb(.outerShareable, .loads))
        case .descriptorPush(let slot, let region, let words, let doorbell):
            switch step {
            case 0: .barrier(.dmb(.outerShareable, .stores))
            case 1...8:
                .write(MemoryAccess(address: slot + UInt64(8 * (step - 1)), region: region, size: 8,
                                    value: AccessValue(words[step - 1])))
            case 9: .barrier(.dsb(.fullSystem, .stores))
            default: .write(doorbell)
            }
        case .guestExit:
            step == 0 ? .guestExit : .guestEntry
        }
    }

    /// Nanoseconds between the event at `step - 1` and the one at `step` (`1 ..< count`).
    ///
    /// A barrier costs a few cycles, stores in a burst issue tens of nanoseconds apart, a device
    /// load waits about a microsecond for its completion, and `dsb st` waits for the
    /// write-combining buffer to drain.
    func gap(before step: Int, rng: inout SplitMix64) -> UInt64 {
        switch self {
        case .writel: rng.next(in: 4...15)
        case .readl: rng.next(in: 600...1_500)
        case .descriptorPush:
            switch step {
            case 1: rng.next(in: 4...15)
            case 2...8: rng.next(in: 10...40)
            case 9: rng.next(in: 5...20)
            default: rng.next(in: 150...600)
            }
        case .guestExit: rng.next(in: 2_000...8_000)
        }
    }
}
