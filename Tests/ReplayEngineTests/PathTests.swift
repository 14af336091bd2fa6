import Testing
@testable import ReplayEngine

/// Ordering holds per path (docs/domain.md §3, §10 "paths and links"): each device has its own
/// path through the interconnect, so a read of device B does not push a write to device A.
@Suite struct PathTests {
    static let trace = Harness.header(guest: "device-ngnre") + """
        100 vcpu0 write bar0+0x1008 4 0x7
        110 vcpu0 read nicregs+0x8 4
        """

    @Test(arguments: ["quiet-pcie", "split-ecam"])
    func aReadOfAnotherDeviceDoesNotPushAWrite(platform: String) throws {
        let adversarial = try Harness.replay(text: Self.trace, policy: "kvm-device", platform: platform, schedule: .adversarial)
        let write = try #require(adversarial.observations(.memoryWrite).first { $0.device == "nvme0" })
        let read = try #require(adversarial.observations(.memoryRead).first { $0.device == "nic0" })
        #expect(read.timePs < write.timePs, "the E-acknowledged write to nvme0 may stay in its path while the nic0 read completes")

        let inOrder = try Harness.replay(text: Self.trace, policy: "kvm-device", platform: platform, schedule: .inOrder)
        let early = try #require(inOrder.observations(.memoryWrite).first { $0.device == "nvme0" })
        #expect(early.timePs < inOrder.observations(.memoryRead).first { $0.device == "nic0" }!.timePs)
    }

    /// On one device's path a read still pushes the earlier write (the PCIe ordering rule).
    @Test func aReadOfTheSameDevicePushesTheWrite() throws {
        let trace = Harness.header(guest: "device-ngnre") + "100 vcpu0 write bar0+0x1008 4 0x7\n110 vcpu0 read bar0+0x1c 4\n"
        let report = try Harness.replay(text: trace, policy: "kvm-device", platform: "quiet-pcie", schedule: .adversarial)
        #expect(report.arrivals == ["MWr bar0+0x1008", "MRd bar0+0x1c"])
    }
}

/// Arrival order is judged per CPU access, not per TLP (docs/domain.md §1): two Normal-NC writes
/// gathered into one line, drained as two TLPs in address order, arrive in reverse program order.
@Suite struct GatheredArrivalOrderTests {
    @Test func twoAccessesOfOneLineArriveReversed() throws {
        let trace = Harness.header(guest: "normal-nc") + """
            100 vcpu0 write wc+0x70 4 0x1
            110 vcpu0 write wc+0x40 4 0x2
            """
        let report = try Harness.replay(text: trace, policy: "kvm-normal-nc", platform: "quiet-pcie", schedule: .inOrder)
        let writes = report.observations(.memoryWrite)
        #expect(writes.map(\.offset) == [0x40, 0x70], "one gathered line, two TLPs in address order")
        #expect(writes.allSatisfy { $0.accesses == 2 })
        #expect(report.hazards.map(\.kind) == [.outOfOrder])
        #expect(report.hazards.first?.detail == "access #1 arrived after access #2 of the same agent")
    }

    /// In program order, the same two TLPs raise nothing.
    @Test func twoAccessesOfOneLineInOrder() throws {
        let trace = Harness.header(guest: "normal-nc") + """
            100 vcpu0 write wc+0x40 4 0x2
            110 vcpu0 write wc+0x70 4 0x1
            """
        let report = try Harness.replay(text: trace, policy: "kvm-normal-nc", platform: "quiet-pcie", schedule: .inOrder)
        #expect(report.observations(.memoryWrite).count == 2)
        #expect(report.hazards.isEmpty)
    }
}
