import Diagnostics
import Foundation
import MMIOTrace
import Testing
import TraceSynthesis
@testable import ReplayEngine

@Suite struct DeterminismTests {
    /// A generated trace with every event kind, as text.
    static let mixed: String = {
        let generator = WorkloadGenerator(workload: .mixed, events: 4000, seed: 5)
        let writer = MTraceWriter(topology: generator.topology)
        for event in generator { try! writer.write(event) }
        return writer.text
    }()

    static func json(_ report: ReplayReport) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(report)
    }

    /// Same trace, schedule and seed: byte-identical JSON, for every schedule.
    @Test(arguments: [Schedule.inOrder, .adversarial, .random(seed: 9)])
    func replaysAreByteIdentical(schedule: Schedule) throws {
        let a = try Harness.replay(text: Self.mixed, schedule: schedule)
        let b = try Harness.replay(text: Self.mixed, schedule: schedule)
        #expect(try Self.json(a) == Self.json(b))
        #expect(a.summary.events == 4000)
        #expect(a.summary.tlps[.MWr32] > 0)
    }

    /// The synthetic workloads drive only registers their device models implement: a replay
    /// has no device errors, so benchmarks measure the write path, not error handling.
    @Test(arguments: ["kvm-device", "kvm-normal-nc"])
    func generatedWorkloadsReplayWithoutErrors(policy: String) throws {
        let report = try Harness.replay(text: Self.mixed, policy: policy)
        #expect(report.verdicts.isEmpty, "\(report.verdicts.prefix(3).map(\.chain))")
        #expect(report.deviceView.allSatisfy { ["accepted", "SC", "ready"].contains($0.outcome.description) })
    }

    /// The random schedule depends on its seed (and records it).
    @Test func randomScheduleFollowsItsSeed() throws {
        let a = try Harness.replay(text: Self.mixed, schedule: .random(seed: 1))
        let b = try Harness.replay(text: Self.mixed, schedule: .random(seed: 2))
        #expect(a.seed == 1 && b.seed == 2)
        #expect(a.deviceView != b.deviceView)
    }

    /// A copy of the simulation taken mid-run continues exactly as the original: the state is
    /// a value (what campaigns fork from).
    @Test(arguments: [Schedule.inOrder, .adversarial])
    func aSnapshotContinuesIdentically(schedule: Schedule) throws {
        let reader = try MTraceReader(text: Self.mixed)
        var original = try Replay.makeSimulation(topology: reader.topology, policy: Harness.policy("kvm-normal-nc"),
                                                 platform: Harness.platform("split-ecam"), models: [],
                                                 options: ReplayOptions(schedule: schedule))
        try original.run(reader, until: SimTime(nanoseconds: 2_000_000))
        var copy = original
        // The copy needs its own input, at the same position.
        let copyReader = try MTraceReader(text: Self.mixed)
        for _ in 0..<(copy.report.summary.events + (copy.lookahead == nil ? 0 : 1)) { _ = try copyReader.next() }
        try original.run(reader)
        try copy.run(copyReader)
        #expect(original.report.summary.events == 4000)
        #expect(try Self.json(original.report) == Self.json(copy.report))
    }
}

/// A trace time the replay cannot represent is a located error, never a wrap (which used to
/// schedule the event in the past and spin forever).
@Suite struct TimeRangeTests {
    @Test(arguments: [SimTime.latestEventNanoseconds + 1, 18_446_744_073_709_550, UInt64.max])
    func eventTimesBeyondTheRangeAreLocatedErrors(ns: UInt64) throws {
        let trace = Harness.header(guest: "device-ngnre") + "100 vcpu0 write bar0+0x1008 4 0x7\n\(ns) vcpu0 read bar0+0x1c 4\n"
        let error = #expect(throws: InputError.self) { try Harness.replay(text: trace) }
        #expect(error?.description.contains(":1: error: expected an event time of at most") == true, "\(error?.description ?? "")")
    }

    @Test func theLatestEventTimeReplays() throws {
        let trace = Harness.header(guest: "device-ngnre") + "\(SimTime.latestEventNanoseconds) vcpu0 read bar0+0x1c 4\n"
        let report = try Harness.replay(text: trace)
        #expect(report.summary.events == 1 && report.observations(.memoryRead).count == 1)
    }
}
