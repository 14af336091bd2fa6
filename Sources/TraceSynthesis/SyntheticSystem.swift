import MMIOTrace
import SeededRandom

/// The passed-through devices of a workload, the topology that declares them, and the scripted
/// parts of its trace: the prelude before the I/O phase and the reclaim after it.
struct SyntheticSystem {
    /// vCPUs of VM 0.
    static let vcpuCount = 2
    /// The command register as the VMM reads it at start and restores it after a reset: memory
    /// space, bus master, INTx disabled (the device uses MSI-X).
    static let command: UInt32 = 0x0406

    private(set) var topology = Topology()
    private(set) var nvme: NVMeController?
    private(set) var nic: NICDevice?

    init(workload: Workload) {
        if workload != .nic { nvme = NVMeController(declaringIn: &topology) }
        if workload != .nvme { nic = NICDevice(declaringIn: &topology) }
    }

    /// The config dwords 0 and 8 of `device`.
    private func identity(of device: DeviceID) -> (id: UInt32, class: UInt32) {
        device == nvme?.device
            ? (NVMeController.identity, NVMeController.classAndRevision)
            : (NICDevice.identity, NICDevice.classAndRevision)
    }

    /// The events before the I/O phase, from time 0: the VMM reading each device's identity and
    /// command register through vfio (a few microseconds per `pread`), mark `init`, the guest's
    /// probe of each device on vCPU 0, mark `io`.
    func prelude(rng: inout SplitMix64) -> [TraceEvent] {
        var script = ScriptBuilder(start: 0)
        for device in topology.devices.indices.map({ DeviceID($0) }) {
            let (id, classCode) = identity(of: device)
            let reads = [ConfigAccess(device: device, offset: 0x0, size: 4, value: id),
                         ConfigAccess(device: device, offset: 0x4, size: 2, value: Self.command),
                         ConfigAccess(device: device, offset: 0x8, size: 4, value: classCode)]
            for read in reads {
                script.add(.vmm(), .configRead(read), after: rng.next(in: 2_000...5_000))
            }
        }
        script.add(.host, .mark("init"), after: rng.next(in: 10_000...50_000))
        nvme?.appendProbe(to: &script, by: .vcpu(0), ioQueuePairs: Self.vcpuCount, rng: &rng)
        nic?.appendProbe(to: &script, by: .vcpu(0), queues: Self.vcpuCount, rng: &rng)
        script.add(.host, .mark("io"), after: rng.next(in: 10_000...50_000))
        return script.events
    }

    /// The vCPUs of the I/O phase, starting after `start`, vCPU i on NVMe qid i + 1 and NIC
    /// transmit queue i.
    func guestCPUs(after start: UInt64, rng: inout SplitMix64) -> ContiguousArray<GuestCPU> {
        ContiguousArray((0..<UInt16(Self.vcpuCount)).map { index in
            GuestCPU(
                index: index, seed: rng.next(), start: start + rng.next(in: 1_000...10_000),
                nvme: nvme.map { NVMeQueuePair(controller: $0, qid: index + 1) },
                nic: nic.map { NICTransmitQueue(nic: $0, queue: index) })
        })
    }

    /// The host's reclaim of every device (docs/domain.md §6), with times relative to its start:
    /// mark `reclaim`; every vCPU exits; stage-2 unmap of each guest-mapped region;
    /// `dsb ishst`, `tlbi ipas2e1is` per region, `dsb ish`, `tlbi vmalle1is`, `dsb ish`, `isb`;
    /// per device an FLR, the host's config read once the 100 ms wait is over (`pci_dev_wait`),
    /// and the VMM restoring the command register; finally the VM's teardown.
    func reclaim(rng: inout SplitMix64) -> [TraceEvent] {
        var script = ScriptBuilder(start: 0)
        script.add(.host, .mark("reclaim"), after: 1)
        for index in 0..<UInt16(Self.vcpuCount) {
            script.add(.vcpu(index), .guestExit, after: rng.next(in: 200...600))
        }
        let guestMapped = topology.regions.indices.map { RegionID($0) }.filter { region in
            topology.mappings.contains { $0.region == region && $0.addressSpace == .guest(vm: 0) }
        }
        for (n, region) in guestMapped.enumerated() {
            script.add(.host, .unmap(region: region, vm: 0), after: n == 0 ? rng.next(in: 1_000...3_000) : rng.next(in: 100...300))
        }
        script.add(.host, .barrier(.dsb(.innerShareable, .stores)), after: rng.next(in: 20...60))
        for region in guestMapped {
            let invalidation = TLBInvalidation(operation: .ipas2e1is, vm: 0, address: topology.regions[Int(region)].base, region: region)
            script.add(.host, .tlbi(invalidation), after: rng.next(in: 30...80))
        }
        script.add(.host, .barrier(.dsb(.innerShareable, .all)), after: rng.next(in: 200...800))
        script.add(.host, .tlbi(TLBInvalidation(operation: .vmalle1is, vm: 0)), after: rng.next(in: 30...80))
        script.add(.host, .barrier(.dsb(.innerShareable, .all)), after: rng.next(in: 200...800))
        script.add(.host, .barrier(.isb), after: rng.next(in: 5...15))
        for device in topology.devices.indices.map({ DeviceID($0) }) {
            script.add(.host, .reset(.flr, device: device), after: rng.next(in: 1_000...5_000))
            // Command cleared by the reset; status still shows the capabilities list.
            let ready = ConfigAccess(device: device, offset: 0x4, size: 4, value: 0x0010_0000)
            script.add(.host, .configRead(ready), after: 100_000_000 + rng.next(below: 1_000_000))
            let restore = ConfigAccess(device: device, offset: 0x4, size: 2, value: Self.command)
            script.add(.vmm(), .configWrite(restore), after: rng.next(in: 20_000...80_000))
        }
        script.add(.host, .teardown(vm: 0), after: rng.next(in: 100_000...500_000))
        return script.events
    }
}
