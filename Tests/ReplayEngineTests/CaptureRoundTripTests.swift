import Foundation
import Importers
import MMIOTrace
import ModelLearning
import Testing
@testable import ReplayEngine

/// Every importer's output survives `convert` (docs/importers.md): a capture written as `.mtrace`
/// is read back by the trace format's own reader and replays to the same results as the capture
/// itself, under the policies and platforms that tell results apart.
@Suite struct CaptureRoundTripTests {
    static let captures: [String] = [
        "traces/captures/x86-q35-nvme.log",
        "traces/captures/x86-q35-nvme-e1000e.mmiotrace",
        "traces/captures/arm64-virt-nvme.log",
        "traces/captures/x86-q35-full.log",
        "Tests/ImportersTests/Fixtures/ftrace/kvm-mmio.ftrace",
        "Tests/ImportersTests/Fixtures/ftrace/kvm-mmio.trace-cmd",
        "Tests/ImportersTests/Fixtures/qemu/vfio.log",
        "Tests/ImportersTests/Fixtures/qemu/prefix-pid.log",
    ]

    static func open(_ path: String) throws -> any TraceEventSource {
        let full = Harness.packageRoot.appendingPathComponent(path).path
        return try openTrace(path: full, format: try CaptureFormat.detect(path: full))
    }

    @Test(arguments: captures)
    func convertedCapturesReadBackAndReplayTheSame(_ capture: String) throws {
        let source = try Self.open(capture)
        let writer = MTraceWriter(topology: source.topology)
        while let event = try source.next() { try writer.write(event) }
        let text = writer.text
        let readBack = try LoadedTrace(reading: MTraceReader(text: text), name: capture)
        #expect(readBack.topology.devices == source.topology.devices && readBack.topology.regions == source.topology.regions)
        // Devices with no built-in model learn theirs from either form alike.
        let models = try ModelLearner.learning(from: Self.open(capture)).models(source: capture)
        #expect(try ModelLearner.learning(from: MTraceReader(text: text)).models(source: capture) == models)
        for policy in ["kvm-device", "kvm-normal-nc"] {
            for platform in ["quiet-pcie", "ras-sbsa"] {
                let direct = try Replay.run(Self.open(capture), policy: Harness.policy(policy), platform: Harness.platform(platform), models: models)
                let converted = try Replay.run(MTraceReader(text: text), policy: Harness.policy(policy), platform: Harness.platform(platform), models: models)
                #expect(PresentationInvarianceTests.Result(direct) == PresentationInvarianceTests.Result(converted), "\(capture) \(policy) \(platform)")
            }
        }
    }
}
