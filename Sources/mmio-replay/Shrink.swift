import ArgumentParser
import ArmMemory
import Diagnostics
import Faults
import Foundation
import MMIOTrace
import ReplayEngine
import Shrinking
import Verdicts

struct Shrink: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Cut a trace down to the fewest events that still give a verdict, as a .mtrace.",
        discussion: """
            Delta debugging over the trace's events (docs/shrink.md): every candidate is the whole
            topology header with a subset of the events, replayed as `replay` would replay the
            written file (its faults, models learned from the candidate for devices with no other).
            The result is 1-minimal: removing any one of its events loses the verdict. The --fault
            values are written into the output as `fault` lines, so the output reproduces the
            verdict on its own; its header comment says how it was made. Reports events before and
            after, candidates replayed and the time, on standard error. Exit status 1 when the
            whole trace does not give the verdict.

            Examples:
              mmio-replay shrink traces/scenarios/reclaim-after-writes.mtrace --platform split-ecam --schedule adversarial \\
                  --verdict post-reclaim-write -o reclaim-min.mtrace
              mmio-replay shrink capture.mmiotrace --map capture.yaml --platform ras-sbsa --fault 'CA at nvme0-bar0+0x1c read #3' \\
                  --verdict host-panic -o min.mtrace
            """
    )

    @Argument(help: "The trace or capture (any supported format).")
    var trace: String

    @OptionGroup var input: TraceInputOptions

    @Option(help: "An attribute policy name or YAML file, or a kernel policy linux-VERSION.", completion: .custom(policyCompletions))
    var policy = "kvm-normal-nc"

    @Option(help: "A platform profile name or YAML file.", completion: .custom(platformCompletions))
    var platform = "quiet-pcie"

    @Option(help: "The schedule (random: with --seed).")
    var schedule: ShrinkSchedule = .inOrder

    @Option(help: "The seed of the random schedule.")
    var seed: UInt64 = 1

    @Option(name: .customLong("fault"), help: "A fault to inject (repeatable; docs/faults.md).")
    var faultSpecs: [String] = []

    @Option(name: .customLong("device-model"), help: "A device model YAML file (repeatable).")
    var deviceModels: [String] = []

    @Option(help: "The verdict to keep.")
    var verdict: Verdict

    @Option(name: .shortAndLong, help: "The .mtrace to write.")
    var output: String

    func validate() throws {
        guard trace != "-" else { throw ValidationError("shrink reads its trace many times: give a file, not standard input") }
    }

    func run() throws {
        let policy = try resolvePolicies([policy])[0]
        let platform = try resolvePlatforms([platform])[0]
        let models = try resolveDeviceModels(deviceModels)
        let faults = try parseFaults(faultSpecs)
        try reportingErrors {
            let loaded = try LoadedTrace(reading: input.open(trace), name: (trace as NSString).lastPathComponent)
            try checkFaultTargets(faults, in: loaded.topology)
            // The faults become the output's own `fault` lines, so candidates are replayed with them there.
            var topology = loaded.topology
            topology.directives += faults.map { TraceDirective(keyword: "fault", text: $0.description, location: SourceLocation(file: "--fault", line: 1, column: 1)) }
            let shrinker = Shrinker(topology: topology, policy: policy, platform: platform, models: models,
                                    options: ReplayOptions(schedule: Schedule(name: schedule.rawValue, seed: seed)!, deviceViewLimit: 0, hazardLimit: 0),
                                    verdict: verdict)
            let how = "policy \(policy.name), platform \(platform.name), schedule \(schedule.rawValue)\(schedule == .random ? " seed \(seed)" : ""), verdict \(verdict)"
                + (faults.isEmpty ? "" : ", faults as the fault lines below")
            try shrinkAndWrite(loaded.events, of: loaded.name, with: shrinker, how: how, to: output)
        }
    }
}

/// `shrink --schedule`: the schedules that give one execution (per seed).
enum ShrinkSchedule: String, ExpressibleByArgument, CaseIterable {
    case inOrder = "in-order"
    case adversarial
    case random
}

/// Shrinks `events` and writes the result to `output` with a header comment saying how it was
/// made; reports the reduction on standard error. Exit status 1 when the events do not give the verdict.
func shrinkAndWrite(_ events: [TraceEvent], of source: String, with shrinker: Shrinker, how: String, to output: String) throws {
    let clock = ContinuousClock()
    let start = clock.now
    let result: Shrinker.Result
    do {
        result = try shrinker.shrink(events)
    } catch let error as ShrinkError {
        printError("mmio-replay: error: \(error)")
        throw ExitCode(1)
    }
    let elapsed = clock.now - start
    let comment = "shrunk by mmio-replay shrink from \(source) (\(events.count) events) to \(result.events.count): \(how)"
    let writer = try MTraceWriter(path: output, topology: shrinker.topology, comment: comment)
    for event in result.events { try writer.write(event) }
    try writer.flush()
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    printError("shrink: \(events.count) → \(result.events.count) events (\(result.tests) candidates replayed, "
        + "\(String(format: "%.2f", seconds)) s): \(output)")
}
