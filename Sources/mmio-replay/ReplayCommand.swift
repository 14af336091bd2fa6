import ArgumentParser
import ArmMemory
import Diagnostics
import DeviceModels
import Foundation
import MMIOTrace
import Platforms
import ReplayEngine

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a trace against the write path, interconnect, root complex, link and device models.",
        discussion: """
            For each (policy, platform) pair: a summary (events, TLPs by type, link bytes, simulated
            time, write-combining ratio), the driver hazards, and the device view (what arrived at
            each device, when, and what the device answered). Several pairs also print a
            side-by-side summary. Schedules: in-order, adversarial, random (with --seed); see
            docs/schedules.md.

            Examples:
              mmio-replay replay traces/scenarios/write-combining.mtrace --policy kvm-device --policy kvm-normal-nc
              mmio-replay replay traces/scenarios/reclaim-after-writes.mtrace --platform split-ecam --schedule adversarial --json
            """
    )

    @Argument(help: "The trace to replay (.mtrace).")
    var trace: String

    @Option(name: .long, help: "An attribute policy name or YAML file (repeatable; default kvm-normal-nc).")
    var policy: [String] = []

    @Option(name: .long, help: "A platform profile name or YAML file (repeatable; default quiet-pcie).")
    var platform: [String] = []

    @Option(help: "in-order, adversarial or random.")
    var schedule: String = "in-order"

    @Option(help: "The seed of the random schedule (recorded in the output).")
    var seed: UInt64 = 1

    @Option(name: .customLong("s1"), help: "REGION=TYPE: the guests' stage-1 type for a region, replacing the trace's (repeatable).")
    var stage1: [String] = []

    @Option(name: .customLong("device-model"), help: "A device model YAML file (repeatable); traces name models by `model=`.")
    var deviceModels: [String] = []

    @Option(help: "How many device observations to list per pair (the rest are counted).")
    var deviceViewLimit: Int = 10_000

    @Flag(help: "Print JSON: one object per (policy, platform) pair.")
    var json = false

    func validate() throws {
        guard Schedule(name: schedule, seed: seed) != nil else {
            throw ValidationError("expected a schedule (\(Schedule.names.joined(separator: ", "))), found '\(schedule)'"
                + (Suggestion.closest(to: schedule, among: Schedule.names).map { "; did you mean '\($0)'?" } ?? ""))
        }
        guard deviceViewLimit >= 0 else { throw ValidationError("--device-view-limit must be at least 0") }
        _ = try guestStage1()
    }

    /// The `--s1 REGION=TYPE` overrides.
    private func guestStage1() throws -> [String: MemoryType] {
        var overrides: [String: MemoryType] = [:]
        for item in stage1 {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            let names = MemoryType.allCases.map(\.name)
            guard parts.count == 2, !parts[0].isEmpty else {
                throw ValidationError("expected --s1 REGION=TYPE, found '\(item)'")
            }
            guard let type = MemoryType(name: parts[1]) else {
                throw ValidationError("expected a memory type (\(names.joined(separator: ", "))) after '\(parts[0])=', found '\(parts[1])'"
                    + (Suggestion.closest(to: parts[1], among: names).map { "; did you mean '\($0)'?" } ?? ""))
            }
            overrides[parts[0]] = type
        }
        return overrides
    }

    func run() throws {
        let policies = try resolvePolicies(policy.isEmpty ? ["kvm-normal-nc"] : policy)
        let platforms = try resolvePlatforms(platform.isEmpty ? ["quiet-pcie"] : platform)
        let models = try resolveDeviceModels(deviceModels)
        let options = ReplayOptions(schedule: Schedule(name: schedule, seed: seed)!, deviceViewLimit: deviceViewLimit,
                                    guestStage1: try guestStage1())
        try reportingErrors {
            var reports: [ReplayReport] = []
            for policy in policies {
                for platform in platforms {
                    reports.append(try Replay.run(MTraceReader(path: trace), policy: policy, platform: platform, models: models, options: options))
                }
            }
            print(json ? try jsonText(reports) : ReplayText.render(reports, trace: trace), terminator: json ? "\n" : "")
        }
    }
}
