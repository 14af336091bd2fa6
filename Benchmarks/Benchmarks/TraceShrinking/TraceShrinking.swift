import ArmMemory
import Benchmark
import Diagnostics
import Faults
import Foundation
import Importers
import MMIOTrace
import Platforms
import ReplayEngine
import Shrinking

/// `shrink` on a real capture (issue 16: an uncontained case in a 10,000-event capture to at
/// most 1% of its events within 30 s): the 9,674-event mmiotrace capture with CA injected at the
/// 50th read of the e1000e STATUS register, which ras-sbsa turns into a host panic, against one
/// replay of the whole capture as the baseline of the same run.
let benchmarks: @Sendable () -> Void = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let settings = try! CaptureSettings.resolve(root.appendingPathComponent("traces/captures/x86-q35-nvme-e1000e.yaml").path)
    let trace = try! LoadedTrace(reading: openTrace(path: root.appendingPathComponent("traces/captures/x86-q35-nvme-e1000e.mmiotrace").path,
                                                    format: .mmiotrace, settings: settings), name: "capture")
    var topology = trace.topology
    let location = SourceLocation(file: "benchmark", line: 1, column: 1)
    let fault = try! Fault.parse("CA at dev-02-00-0-bar0+0x8 read #50", location: location)
    topology.directives.append(TraceDirective(keyword: "fault", text: fault.description, location: location))
    let shrinker = Shrinker(topology: topology, policy: .kvmNormalNC, platform: PlatformProfile.builtIn(named: "ras-sbsa")!,
                            options: ReplayOptions(deviceViewLimit: 0, hazardLimit: 0), verdict: .hostPanic)

    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .peakMemoryResident], timeUnits: .milliseconds,
                                           warmupIterations: 1, scalingFactor: .one, maxDuration: .seconds(60), maxIterations: 3)

    Benchmark("baseline: one replay of the capture with the fault") { _ in
        let holds = try shrinker.holds(trace.events)
        precondition(holds)
    }
    Benchmark("shrink the capture to the host panic") { _ in
        let result = try shrinker.shrink(trace.events)
        precondition(result.events.count * 100 <= trace.events.count, "\(result.events.count) of \(trace.events.count) events kept")
        FileHandle.standardError.write(Data("shrink: \(trace.events.count) → \(result.events.count) events, \(result.tests) candidates\n".utf8))
    }
}
