import Testing
@testable import ReplayEngine

/// The peripheral-arrival-order rules of the write path (Arm ARM B2.4.1.1, B2.10.2), one rule
/// per test, each under every schedule where the rule must hold.
@Suite struct OrderingRuleTests {
    static let schedules: [Schedule] = [.inOrder, .adversarial, .random(seed: 1), .random(seed: 2)]

    /// nGnRE accesses to the same peripheral arrive in program order, under every schedule.
    @Test(arguments: schedules)
    func samePeripheralNonReorderingArrivesInProgramOrder(schedule: Schedule) throws {
        let trace = Harness.header(guest: "device-ngnre") + """
            10 vcpu0 write bar0+0x1008 4 0x1
            11 vcpu0 write bar0+0x100c 4 0x2
            12 vcpu0 write bar0+0x24 4 0x3
            13 vcpu0 read bar0+0x1c 4
            14 vcpu0 write bar0+0x1010 4 0x4
            """
        let report = try Harness.replay(text: trace, policy: "kvm-device", schedule: schedule)
        #expect(report.arrivals == ["MWr bar0+0x1008", "MWr bar0+0x100c", "MWr bar0+0x24", "MRd bar0+0x1c", "MWr bar0+0x1010"])
        #expect(report.hazards.isEmpty)
    }

    /// Normal-NC accesses to the same peripheral with no barrier may arrive in either order: the
    /// adversarial schedule reverses them (and reports it); in-order never does.
    @Test func reorderableTypesMayArriveInEitherOrder() throws {
        let trace = Harness.header(guest: "normal-nc") + """
            10 vcpu0 write bar0+0x1000 4 0x1
            11 vcpu0 write bar0+0x1040 4 0x2
            20 vcpu0 dsb sy
            """
        let inOrder = try Harness.replay(text: trace, schedule: .inOrder)
        #expect(inOrder.arrivals == ["MWr bar0+0x1000", "MWr bar0+0x1040"])
        let adversarial = try Harness.replay(text: trace, schedule: .adversarial)
        #expect(adversarial.arrivals == ["MWr bar0+0x1040", "MWr bar0+0x1000"])
        #expect(adversarial.hazards.map(\.kind) == [.outOfOrder])
    }

    /// A DMB between two Normal-NC writes orders them, under every schedule.
    @Test(arguments: schedules)
    func barrierOrdersReorderableAccesses(schedule: Schedule) throws {
        let trace = Harness.header(guest: "normal-nc") + """
            10 vcpu0 write bar0+0x1000 4 0x1
            11 vcpu0 dmb oshst
            12 vcpu0 write bar0+0x1040 4 0x2
            20 vcpu0 dsb sy
            """
        let report = try Harness.replay(text: trace, schedule: schedule)
        #expect(report.arrivals == ["MWr bar0+0x1000", "MWr bar0+0x1040"])
        #expect(report.hazards.isEmpty)
    }

    /// Accesses to different peripherals are not ordered by the rules: without a barrier the
    /// adversarial schedule lets the later one (to another device) arrive first.
    @Test func differentPeripheralsAreNotOrdered() throws {
        let trace = Harness.header(guest: "normal-nc") + """
            10 vcpu0 write bar0+0x1000 4 0x1
            11 vcpu0 write nicregs+0x3818 4 0x2
            20 vcpu0 dsb sy
            """
        let report = try Harness.replay(text: trace, schedule: .adversarial)
        let times = report.observations(.memoryWrite).map { ($0.device, $0.timePs) }
        #expect(times.map(\.0) == ["nic0", "nvme0"])
        // Per peripheral, each sees its single write: no out-of-order hazard for either device.
        #expect(report.hazards.isEmpty)
    }

    /// Gathering: same or adjacent bytes of one line merge into one write; a barrier between
    /// them prevents it; Device-nGnRE never merges.
    @Test func gatheringMergesWithinALineUntilABarrier() throws {
        let stores = """
            10 vcpu0 write wc+0x0 4 0x11111111
            11 vcpu0 write wc+0x4 4 0x22222222
            12 vcpu0 write wc+0x4 4 0x33333333
            """
        let merged = try Harness.replay(text: Harness.header(guest: "normal-nc") + stores + "\n20 vcpu0 dsb sy\n")
        #expect(merged.observations(.memoryWrite).map { ($0.size, $0.value, $0.accesses) }.elementsEqual([(8, "0x3333333311111111", 3)], by: ==))
        let fenced = try Harness.replay(text: Harness.header(guest: "normal-nc") + """
            10 vcpu0 write wc+0x0 4 0x11111111
            11 vcpu0 dmb oshst
            12 vcpu0 write wc+0x4 4 0x22222222
            20 vcpu0 dsb sy
            """)
        #expect(fenced.observations(.memoryWrite).map(\.size) == [4, 4])
        let device = try Harness.replay(text: Harness.header(guest: "normal-nc") + stores + "\n20 vcpu0 dsb sy\n", policy: "kvm-device")
        #expect(device.observations(.memoryWrite).map(\.size) == [4, 4, 4])
    }

    /// A merged write whose size the device does not accept is a merged-size hazard.
    @Test func mergedSizeTheDeviceRejects() throws {
        let trace = Harness.header(guest: "normal-nc") + """
            10 vcpu0 write bar0+0x1000 4 0x1
            11 vcpu0 write bar0+0x1004 4 0x2
            20 vcpu0 dsb sy
            """
        let report = try Harness.replay(text: trace)
        #expect(report.observations(.memoryWrite).map(\.outcome.description) == ["CA"])
        #expect(report.hazards.map(\.kind) == [.mergedSize])
    }

    /// A DSB waits for completion: an nGnRE write is complete at the serialisation point, an
    /// nGnRnE one only when the root complex has ordered it onto the link, so the write after
    /// the DSB leaves later.
    @Test func dsbWaitsForEachTypesCompletionPoint() throws {
        func secondArrival(_ type: String, _ policy: String) throws -> UInt64 {
            let trace = Harness.header(guest: type) + """
                10 vcpu0 write bar0+0x1008 4 0x1
                11 vcpu0 dsb sy
                12 vcpu0 write nicregs+0x3818 4 0x2
                """
            let report = try Harness.replay(text: trace, policy: policy)
            return try #require(report.observations(.memoryWrite).first { $0.device == "nic0" }).timePs
        }
        let early = try secondArrival("device-ngnre", "kvm-device")
        let late = try secondArrival("device-ngnre", "strict-ngnrne")
        let timing = Harness.platform("quiet-pcie").transport.latency
        // The nGnRnE acknowledgement comes from the root complex: the extra path there and back.
        let extra = UInt64(timing.serialisationPointToRootComplex + timing.completionToCore - timing.coreToSerialisationPoint) * 1000
        #expect(late - early == extra)
    }

    /// Unmap + TLBI + DSB forces the guest's buffered writes through that mapping to complete:
    /// the adversarial schedule holds a Normal-NC doorbell in the write buffer, and only the
    /// host's TLBI+DSB pushes it out before the FLR. Without the TLBI, the DSB alone (another
    /// core's barrier) does not, and the write lands after the reset.
    @Test func tlbiAndDSBForceGuestWritesToComplete() throws {
        let prefix = Harness.header(guest: "normal-nc") + "10 vcpu0 write bar0+0x1008 4 0x1\n20 vcpu0 exit\n30 host unmap bar0\n"
        let withTLBI = prefix + "40 host tlbi ipas2e1is bar0+0x0\n50 host dsb ish\n60 host reset flr nvme0\n"
        let withoutTLBI = prefix + "50 host dsb ish\n60 host reset flr nvme0\n"
        let forced = try Harness.replay(text: withTLBI, schedule: .adversarial)
        #expect(forced.observations(.memoryWrite).first?.afterReset == false)
        let unforced = try Harness.replay(text: withoutTLBI, schedule: .adversarial)
        #expect(unforced.observations(.memoryWrite).first?.afterReset == true)
    }

    /// A guest access after the host removed the region from stage 2 faults and never arrives.
    @Test func accessAfterUnmapIsAStageTwoFault() throws {
        let trace = Harness.header(guest: "device-ngnre") + "10 host unmap bar0\n20 vcpu0 write bar0+0x1008 4 0x1\n"
        let report = try Harness.replay(text: trace)
        #expect(report.observations(.memoryWrite).isEmpty)
        #expect(report.hazards.map(\.kind) == [.stage2Fault])
    }

    /// Normal mappings may be read speculatively: the adversarial schedule reads the NIC's
    /// read-to-clear interrupt cause register, which is a hazard; Device mappings never.
    @Test func speculativeReadsOfReadSensitiveRegisters() throws {
        let trace = Harness.header(guest: "normal-nc") + "10 vcpu0 read nicregs+0x8 4\n"
        let normal = try Harness.replay(text: trace, schedule: .adversarial)
        #expect(normal.hazards.contains { $0.kind == .speculativeReadSensitive && $0.offset == 0xc0 })
        #expect(normal.observations(.speculativeRead).contains { $0.offset == 0xc0 })
        let device = try Harness.replay(text: trace, policy: "kvm-device", schedule: .adversarial)
        #expect(device.hazards.isEmpty)
        let inOrder = try Harness.replay(text: trace, schedule: .inOrder)
        #expect(inOrder.hazards.isEmpty)
    }
}

extension Schedule: CustomTestStringConvertible {
    public var testDescription: String {
        if case .random(let seed) = self { return "random(\(seed))" }
        return name
    }
}
