import ArmMemory
import MMIOTrace
import PCIeTransport
import SeededRandom

/// The synthetic NIC `nic0` (0000:02:00.0): an e1000e register file in BAR0 (128 KiB at
/// 0xfe200000) and, in BAR2 (64 KiB at 0xfe300000, prefetchable), a write-combining page per
/// transmit queue into which the driver pushes 64-byte descriptors, as mlx5 BlueFlame and ENA LLQ
/// do.
///
/// Register values are those QEMU's e1000e model returned to Linux 6.1 in
/// `traces/captures`.
struct NICDevice {
    static let registersBase: UInt64 = 0xfe20_0000
    static let registersSize: UInt64 = 0x2_0000
    static let pushBase: UInt64 = 0xfe30_0000
    static let pushSize: UInt64 = 0x1_0000
    /// Transmit descriptors per ring (e1000e's default `TxDescriptors`).
    static let ringSize: UInt32 = 256
    /// 64-byte push slots per queue, used in turn.
    static let pushSlots: UInt64 = 4

    /// Register offsets in BAR0 (e1000e's `E1000_*`; transmit queue registers 0x100 apart).
    enum Register {
        static let ctrl: UInt64 = 0x0
        static let status: UInt64 = 0x8
        /// Interrupt cause: reading it clears it.
        static let icr: UInt64 = 0xc0
        static let ims: UInt64 = 0xd0
        static let imc: UInt64 = 0xd8
        static let tctl: UInt64 = 0x400
        static func tdbal(_ queue: UInt16) -> UInt64 { 0x3800 + 0x100 * UInt64(queue) }
        static func tdbah(_ queue: UInt16) -> UInt64 { 0x3804 + 0x100 * UInt64(queue) }
        static func tdlen(_ queue: UInt16) -> UInt64 { 0x3808 + 0x100 * UInt64(queue) }
        static func tdh(_ queue: UInt16) -> UInt64 { 0x3810 + 0x100 * UInt64(queue) }
        static func tdt(_ queue: UInt16) -> UInt64 { 0x3818 + 0x100 * UInt64(queue) }
        static func txdctl(_ queue: UInt16) -> UInt64 { 0x3828 + 0x100 * UInt64(queue) }
    }

    /// Config dword 0: vendor 8086 (Intel), device 10d3 (82574L, e1000e).
    static let identity: UInt32 = 0x10d3_8086
    /// Config dword 8: class 02 00 00 (Ethernet controller), revision 0.
    static let classAndRevision: UInt32 = 0x0200_0000
    /// CTRL after power-up (full duplex, auto-speed detection, set link up).
    static let control: UInt64 = 0x0014_0245
    /// CTRL.RST, the software reset `e1000_reset_hw` sets.
    static let controlReset: UInt64 = 1 << 26
    /// STATUS before and after link-up (LU, bit 1).
    static let statusLinkDown: UInt64 = 0x281
    static let statusLinkUp: UInt64 = 0x283
    /// ICR values the interrupt handler reads: INT_ASSERTED with TXDW, RXT0 or both.
    static let interruptCauses: [UInt64] = [0x8000_0001, 0x8000_0080, 0x8000_0081]

    let device: DeviceID
    let bar0: RegionID
    let bar2: RegionID

    /// Declares the NIC, its two BARs and the stage-1 mappings: the guest's `ioremap` of BAR0
    /// (Device-nGnRE) and `ioremap_wc` of BAR2 (Normal-NC), the VMM's vfio `mmap` of both
    /// (Device-nGnRnE).
    init(declaringIn topology: inout Topology) {
        device = DeviceID(topology.devices.count)
        bar0 = RegionID(topology.regions.count)
        bar2 = bar0 + 1
        topology.devices.append(Device(name: "nic0", bdf: PCIAddress(bus: 2, device: 0, function: 0), model: "nic"))
        topology.regions.append(Region(name: "nic0-bar0", device: device, kind: .bar, base: Self.registersBase, size: Self.registersSize, barIndex: 0))
        topology.regions.append(Region(name: "nic0-bar2", device: device, kind: .bar, base: Self.pushBase, size: Self.pushSize, prefetchable: true, barIndex: 2))
        topology.mappings.append(Mapping(addressSpace: .guest(vm: 0), region: bar0, type: .deviceNGnRE))
        topology.mappings.append(Mapping(addressSpace: .guest(vm: 0), region: bar2, type: .normalNC))
        topology.mappings.append(Mapping(addressSpace: .vmm(vm: 0), region: bar0, type: .deviceNGnRnE))
        topology.mappings.append(Mapping(addressSpace: .vmm(vm: 0), region: bar2, type: .deviceNGnRnE))
    }

    /// A 4-byte access at `offset` in BAR0.
    func register(_ offset: UInt64, _ value: UInt64) -> MemoryAccess {
        MemoryAccess(address: Self.registersBase + offset, region: bar0, size: 4, value: AccessValue(value))
    }

    /// The address of push slot `slot` of transmit queue `queue` in BAR2 (one 4 KiB page per
    /// queue, like an mlx5 UAR page).
    func pushSlot(queue: UInt16, _ slot: UInt64) -> UInt64 {
        Self.pushBase + 0x1000 * UInt64(queue) + 0x40 * slot
    }

    /// Appends e1000e's probe and open as `cpu` runs them: mask interrupts, software reset,
    /// clear the interrupt cause, program one transmit ring per vCPU, enable the transmitter,
    /// unmask interrupts, and see the link come up.
    func appendProbe(to script: inout ScriptBuilder, by cpu: Agent, queues: Int, rng: inout SplitMix64) {
        script.add(cpu, .writel(register(Register.imc, 0xffff_ffff)), after: rng.next(in: 2_000...10_000), rng: &rng)
        script.add(cpu, .readl(register(Register.ctrl, Self.control)), after: rng.next(in: 50...200), rng: &rng)
        script.add(cpu, .writel(register(Register.ctrl, Self.control | Self.controlReset)), after: rng.next(in: 50...200), rng: &rng)
        // e1000_reset_hw waits for the reset to finish before touching the device again.
        script.add(cpu, .readl(register(Register.status, Self.statusLinkDown)), after: rng.next(in: 1_000_000...2_000_000), rng: &rng)
        script.add(cpu, .writel(register(Register.imc, 0xffff_ffff)), after: rng.next(in: 50...200), rng: &rng)
        script.add(cpu, .readl(register(Register.icr, 0x0)), after: rng.next(in: 50...200), rng: &rng)

        for queue in 0..<UInt16(queues) {
            let ring = 0x1_0000_0000 | rng.next(below: 0x10_0000) << 12
            let setup: [(UInt64, UInt64)] = [
                (Register.tdbal(queue), ring & 0xffff_ffff), (Register.tdbah(queue), ring >> 32),
                (Register.tdlen(queue), UInt64(Self.ringSize) * 16), (Register.tdh(queue), 0),
                (Register.tdt(queue), 0), (Register.txdctl(queue), 0x0141_0000),
            ]
            for (offset, value) in setup {
                script.add(cpu, .writel(register(offset, value)), after: rng.next(in: 50...200), rng: &rng)
            }
        }
        // TCTL: EN, PSP, collision threshold and distance.
        script.add(cpu, .writel(register(Register.tctl, 0x3103_f0fa)), after: rng.next(in: 50...200), rng: &rng)
        // IMS: RXT0, RXDMT0, RXSEQ, LSC, TXDW (IMS_ENABLE_MASK).
        script.add(cpu, .writel(register(Register.ims, 0x9d)), after: rng.next(in: 50...200), rng: &rng)
        script.add(cpu, .readl(register(Register.status, Self.statusLinkUp)), after: rng.next(in: 2_000_000...4_000_000), rng: &rng)
    }
}
