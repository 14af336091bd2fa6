import DeviceModels
import Foundation
import Importers
import MMIOTrace
import ModelLearning
import Testing
@testable import ReplayEngine

/// A working driver on a working device gives no verdict: every real capture in
/// `traces/captures/` (x86 and arm64, filtered and full QEMU logs, nvme and e1000e, in-guest
/// mmiotrace) imports with no side file and replays fault-free with no verdict and no hazard,
/// its devices answered by built-in or learned models.
@Suite struct CapturesReplayCleanTests {
    static let captures: [String] = {
        let directory = Harness.packageRoot.appendingPathComponent("traces/captures")
        return (try? FileManager.default.contentsOfDirectory(atPath: directory.path))?.sorted()
            .filter { $0.hasSuffix(".log") || $0.hasSuffix(".mmiotrace") } ?? []
    }()

    @Test func theCapturesAreThere() {
        #expect(Self.captures.count >= 7, "\(Self.captures)")
        #expect(Self.captures.contains { $0.hasPrefix("arm64-") } && Self.captures.contains { $0.hasSuffix("-full.log") })
    }

    @Test(arguments: captures)
    func replaysCleanWithNoSideFile(_ capture: String) throws {
        let path = Harness.packageRoot.appendingPathComponent("traces/captures/" + capture).path
        let format = try CaptureFormat.detect(path: path)
        let trace = try LoadedTrace(reading: openTrace(path: path, format: format), name: capture)
        let models = try ModelLearner.learning(topology: trace.topology, events: trace.events).models(source: capture)
        for platform in ["quiet-pcie", "ras-sbsa"] {
            let report = try Replay.run(LoadedTraceSource(trace, position: 0), policy: Harness.policy("kvm-normal-nc"),
                                        platform: Harness.platform(platform), models: models)
            #expect(report.verdicts.isEmpty, "\(capture) \(platform): \(report.verdicts.prefix(3).map { "\($0.verdict.name) \($0.chain)" })")
            #expect(report.hazardCounts.total == 0, "\(capture) \(platform): \(report.hazards.prefix(3).map(\.detail))")
            #expect(report.summary.reads.compared > 0)
        }
    }
}
