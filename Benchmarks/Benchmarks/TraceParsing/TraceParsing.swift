import Benchmark
import Foundation
import MMIOTrace
import TraceSynthesis

/// `.mtrace` parsing throughput on a generated 5-million-event trace, with `wc -l` on the same
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

    Benchmark("generate + write 1M events", configuration: .init(maxIterations: 5)) { benchmark in
        let generator = WorkloadGenerator(workload: .mixed, events: 1_000_000, seed: 1)
        let writer = try MTraceWriter(path: "/dev/null", topology: generator.topology)
        for event in generator { try writer.write(event) }
        try writer.flush()
    }
}
