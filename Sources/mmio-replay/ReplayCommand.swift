import ArgumentParser
import ArmMemory
import DeviceModels
import Diagnostics
import Faults
import Foundation
import MMIOTrace
import Pcap
import PCIeTransport
import Platforms
import Timeline
import ReplayEngine

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a trace, inject errors, and decide whether the host survives them.",
        discussion: """
            For each (policy, platform) pair: the verdicts (one per injected fault, per error the
            device models answer on their own, per hazard that needs no fault), each with the chain
            of rules that produced it; a summary (events, TLPs by type, link bytes, simulated time,
            write-combining ratio); the driver hazards; and the device view (what arrived at each
            device, when, and what the device answered). Several pairs also print a side-by-side
            summary and the verdict matrix. Faults come from the trace's `fault` lines, --fault and
            --faults (docs/faults.md); schedules: in-order, adversarial, random with --seed
            (docs/schedules.md); verdicts: docs/verdicts.md.

            Examples:
              mmio-replay replay traces/scenarios/wrong-size-read.mtrace --platform quiet-pcie --platform ras-sbsa --platform no-ras
              mmio-replay replay traces/nvme-doorbell.mtrace --fault 'CA at bar0+0x1c read' --platform ras-sbsa
              mmio-replay replay traces/scenarios/reclaim-after-writes.mtrace --platform split-ecam --schedule adversarial --json
            """
    )

    @Argument(help: "The trace or capture to replay (any supported format).")
    var trace: String

    @OptionGroup var input: TraceInputOptions

    @Option(name: .long, help: "An attribute policy name or YAML file (repeatable; default kvm-normal-nc).")
    var policy: [String] = []

    @Option(name: .long, help: "A platform profile name or YAML file (repeatable; default quiet-pcie).")
    var platform: [String] = []

    @Option(help: "in-order, adversarial or random.")
    var schedule: String = "in-order"

    @Option(help: "The seed of the random schedule (recorded in the output).")
    var seed: UInt64 = 1

    @Option(name: .customLong("fault"), help: "A fault to inject, e.g. 'CA at bar0+0x44 read' (repeatable; docs/faults.md).")
    var faultSpecs: [String] = []

    @Option(name: .customLong("faults"), help: "A fault file: YAML (faults: [...]) or an aer-inject file (repeatable).")
    var faultFiles: [String] = []

    @Option(name: .customLong("s1"), help: "REGION=TYPE: the guests' stage-1 type for a region, replacing the trace's (repeatable).")
    var stage1: [String] = []

    @Option(name: .customLong("device-model"), help: "A device model YAML file (repeatable); traces name models by `model=`.")
    var deviceModels: [String] = []

    @Option(name: .customLong("tlp-pcap"), help: "Write every TLP that crossed the link to this pcap file (one policy and platform).")
    var tlpPcap: String?

    @Option(help: "Write the replay's timeline as Chrome trace-event JSON to this file, for Perfetto (one policy and platform).")
    var timeline: String?

    @Option(help: "How many device observations to list per pair (the rest are counted).")
    var deviceViewLimit: Int = 10_000

    @Option(help: "How many hazards to list per pair (the rest are counted by kind).")
    var hazardLimit: Int = 1_000

    @Option(help: "How many verdicts the text output lists per pair (the rest are counted; --json lists every one).")
    var verdictLimit: Int = 1_000

    @Flag(help: "Print JSON: one object per (policy, platform) pair.")
    var json = false

    func validate() throws {
        guard Schedule(name: schedule, seed: seed) != nil else {
            throw ValidationError("expected a schedule (\(Schedule.names.joined(separator: ", "))), found '\(schedule)'"
                + (Suggestion.closest(to: schedule, among: Schedule.names).map { "; did you mean '\($0)'?" } ?? ""))
        }
        for (option, limit) in [("--device-view-limit", deviceViewLimit), ("--hazard-limit", hazardLimit), ("--verdict-limit", verdictLimit)]
        where limit < 0 {
            throw ValidationError("\(option) must be at least 0")
        }
        for (option, given) in [("--tlp-pcap", tlpPcap), ("--timeline", timeline)] where given != nil {
            if max(policy.count, 1) * max(platform.count, 1) > 1 {
                throw ValidationError("\(option) records one replay: give at most one --policy and one --platform")
            }
        }
        _ = try guestStage1()
    }

    /// The `--fault` specifications; a bad one is a usage error located in its argument.
    private func commandLineFaults() throws -> [Fault] {
        var faults: [Fault] = []
        for (i, spec) in faultSpecs.enumerated() {
            do {
                faults.append(try Fault.parse(spec, location: SourceLocation(file: "--fault #\(i + 1)", line: 1, column: 1)))
            } catch {
                printError(error.description)
                throw ExitCode(64)
            }
        }
        return faults
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
        let faults = try commandLineFaults() + resolveAll(faultFiles, FaultSet.resolve).flatMap { $0 }
        let options = ReplayOptions(schedule: Schedule(name: schedule, seed: seed)!, deviceViewLimit: deviceViewLimit,
                                    hazardLimit: hazardLimit, guestStage1: try guestStage1(), faults: faults)
        try reportingErrors {
            let learned = try input.learnedModels(trace)
            var reports: [ReplayReport] = []
            for policy in policies {
                for platform in platforms {
                    let capture = try tlpPcap.map { path throws(PcapError) in try TLPCapture(path: path) }
                    let title = "\(trace) · \(policy.name) · \(platform.name) · \(options.schedule.name)"
                    let timelineWriter = try timeline.map { path throws(InputUnavailableError) in try ChromeTraceWriter(path: path, title: title) }
                    reports.append(try Replay.run(input.open(trace), policy: policy, platform: platform, models: models + learned, options: options,
                                                  tlpObserver: capture, timeline: timelineWriter))
                    try capture?.finish()
                    try timelineWriter?.finish()
                }
            }
            print(json ? try jsonText(reports) : ReplayText.render(reports, trace: trace, verdictLimit: verdictLimit), terminator: json ? "\n" : "")
        }
    }
}

/// Writes the TLPs of a replay to a pcap file (`--tlp-pcap`); the engine's observer cannot
/// throw, so the first write error is kept and reported at the end.
final class TLPCapture: TLPObserver {
    private let writer: PcapTLPWriter
    private var failure: PcapError?

    init(path: String) throws(PcapError) { writer = try PcapTLPWriter(path: path) }

    func observe(_ tlp: TLP, downstream: Bool, timePs: UInt64) {
        guard failure == nil else { return }
        do {
            try writer.write(timeNanoseconds: timePs / 1000, direction: downstream ? .downstream : .upstream, tlp: tlp)
        } catch {
            failure = error
        }
    }

    func finish() throws(PcapError) {
        if let failure { throw failure }
        try writer.flush()
    }
}
