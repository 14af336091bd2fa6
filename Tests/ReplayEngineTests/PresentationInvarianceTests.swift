import ArmMemory
import DeviceModels
import Foundation
import Importers
import MMIOTrace
import ModelLearning
import PCIeTransport
import Platforms
import Testing
import TraceSynthesis
import Verdicts
@testable import ReplayEngine

/// No display option changes a result: the verdicts (as a multiset of verdict, origin and site)
/// and the hazard counts are the same whatever the device-view and hazard limits, and whether a
/// timeline or a TLP observer watches the replay. Every scenario, every bundled capture and
/// generated traces, under every built-in policy, platform and schedule.
@Suite struct PresentationInvarianceTests {
    /// A replay's result, without its presentation.
    struct Result: Equatable, CustomStringConvertible {
        var verdicts: [String]
        var verdictCounts: VerdictCounts
        var hazardCounts: HazardCounts
        var summary: ReplaySummary

        init(_ report: ReplayReport) {
            verdicts = report.verdicts.map { v in "\(v.verdict.name) \(v.origin.rawValue) \(v.site)" }.sorted()
            verdictCounts = report.verdictCounts
            hazardCounts = report.hazardCounts
            summary = report.summary
        }

        var description: String { "\(verdictCounts.nonZero) \(hazardCounts.nonZero) \(verdicts.prefix(5))" }
    }

    /// The display options each input is replayed with, besides the defaults.
    struct Presentation: CustomStringConvertible, Sendable {
        var name: String
        var deviceViewLimit: Int
        var hazardLimit: Int
        var observed: Bool

        var description: String { name }

        static let all = [
            Presentation(name: "device view 1, hazards 1", deviceViewLimit: 1, hazardLimit: 1, observed: false),
            Presentation(name: "unbounded", deviceViewLimit: .max, hazardLimit: .max, observed: false),
            Presentation(name: "timeline and TLP observer, device view 0, hazards 0", deviceViewLimit: 0, hazardLimit: 0, observed: true),
        ]
    }

    /// Watches a replay and keeps nothing.
    final class NullObserver: TimelineObserver, TLPObserver {
        func record(_ entry: TimelineEntry) {}
        func observe(_ tlp: TLP, downstream: Bool, timePs: UInt64) {}
    }

    /// An input: a trace in memory.
    struct Input: CustomStringConvertible, Sendable {
        var name: String
        var trace: LoadedTrace
        /// Models learned for the devices that have no built-in model.
        var models: [DeviceModel] = []
        /// Real captures are long: they run under the policies that tell platforms apart.
        var isCapture = false
        var description: String { name }
    }

    static let platforms: [PlatformProfile] = PlatformProfile.builtIns
        + [try! PlatformProfile.resolve(Harness.packageRoot.appendingPathComponent("traces/scenarios/firmware-first-no-ras.yaml").path)]

    static let inputs: [Input] = {
        let root = Harness.packageRoot
        var inputs: [Input] = []
        let scenarios = root.appendingPathComponent("traces/scenarios")
        for file in try! FileManager.default.contentsOfDirectory(atPath: scenarios.path).sorted() where file.hasSuffix(".mtrace") {
            inputs.append(Input(name: file, trace: try! LoadedTrace(reading: MTraceReader(path: scenarios.appendingPathComponent(file).path), name: file)))
        }
        let captures = root.appendingPathComponent("traces/captures")
        for file in ["x86-q35-nvme.log", "x86-q35-nvme-e1000e.mmiotrace"] {
            let path = captures.appendingPathComponent(file).path
            let source = try! openTrace(path: path, format: try! CaptureFormat.detect(path: path))
            let trace = try! LoadedTrace(reading: source, name: file)
            let models = try! ModelLearner.learning(topology: trace.topology, events: trace.events).models(source: file)
            inputs.append(Input(name: file, trace: trace, models: models, isCapture: true))
        }
        for workload in [Workload.nvme, .nic, .mixed] {
            let generator = WorkloadGenerator(workload: workload, events: 1_500, seed: 11)
            inputs.append(Input(name: "generated \(workload)", trace: LoadedTrace(name: "generated", topology: generator.topology, events: Array(generator))))
        }
        return inputs
    }()

    static func replay(_ input: Input, _ policy: AttributePolicy, _ platform: PlatformProfile, _ schedule: Schedule,
                       _ presentation: Presentation?) throws -> ReplayReport {
        let options = presentation.map { ReplayOptions(schedule: schedule, deviceViewLimit: $0.deviceViewLimit, hazardLimit: $0.hazardLimit) }
            ?? ReplayOptions(schedule: schedule)
        let observer = presentation?.observed == true ? NullObserver() : nil
        return try Replay.run(LoadedTraceSource(input.trace, position: 0), policy: policy, platform: platform, models: input.models, options: options,
                              tlpObserver: observer, timeline: observer)
    }

    static let cases: [(Input, AttributePolicy)] = inputs.flatMap { input in
        (input.isCapture ? [.kvmDevice, .kvmNormalNC, .strictNGnRnE] : AttributePolicy.builtIns).map { (input, $0) }
    }

    @Test(arguments: cases)
    func resultsIgnorePresentation(_ input: Input, _ policy: AttributePolicy) throws {
        for platform in Self.platforms {
            for schedule in [Schedule.inOrder, .adversarial, .random(seed: 3)] {
                let reference = Result(try Self.replay(input, policy, platform, schedule, nil))
                for presentation in Presentation.all {
                    let result = Result(try Self.replay(input, policy, platform, schedule, presentation))
                    #expect(result == reference, "\(input) \(policy.name) \(platform.name) \(schedule.name): \(presentation) gave \(result), default \(reference)")
                }
            }
        }
    }

    /// The bug this suite guards against: the device model's own CA on a wrong-size read became
    /// an error only while the device view had room to list it.
    @Test func deviceErrorsSurviveAnEmptyDeviceView() throws {
        let input = Self.inputs.first { $0.name == "wrong-size-read.mtrace" }!
        let platform = PlatformProfile.builtIn(named: "ras-sbsa")!
        for limit in [0, 1, 10_000] {
            let report = try Self.replay(input, .kvmDevice, platform, .inOrder,
                                         Presentation(name: "\(limit)", deviceViewLimit: limit, hazardLimit: 0, observed: false))
            #expect(report.verdicts.filter { $0.origin == .device }.map(\.verdict) == [.hostPanic], "device view limit \(limit)")
        }
    }
}
