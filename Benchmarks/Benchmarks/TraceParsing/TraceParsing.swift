import Benchmark
import Foundation
import MMIOTrace
import Platforms
import ReplayEngine
import ArmMemory
import TraceSynthesis

/// `.mtrace` parsing and replay throughput on a generated 5-million-event trace, with `wc -l` on the same
/// file measured in the same run as the baseline (the target: within 4x of `wc -l`).
///
/// The trace is generated once per machine (same seed, so the same bytes everywhere) into the
/// system's temporary directory and reused.
let benchmarks: @Sendable () -> Void = {
    let events = 5_000_000
    let path = NSTemporaryDirectory() + "mmio-replay-bench-mixed-\(events)-seed1.mtrace"

    func ensureTrace() throws {
        if FileManager.default.fileExists(atPath: path) { return }
        let generator = WorkloadGenerator(workload: .mixed, events: events, seed: 1)
        let writer = try MTraceWriter(path: path + ".partial", topology: generator.topology)
        for event in generator { try writer.write(event) }
        try writer.flush()
        try FileManager.default.moveItem(atPath: path + ".partial", toPath: path)
    }

    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .peakMemoryResident],
        timeUnits: .milliseconds,
        warmupIterations: 1,
        scalingFactor: .one,
        maxDuration: .seconds(20),
        maxIterations: 7
    )

    Benchmark("wc -l (baseline, same file)", configuration: .init(setup: { try ensureTrace() })) { benchmark in
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/wc")
        process.arguments = ["-l", path]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
    }

    Benchmark("mtrace parse 5M events", configuration: .init(setup: { try ensureTrace() })) { benchmark in
        let reader = try MTraceReader(path: path)
        var count = 0
        while let event = try reader.next() {
            blackHole(event)
            count += 1
        }
        precondition(count == events)
    }

    Benchmark("mtrace parse + inspect summary 5M events", configuration: .init(setup: { try ensureTrace() })) { benchmark in
        blackHole(try TraceSummary.of(MTraceReader(path: path)))
    }

    // Replay throughput (issue: >= 5 M events/s per core in-order), against "mtrace parse 5M
    // events" above as the parse-only baseline of the same run. No device view is kept, so
    // memory must stay flat whatever the trace length.
    for (label, schedule) in [("in-order", Schedule.inOrder), ("adversarial", Schedule.adversarial)] {
        Benchmark("replay 5M events \(label)", configuration: .init(maxIterations: 3, setup: { try ensureTrace() })) { benchmark in
            let report = try Replay.run(MTraceReader(path: path), policy: AttributePolicy.builtIn(named: "kvm-normal-nc")!,
                                        platform: PlatformProfile.builtIn(named: "quiet-pcie")!,
                                        options: ReplayOptions(schedule: schedule, deviceViewLimit: 0, hazardLimit: 100))
            precondition(report.summary.events == events)
            blackHole(report)
        }
    }

    Benchmark("generate + write 1M events", configuration: .init(maxIterations: 5)) { benchmark in
        let generator = WorkloadGenerator(workload: .mixed, events: 1_000_000, seed: 1)
        let writer = try MTraceWriter(path: "/dev/null", topology: generator.topology)
        for event in generator { try writer.write(event) }
        try writer.flush()
    }
}
