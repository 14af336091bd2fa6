import Benchmark
import CampaignStore
import Campaigns
import Foundation
import MMIOTrace
import TraceSynthesis

/// Campaign throughput (issue: ≥ 20,000 experiments/s on 2 cores with snapshots) on a generated
/// 100,000-event mixed trace, every-TLP fault sites (UR, CA, poisoned), 3 policies × 2
/// platforms. Each benchmark is a whole `campaign run` into a fresh database (golden runs and
/// database writes included); experiments/s = the experiments it prints / its wall-clock time.
/// The naive re-simulation of every experiment from the start is measured on a sparse subset
/// of the sites, with the snapshot path on the same subset as its baseline in the same run; the
/// every-4th campaign with two workers against the same with one.
let benchmarks: @Sendable () -> Void = {
    let events = 100_000
    let directory = NSTemporaryDirectory() + "mmio-replay-bench-campaign/"
    let trace = directory + "mixed-\(events)-seed1.mtrace"

    func ensureTrace() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if FileManager.default.fileExists(atPath: trace) { return }
        let generator = WorkloadGenerator(workload: .mixed, events: events, seed: 1)
        let writer = try MTraceWriter(path: trace + ".partial", topology: generator.topology)
        for event in generator { try writer.write(event) }
        try writer.flush()
        try FileManager.default.moveItem(atPath: trace + ".partial", toPath: trace)
    }

    /// A spec over the trace with this site selection.
    func spec(_ sites: String) throws -> CampaignSpec {
        let yaml = """
            campaign: bench
            traces: [\(trace)]
            policies: [kvm-device, kvm-normal-nc, strict-ngnrne]
            platforms: [quiet-pcie, ras-sbsa]
            faults:
              kinds: [UR, CA, poisoned]
              sites: \(sites)
            """
        return try CampaignSpec.load(yaml: yaml, file: directory + "bench.yaml")
    }

    /// Runs a campaign into a fresh database; prints what it ran.
    func run(_ label: String, _ sites: String, _ options: CampaignOptions) async throws {
        let db = directory + "\(label).db"
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + suffix) }
        let status = try await CampaignRunner.run(try spec(sites), store: try ResultStore(path: db), options: options)
        FileHandle.standardError.write(Data("\(label): \(status.experiments) experiments for \(status.weightedTotal) fault sites\n".utf8))
    }

    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .peakMemoryResident],
        timeUnits: .milliseconds,
        warmupIterations: 0,
        scalingFactor: .one,
        maxDuration: .seconds(60),
        maxIterations: 3
    )

    Benchmark("campaign 100k: every TLP, snapshots + early stop + pruning", configuration: .init(setup: { try ensureTrace() })) { _ in
        try await run("pruned", "every", CampaignOptions(jobs: 2))
    }
    Benchmark("campaign 100k: every 4th TLP, snapshots + early stop, no pruning", configuration: .init(setup: { try ensureTrace() })) { _ in
        try await run("unpruned", "{every: 4}", CampaignOptions(jobs: 2, pruning: false))
    }
    // The baseline of the issue's `--jobs 2` ≥ 1.7× `--jobs 1`, in the same run.
    Benchmark("campaign 100k: every 4th TLP, snapshots + early stop, no pruning, one worker", configuration: .init(setup: { try ensureTrace() })) { _ in
        try await run("unpruned-one-worker", "{every: 4}", CampaignOptions(jobs: 1, pruning: false))
    }
    Benchmark("campaign 100k: every 4000th TLP, snapshots + early stop, no pruning", configuration: .init(setup: { try ensureTrace() })) { _ in
        try await run("sparse-snapshots", "{every: 4000}", CampaignOptions(jobs: 2, pruning: false))
    }
    Benchmark("campaign 100k: every 4000th TLP, naive re-simulation to the end", configuration: .init(maxIterations: 1, setup: { try ensureTrace() })) { _ in
        try await run("sparse-naive", "{every: 4000}", CampaignOptions(jobs: 2, pruning: false, snapshots: false, earlyStop: false))
    }
}
