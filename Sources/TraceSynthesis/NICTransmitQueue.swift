import MMIOTrace
import SeededRandom

/// The transmit queue one vCPU owns (queue i for vCPU i, as `netdev_pick_tx` spreads flows over
/// per-CPU queues), and the MMIO traffic of sending on it.
struct NICTransmitQueue {
    let nic: NICDevice
    let queue: UInt16
    private var tail: UInt32 = 0
    private var slot: UInt64 = 0

    init(nic: NICDevice, queue: UInt16) {
        self.nic = nic
        self.queue = queue
    }

    /// The next batch of the driver on this queue.
    ///
    /// Mostly a descriptor push: a send WQE written into the queue's next push slot, then the
    /// tail doorbell. Now and then the interrupt handler reads the read-to-clear cause register,
    /// and rarely the watchdog reads STATUS.
    mutating func nextBatch(rng: inout SplitMix64) -> Batch {
        if rng.oneIn(128) {
            return .readl(nic.register(NICDevice.Register.status, NICDevice.statusLinkUp))
        }
        if rng.oneIn(24) {
            let causes = NICDevice.interruptCauses
            return .readl(nic.register(NICDevice.Register.icr, causes[Int(rng.next(below: UInt64(causes.count)))]))
        }
        let index = tail
        tail = (tail + 1) % NICDevice.ringSize
        let address = nic.pushSlot(queue: queue, slot)
        slot = (slot + 1) % NICDevice.pushSlots
        return .descriptorPush(
            slot: address, region: nic.bar2, words: descriptor(index: index, rng: &rng),
            doorbell: nic.register(NICDevice.Register.tdt(queue), UInt64(tail)))
    }

    /// A 64-byte send WQE in the layout of mlx5's: control segment (WQE index, SEND opcode 0x0a,
    /// queue number, four 16-byte segments, request a completion), an Ethernet segment with the
    /// first bytes of the inlined header, and a data segment (byte count, memory key, buffer
    /// address).
    private func descriptor(index: UInt32, rng: inout SplitMix64) -> SIMD8<UInt64> {
        let length = rng.next(in: 64...1_514)
        let buffer = 0x1_0000_0000 | rng.next(below: 0x100_0000) << 6
        return SIMD8(
            UInt64(index) << 8 | 0x0a | (UInt64(queue) << 8 | 4) << 32,
            0x0800_0000,
            0x000e_0000_0000_0000,
            rng.next(),
            rng.next() & 0xffff_ffff,
            0,
            length | 0x0000_1234 << 32,
            buffer)
    }
}
