import ArmMemory
import Benchmark
import Foundation
import MMIOTrace
import Platforms
import ReplayEngine
import TraceSynthesis

/// The explorer (docs/explore.md): every catalogue scenario explored completely under three
/// policies and four platforms, against the same replays under the in-order schedule as the
/// baseline measured in the same run; and a 64-event window of a generated mixed trace explored
/// to two deviations from in-order and adversarial.
let benchmarks: @Sendable () -> Void = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let directory = root.appendingPathComponent("traces/scenarios")
    let scenarios: [LoadedTrace] = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
        .filter { $0.hasSuffix(".mtrace") }
        .map { try! LoadedTrace(reading: MTraceReader(path: directory.appendingPathComponent($0).path), name: $0) }
    let policies = ["kvm-device", "kvm-normal-nc", "strict-ngnrne"].map { AttributePolicy.builtIn(named: $0)! }
    let platforms = ["quiet-pcie", "ras-sbsa", "split-ecam", "platform-device"].map { PlatformProfile.builtIn(named: $0)! }
    let generator = WorkloadGenerator(workload: .mixed, events: 400, seed: 7)
    let mixed = LoadedTrace(name: "mixed", topology: generator.topology, events: Array(generator))

    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .peakMemoryResident], timeUnits: .milliseconds,
                                           warmupIterations: 1, scalingFactor: .one, maxDuration: .seconds(30), maxIterations: 5)

    Benchmark("baseline: catalogue, in-order replay, 3 policies x 4 platforms") { benchmark in
        for trace in scenarios {
            for policy in policies {
                for platform in platforms {
                    blackHole(try Explorer(trace: trace, policy: policy, platform: platform, bounds: ExploreBounds(maxExecutions: 1)).run())
                }
            }
        }
    }

    Benchmark("explore: catalogue, complete, 3 policies x 4 platforms") { benchmark in
        var executions = 0
        for trace in scenarios {
            for policy in policies {
                for platform in platforms {
                    let result = try Explorer(trace: trace, policy: policy, platform: platform).run()
                    precondition(result.explore.complete, "\(trace.name) \(policy.name) \(platform.name) incomplete")
                    executions += result.explore.executions
                }
            }
        }
        FileHandle.standardError.write(Data("catalogue: \(executions) executions\n".utf8))
    }

    Benchmark("explore: mixed trace, events 100-163, up to 2 deviations") { benchmark in
        let result = try Explorer(trace: mixed, policy: policies[1], platform: platforms[2],
                                  bounds: ExploreBounds(maxExecutions: 100_000, maxDeviations: 2, window: 100...163)).run()
        FileHandle.standardError.write(Data("mixed window: \(result.explore.executions) executions, \(result.explore.choicePoints) choice points\n".utf8))
    }
}
