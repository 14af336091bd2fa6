import ArmMemory
import MMIOTrace
import PCIeTransport
import SeededRandom

/// The synthetic NVMe controller `nvme0` (0000:01:00.0): BAR0 at 0xfe400000, 16 KiB, registers
/// at 0x0–0xfff and doorbells from 0x1000 with a 4-byte stride (CAP.DSTRD = 0).
///
/// Register values are those QEMU's NVMe model (1b36:0010) returned to Linux 6.1 in
/// `traces/captures`.
struct NVMeController {
    static let base: UInt64 = 0xfe40_0000
    static let size: UInt64 = 0x4000

    /// Register offsets (NVMe Base Specification, "Controller Registers").
    enum Register {
        static let cap: UInt64 = 0x0
        static let vs: UInt64 = 0x8
        static let cc: UInt64 = 0x14
        static let csts: UInt64 = 0x1c
        static let aqa: UInt64 = 0x24
        static let asq: UInt64 = 0x28
        static let acq: UInt64 = 0x30
    }

    /// CAP: MQES 2047, CQR, TO 15 (7.5 s), DSTRD 0, CSS NVM and I/O command sets.
    static let capabilities: UInt64 = 0x0040_1820_0f01_07ff
    /// VS: version 1.4.
    static let version: UInt64 = 0x0001_0400
    /// CC as `nvme_enable_ctrl` builds it (IOCQES 4, IOSQES 6, CSS 6), without EN.
    static let configuration: UInt64 = 0x0046_0060
    /// Config dword 0: vendor 1b36 (Red Hat), device 0010 (QEMU NVMe).
    static let identity: UInt32 = 0x0010_1b36
    /// Config dword 8: class 01 08 02 (NVM Express), revision 2.
    static let classAndRevision: UInt32 = 0x0108_0202
    /// Admin queue depth (`NVME_AQ_DEPTH`); AQA holds it minus one in both halves.
    static let adminDepth: UInt32 = 32
    /// I/O queue depth: Linux's `io_queue_depth` default (1024), below CAP.MQES + 1.
    static let ioDepth: UInt32 = 1024

    let device: DeviceID
    let bar0: RegionID

    /// Declares the controller, its BAR and the stage-1 mappings: the guest's `ioremap`
    /// (Device-nGnRE) and the VMM's vfio `mmap` (Device-nGnRnE, `pgprot_noncached`).
    init(declaringIn topology: inout Topology) {
        device = DeviceID(topology.devices.count)
        bar0 = RegionID(topology.regions.count)
        topology.devices.append(Device(name: "nvme0", bdf: PCIAddress(bus: 1, device: 0, function: 0), model: "nvme"))
        topology.regions.append(Region(name: "nvme0-bar0", device: device, kind: .bar, base: Self.base, size: Self.size, barIndex: 0))
        topology.mappings.append(Mapping(addressSpace: .guest(vm: 0), region: bar0, type: .deviceNGnRE))
        topology.mappings.append(Mapping(addressSpace: .vmm(vm: 0), region: bar0, type: .deviceNGnRnE))
    }

    /// An access of `size` bytes at `offset` in BAR0.
    func access(_ offset: UInt64, size: UInt8 = 4, _ value: UInt64) -> MemoryAccess {
        MemoryAccess(address: Self.base + offset, region: bar0, size: size, value: AccessValue(value))
    }

    /// The doorbell of submission queue `qid`'s tail.
    func submissionTail(qid: UInt16, _ tail: UInt32) -> MemoryAccess {
        access(0x1000 + 8 * UInt64(qid), UInt64(tail))
    }

    /// The doorbell of completion queue `qid`'s head.
    func completionHead(qid: UInt16, _ head: UInt32) -> MemoryAccess {
        access(0x1000 + 8 * UInt64(qid) + 4, UInt64(head))
    }

    /// Appends the probe of Linux's `nvme` driver as `cpu` runs it: `nvme_pci_enable`,
    /// `nvme_pci_configure_admin_queue` (disable, wait for CSTS.RDY = 0, admin queue registers,
    /// enable, wait for CSTS.RDY = 1), then the admin commands up to the creation of one I/O
    /// queue pair per vCPU, each rung on the admin doorbells.
    ///
    /// CAP is read and ASQ/ACQ are written with one 8-byte access each (`readq`/`writeq`);
    /// Linux itself uses `lo_hi_readq`/`lo_hi_writeq`, two 4-byte accesses, for controllers that
    /// reject 8-byte ones.
    func appendProbe(to script: inout ScriptBuilder, by cpu: Agent, ioQueuePairs: Int, rng: inout SplitMix64) {
        script.add(cpu, .readl(access(Register.csts, 0x1)), after: rng.next(in: 2_000...10_000), rng: &rng)
        script.add(cpu, .readl(access(Register.cap, size: 8, Self.capabilities)), after: rng.next(in: 50...200), rng: &rng)
        script.add(cpu, .readl(access(Register.vs, Self.version)), after: rng.next(in: 50...200), rng: &rng)

        script.add(cpu, .writel(access(Register.cc, 0)), after: rng.next(in: 100...300), rng: &rng)
        appendReadyWait(to: &script, by: cpu, ready: false, rng: &rng)

        let aqa = UInt64(Self.adminDepth - 1) << 16 | UInt64(Self.adminDepth - 1)
        script.add(cpu, .writel(access(Register.aqa, aqa)), after: rng.next(in: 500...1_500), rng: &rng)
        let asq = (0x1_0000_0000 | rng.next(below: 0x10_0000) << 12)
        script.add(cpu, .writel(access(Register.asq, size: 8, asq)), after: rng.next(in: 50...150), rng: &rng)
        script.add(cpu, .writel(access(Register.acq, size: 8, asq + 0x1000)), after: rng.next(in: 50...150), rng: &rng)

        script.add(cpu, .writel(access(Register.cc, Self.configuration)), after: rng.next(in: 100...300), rng: &rng)
        script.add(cpu, .readl(access(Register.cc, Self.configuration)), after: rng.next(in: 20...60), rng: &rng)
        script.add(cpu, .writel(access(Register.cc, Self.configuration | 1)), after: rng.next(in: 20...60), rng: &rng)
        appendReadyWait(to: &script, by: cpu, ready: true, rng: &rng)

        // Identify controller, Identify namespace list, Set Features (number of queues), then
        // Create I/O Completion Queue and Create I/O Submission Queue per pair.
        let commands = 3 + 2 * ioQueuePairs
        for n in 1...commands {
            let slot = UInt32(n) % Self.adminDepth
            script.add(cpu, .writel(submissionTail(qid: 0, slot)), after: rng.next(in: 5_000...50_000), rng: &rng)
            script.add(cpu, .writel(completionHead(qid: 0, slot)), after: rng.next(in: 20_000...200_000), rng: &rng)
        }
    }

    /// `nvme_wait_ready`: reads CSTS, then again every 1–2 ms (`usleep_range(1000, 2000)`),
    /// until RDY matches; the recorded values show the controller taking 0–2 polls to get there.
    private func appendReadyWait(to script: inout ScriptBuilder, by cpu: Agent, ready: Bool, rng: inout SplitMix64) {
        let target: UInt64 = ready ? 0x1 : 0x0
        let polls = rng.next(in: 1...3)
        for poll in 1...polls {
            let value = poll == polls ? target : 1 - target
            let gap = poll == 1 ? rng.next(in: 50...200) : rng.next(in: 1_000_000...2_000_000)
            script.add(cpu, .readl(access(Register.csts, value)), after: gap, rng: &rng)
        }
    }
}
