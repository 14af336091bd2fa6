import Diagnostics
import Faults
import MMIOTrace
import Testing
@testable import ReplayEngine

/// Surprise down and DPC end the non-posted requests the root complex already accepted
/// (docs/domain.md §3, §10 "paths and links"): a read on its way down, or whose completion is on
/// its way back, completes with UR or CA, never with data, whenever the outage starts.
@Suite struct LinkOutageTests {
    static let trace = Harness.header(guest: "device-ngnre") + "100 vcpu0 read bar0+0x1c 4\n"

    static func replay(_ fault: String, platform: String = "ras-sbsa") throws -> ReplayReport {
        let parsed = try Fault.parse(fault, location: SourceLocation(file: "test", line: 1, column: 1))
        return try Replay.run(MTraceReader(text: trace), policy: Harness.policy("kvm-device"), platform: Harness.platform(platform),
                              options: ReplayOptions(schedule: .inOrder, faults: [parsed]))
    }

    /// The read's timeline on ras-sbsa, from the replay without a fault: accepted by the root
    /// complex, at the device, completion back at the core.
    static func times() throws -> (atDevice: UInt64, completed: UInt64) {
        let report = try Harness.replay(text: trace, policy: "kvm-device", platform: "ras-sbsa")
        let read = try #require(report.observations(.memoryRead).first)
        return (read.timePs / 1000, report.summary.simulatedNs)
    }

    @Test(arguments: ["link-down", "DPC"])
    func requestsInFlightCompleteWithAnError(kind: String) throws {
        let (atDevice, completed) = try Self.times()
        #expect(atDevice > 300 && completed > atDevice + 10)
        // On the wire down (after the root complex accepted it), and at the device with its
        // completion on the way back.
        for start in [atDevice - 5, atDevice + 5, completed - 5] {
            let report = try Self.replay("\(kind) at \(start)ns")
            let verdicts = report.verdicts.filter { $0.origin == .injected }
            #expect(verdicts.count == 1, "\(kind) at \(start) ns: \(verdicts.map(\.chain))")
            let rules = verdicts.first?.evidence.map(\.rule) ?? []
            #expect(rules.contains(.dpcCompletion) || rules.contains(.linkDownUr), "\(kind) at \(start) ns: \(rules)")
            #expect(!rules.contains(.faultWithoutEffect))
            #expect(report.observations(.memoryRead).allSatisfy { $0.outcome.answer != .completion(.successful) || start > atDevice },
                    "a read cut on its way down never reaches the device")
        }
        // After the completion is back, the outage hits nothing.
        let late = try Self.replay("\(kind) at \(completed + 1_000)ns")
        #expect(late.verdicts.filter { $0.origin == .injected }.map(\.evidence.last?.rule) == [.faultWithoutEffect])
    }

    /// A write-back line split into several TLPs, one of which is lost at the root complex when
    /// the link goes down: the write is delivered only once every piece has ended, whatever the
    /// order (this crashed: the last piece ended first and the transaction was retired early).
    @Test(arguments: ["link-down", "DPC"])
    func aLineLosingOnePieceAtTheRootComplex(kind: String) throws {
        let fault = try Fault.parse("\(kind) at bar0+0x24 write #1", location: SourceLocation(file: "test", line: 1, column: 1))
        let report = try Replay.run(MTraceReader(path: Harness.packageRoot.appendingPathComponent("traces/nvme-doorbell.mtrace").path),
                                    policy: Harness.policy("fwb-force-wb"), platform: Harness.platform("quiet-pcie"),
                                    options: ReplayOptions(faults: [fault]))
        let injected = report.verdicts.filter { $0.origin == .injected }
        #expect(!injected.isEmpty && injected.allSatisfy { $0.fault == "\(kind) at bar0+0x24 write #1" })
        #expect(injected.contains { $0.verdict == .guestSilent }, "writes lost on the link: \(injected.map(\.chain))")
    }

    /// Each root port has its own link (docs/domain.md §10): a link-down below the NVMe's root
    /// port (bus 1) does not touch the NIC below another (bus 2).
    @Test(arguments: ["link-down", "DPC"])
    func anOutageStaysBelowItsRootPort(kind: String) throws {
        let trace = Harness.header(guest: "device-ngnre") + """
            100 vcpu0 write bar0+0x1008 4 0x7
            200 vcpu0 read nicregs+0x8 4
            300 vcpu0 read bar0+0x1c 4
            """
        let fault = try Fault.parse("\(kind) at bar0+0x1008 write", location: SourceLocation(file: "test", line: 1, column: 1))
        let report = try Replay.run(MTraceReader(text: trace), policy: Harness.policy("kvm-device"), platform: Harness.platform("ras-sbsa"),
                                    options: ReplayOptions(faults: [fault]))
        let nic = try #require(report.observations(.memoryRead).first { $0.device == "nic0" })
        #expect(nic.outcome.answer == .completion(.successful))
        #expect(report.observations(.memoryRead).allSatisfy { $0.device == "nic0" }, "the NVMe read never reaches its device")
        let injected = report.verdicts.filter { $0.origin == .injected }
        #expect(injected.count == 2, "the write and the later NVMe read: \(injected.map(\.chain))")
        #expect(injected.allSatisfy { $0.device == "nvme0" })
    }
}
