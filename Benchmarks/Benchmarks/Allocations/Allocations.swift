import ArmMemory
import Benchmark
import MMIOTrace
import Platforms
import ReplayEngine
import TraceSynthesis

/// Allocations in steady state (issue 17): `.mtrace` parsing and replay of a generated mixed
/// trace, counted by the benchmark's malloc interposer, each at two lengths. The cost per event
/// is the difference between the two divided by the events between them (what does not grow
/// with the trace — the topology, the tables — cancels out). Static thresholds in `Thresholds/`
/// (`make bench-allocations`) fail the run when a count grows.
let benchmarks: @Sendable () -> Void = {
    /// `events` generated mixed events (seed 1) as `.mtrace` text.
    func trace(_ events: Int) -> [UInt8] {
        let generator = WorkloadGenerator(workload: .mixed, events: events, seed: 1)
        let writer = MTraceWriter(topology: generator.topology)
        for event in generator { try! writer.write(event) }
        return Array(writer.text.utf8)
    }
    let policy = AttributePolicy.builtIn(named: "kvm-normal-nc")!
    let platform = PlatformProfile.builtIn(named: "quiet-pcie")!
    let options = ReplayOptions(deviceViewLimit: 0, hazardLimit: 0)

    // The warm-up iteration builds the trace; the static thresholds allow 5% more mallocs. Names
    // without spaces: the plugin writes thresholds files with spaces replaced but reads them back
    // by the name as it is.
    Benchmark.defaultConfiguration = .init(metrics: [.mallocCountTotal], timeUnits: .milliseconds,
                                           warmupIterations: 1, scalingFactor: .one, maxIterations: 3,
                                           thresholds: [.mallocCountTotal: .init(relative: [.p90: 5])])

    for events in [100_000, 400_000] {
        nonisolated(unsafe) var bytes: [UInt8]?
        Benchmark("parse-\(events)-events") { _ in
            bytes = bytes ?? trace(events)
            let reader = try MTraceReader(bytes: bytes!)
            while let event = try reader.next() { blackHole(event) }
        }
        Benchmark("replay-\(events)-events-in-order") { _ in
            bytes = bytes ?? trace(events)
            blackHole(try Replay.run(MTraceReader(bytes: bytes!), policy: policy, platform: platform, options: options))
        }
    }
}
