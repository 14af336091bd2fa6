import Diagnostics
import Faults
import MMIOTrace
import Testing
@testable import ReplayEngine

/// Injected faults through the whole engine: every kind reaches a verdict with evidence.
@Suite struct FaultInjectionTests {
    /// A guest that writes a doorbell, reads a status register and exits; the VMM reads config.
    static let trace = Harness.header(guest: "device-ngnre") + """
        100 vcpu0 write bar0+0x1008 4 0x1
        200 vcpu0 read bar0+0x1c 4
        300 vmm cfg-read nvme0 0x0 4
        5000 vcpu0 exit
        """

    static func fault(_ text: String) throws -> Fault {
        try Fault.parse(text, location: SourceLocation(file: "test", line: 1, column: 1))
    }

    static func verdicts(_ faults: [String], platform: String = "ras-sbsa") throws -> [VerdictReport] {
        let report = try Replay.run(MTraceReader(text: trace), policy: Harness.policy("kvm-device"), platform: Harness.platform(platform),
                                    options: ReplayOptions(faults: try faults.map(fault)))
        return report.verdicts.filter { $0.origin != .hazard }
    }

    /// Each kind on a request it applies to, and the verdict docs/domain.md §3–§4 gives on ras-sbsa
    /// (SLVERR, UR→DECERR; imprecise Device loads with UC; native AER; undeliverable writes
    /// dropped).
    @Test(arguments: [
        ("UR at bar0+0x1c read", "host-panic"),
        ("CA at bar0+0x1c read", "host-panic"),
        ("UR at bar0+0x1008 write", "host-handled"),
        ("CA at bar0+0x1008 write", "host-handled"),
        ("poisoned-completion at bar0+0x1c read", "host-panic"),
        ("poisoned-write at bar0+0x1008 write", "host-handled"),
        ("completion-timeout at bar0+0x1c read", "host-panic"),
        ("ECRC at bar0+0x1008 write", "host-handled"),
        ("malformed at bar0+0x1008 write", "host-handled"),
        ("malformed at bar0+0x1c read", "host-panic"),
        ("unexpected-completion at bar0+0x1c read", "host-handled"),
        ("link-down at bar0+0x1008 write for 50ns", "guest-silent"),
        ("DPC at bar0+0x1c read for 50ns", "host-panic"),
        ("decode-miss at bar0+0x1c read", "host-panic"),
        ("correctable at bar0+0x1008 write", "none"),
        ("UR at cfg nvme0 cfg-read", "host-panic"),
    ])
    func everyKindReachesAVerdict(spec: String, expected: String) throws {
        let found = try Self.verdicts([spec])
        #expect(found.count == 1, "\(spec): \(found.map(\.verdict))")
        let verdict = try #require(found.first)
        #expect(verdict.fault == (try Self.fault(spec)).description)
        #expect(verdict.origin == .injected)
        #expect(verdict.verdict.name == expected, "\(spec): \(verdict.chain)")
        #expect(verdict.chain.hasPrefix(spec.contains("cfg") ? "R 4 @cfg nvme0" : spec.contains("write") ? "W 4 @bar0+0x1008" : "R 4 @bar0+0x1c"))
    }

    /// On quiet-pcie reads with errors return all-ones: the guest consumes fabricated data.
    @Test func quietPlatformsFabricateData() throws {
        #expect(try Self.verdicts(["CA at bar0+0x1c read"], platform: "quiet-pcie").map(\.verdict.name) == ["guest-silent"])
    }

    /// A fault whose site never occurs is reported `not-fired`, not `none`.
    @Test func faultsThatNeverFireSaySo() throws {
        let found = try Self.verdicts(["CA at bar0+0x900 read", "UR at nic0 write", "UR at event 99"])
        #expect(found.map(\.verdict.name) == ["not-fired", "not-fired", "not-fired"])
    }

    /// Event and time sites: the 2nd event's transaction (the read); a link outage at a time.
    @Test func eventAndTimeSites() throws {
        #expect(try Self.verdicts(["CA at event 2"]).map(\.verdict.name) == ["host-panic"])
        // Down from 150 ns for 10 µs: the doorbell is dropped, the guest's read and the VMM's
        // config read are completed with UR by DPC (DECERR on ras-sbsa).
        let outage = try Self.verdicts(["link-down at 150ns for 10us"])
        #expect(outage.map(\.verdict.name).sorted() == ["guest-silent", "host-panic", "host-panic"])
        #expect(try Self.verdicts(["link-down at 1ms for 1us"]).map(\.verdict.name) == ["none"])
    }

    /// `every` fires on each match; the most severe verdict per fault is what a matrix shows.
    @Test func everyOccurrence() throws {
        let trace = Harness.header(guest: "device-ngnre") + "100 vcpu0 write bar0+0x1008 4 0x1\n200 vcpu0 write bar0+0x1008 4 0x2\n"
        let report = try Replay.run(MTraceReader(text: trace), policy: Harness.policy("kvm-device"), platform: Harness.platform("ras-sbsa"),
                                    options: ReplayOptions(faults: [try Self.fault("UR at bar0+0x1008 write every")]))
        #expect(report.verdicts.map(\.verdict.name) == ["host-handled", "host-handled"])
        #expect(report.verdictCounts.nonZero.map { "\($0.kind)=\($0.count)" } == ["host-handled=2"])
    }
}
