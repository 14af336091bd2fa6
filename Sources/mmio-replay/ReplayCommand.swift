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
            summary and the verdict matrix. --format json (or --json) prints one object per (policy,
            platform) pair with everything, whatever the listing options. Faults come from the
            trace's `fault` lines, --fault and --faults (docs/faults.md); schedules: in-order,
            adversarial, random with --seed (docs/schedules.md); verdicts: docs/verdicts.md.

            Exit status: 1 with --fail-on uncontained when a pair has an uncontained verdict
            (under --schedule explore: a possible one), so that CI can gate on it.

            Examples:
              mmio-replay replay traces/scenarios/wrong-size-read.mtrace --platform quiet-pcie --platform ras-sbsa --platform no-ras
              mmio-replay replay traces/nvme-doorbell.mtrace --fault 'CA at bar0+0x1c read' --platform ras-sbsa
              mmio-replay replay traces/scenarios/reclaim-after-writes.mtrace --platform split-ecam --schedule adversarial --json
            """
    )

    @Argument(help: "The trace or capture to replay (any supported format).")
    var trace: String

    @OptionGroup var input: TraceInputOptions

    @Option(name: .long, help: "An attribute policy name or YAML file, or a kernel policy linux-VERSION (repeatable; default kvm-normal-nc).",
            completion: .custom(policyCompletions))
    var policy: [String] = []

    @Option(name: .long, help: "Replay under what KVM in this Linux version does (repeatable; the policy linux-VERSION, docs/policies.md).")
    var kernel: [String] = []

    @Option(name: .long, help: "With --kernel: the CPU's features, a comma-separated subset of fwb,dic,ras,mte,doublefault2 (mte: the VM has MTE), or none.")
    var cpu: String?

    @Option(name: .customLong("kvm-cap"), help: "With --kernel: a capability the VMM enables: sea-to-user (KVM_CAP_ARM_SEA_TO_USER, 6.19+).")
    var kvmCap: KVMCapability?

    @Option(name: .long, help: "A platform profile name or YAML file (repeatable; default quiet-pcie).", completion: .custom(platformCompletions))
    var platform: [String] = []

    @Option(help: "The schedule (values: \(Schedule.names.joined(separator: ", ")); explore: every execution the rules allow, docs/explore.md), or witness:FILE (one the explorer wrote).",
            completion: .list(Schedule.names))
    var schedule: String = "in-order"

    @Option(help: "explore: replay at most this many executions.")
    var exploreExecutions: Int = 20_000

    @Option(help: "explore: only executions that differ from the in-order or adversarial one in at most this many choices (default: no limit).")
    var exploreDeviations: Int?

    @Option(help: ArgumentHelp("explore: open only the choices met while reading trace events FROM to TO (1-based); the rest stay in-order.",
                               valueName: "FROM-TO"))
    var exploreWindow: String?

    @Option(help: "explore: write one witness schedule per possible verdict and hazard here (default: mmio-replay-witnesses in the temporary directory).")
    var witnessDir: String?

    @Option(help: "The seed of the random schedule (recorded in the output).")
    var seed: UInt64 = 1

    @Option(name: .customLong("fault"), help: "A fault to inject, e.g. 'CA at bar0+0x44 read' (repeatable; docs/faults.md).")
    var faultSpecs: [String] = []

    @Option(name: .customLong("faults"), help: "A fault file: YAML (faults: [...]) or an aer-inject file (repeatable).")
    var faultFiles: [String] = []

    @Option(name: .customLong("s1"), help: "REGION=TYPE: the guests' stage-1 type for a region, replacing the trace's (repeatable).")
    var stage1: [String] = []

    @Option(name: .customLong("vmm-s1"), help: "REGION=TYPE: the VMM's own stage-1 type for a region, replacing the trace's (repeatable; what vmm-mirror copies).")
    var vmmStage1: [String] = []

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

    @Flag(help: "List the device view (what arrived at each device, when, and the answer); by default it is counted.")
    var deviceView = false

    @Option(help: "summary (counted by kind, the default) or all (listed one by one).")
    var hazards: HazardListing = .summary

    enum HazardListing: String, ExpressibleByArgument, CaseIterable {
        case summary, all
    }

    @OptionGroup var output: OutputOptions<DataFormat>

    @Option(name: .customLong("fail-on"), help: "uncontained: exit 1 if any pair has an uncontained verdict (explore: a possible one), for CI.")
    var failOn: FailureCondition?

    /// The schedules `--schedule` accepts besides ``Schedule/names``.
    static let scheduleNames = Schedule.names + ["witness:FILE"]

    var explores: Bool { schedule == "explore" }

    /// `--kernel V --cpu LIST --kvm-cap C` as kernel policy names.
    var kernelPolicyNames: [String] {
        kernel.map { version in
            let v = KernelVersion(version).map(\.description) ?? version
            return "linux-\(v)" + (cpu.map { ":cpu=\($0)" } ?? "") + (kvmCap.map { ":kvm-cap=\($0.rawValue)" } ?? "")
        }
    }

    func validate() throws {
        guard Schedule(name: schedule, seed: seed) != nil || explores || schedule.hasPrefix("witness:") else {
            throw ValidationError("expected a schedule (\(Self.scheduleNames.joined(separator: ", "))), found '\(schedule)'"
                + (Suggestion.closest(to: schedule, among: Self.scheduleNames).map { "; did you mean '\($0)'?" } ?? ""))
        }
        _ = try window()
        if kernel.isEmpty, cpu != nil || kvmCap != nil { throw ValidationError("--cpu and --kvm-cap go with --kernel") }
        if let cpu, case .failure(let error) = CPUFeatures.parse(cpu) { throw ValidationError(error.message) }
        for version in kernel where KernelVersion(version) == nil {
            throw ValidationError("expected a kernel version like 6.9, found '\(version)'")
        }
        if exploreExecutions < 1 { throw ValidationError("--explore-executions must be at least 1") }
        if let exploreDeviations, exploreDeviations < 0 { throw ValidationError("--explore-deviations must be at least 0") }
        if explores, tlpPcap != nil || timeline != nil {
            throw ValidationError("--tlp-pcap and --timeline record one execution: replay a witness (--schedule witness:FILE) instead of exploring")
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
        _ = try stage1Overrides(vmmStage1, option: "--vmm-s1")
    }

    /// The `--s1 REGION=TYPE` overrides.
    private func guestStage1() throws -> [String: MemoryType] { try stage1Overrides(stage1, option: "--s1") }

    /// `REGION=TYPE` items as overrides.
    private func stage1Overrides(_ items: [String], option: String) throws -> [String: MemoryType] {
        var overrides: [String: MemoryType] = [:]
        for item in items {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            let names = MemoryType.allCases.map(\.name)
            guard parts.count == 2, !parts[0].isEmpty else {
                throw ValidationError("expected \(option) REGION=TYPE, found '\(item)'")
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
        let policies = try resolvePolicies(policy.isEmpty && kernel.isEmpty ? ["kvm-normal-nc"] : policy + kernelPolicyNames)
        let platforms = try resolvePlatforms(platform.isEmpty ? ["quiet-pcie"] : platform)
        let models = try resolveDeviceModels(deviceModels)
        let faults = try parseFaults(faultSpecs) + resolveAll(faultFiles, FaultSet.resolve).flatMap { $0 }
        var options = ReplayOptions(schedule: try parsedSchedule(), deviceViewLimit: deviceViewLimit,
                                    hazardLimit: hazardLimit, guestStage1: try guestStage1(), faults: faults)
        options.vmmStage1 = try stage1Overrides(vmmStage1, option: "--vmm-s1")
        if explores { return try explore(policies: policies, platforms: platforms, models: models, options: options) }
        try reportingErrors {
            var opened: (any TraceEventSource)? = try input.open(trace)
            try checkFaultTargets(faults, in: opened!.topology)
            let learned = try input.learnedModels(trace, topology: opened!.topology)
            var reports: [ReplayReport] = []
            for policy in policies {
                for platform in platforms {
                    let source = ReadAheadSource.wrapping(try opened ?? input.open(trace))
                    opened = nil
                    let capture = try tlpPcap.map { path throws(PcapError) in try TLPCapture(path: path) }
                    let title = "\(trace) · \(policy.name) · \(platform.name) · \(options.schedule.name)"
                    let timelineWriter = try timeline.map { path throws(InputUnavailableError) in try ChromeTraceWriter(path: path, title: title) }
                    reports.append(try Replay.run(source, policy: policy, platform: platform, models: models + learned, options: options,
                                                  tlpObserver: capture, timeline: timelineWriter))
                    try capture?.finish()
                    try timelineWriter?.finish()
                }
            }
            try output.print(reports) {
                ReplayText.render(reports, trace: trace, verdictLimit: verdictLimit,
                                  details: ReplayText.Details(hazards: hazards == .all, deviceView: deviceView))
            }
            if failOn == .uncontained, reports.contains(where: { $0.verdictCounts.uncontained > 0 }) { throw ExitCode(1) }
        }
    }
}

extension ReplayCommand {
    /// The `--schedule` value as a schedule (`explore` runs as in-order executions).
    func parsedSchedule() throws -> Schedule {
        if explores { return .inOrder }
        guard schedule.hasPrefix("witness:") else { return Schedule(name: schedule, seed: seed)! }
        let path = String(schedule.dropFirst("witness:".count))
        var vector = ChoiceVector()
        try reportingErrors {
            let text: String
            do {
                text = try InputText.read(path)
            } catch InputText.Failure.unreadable(let reason) {
                throw InputUnavailableError(path: path, reason: reason)
            } catch InputText.Failure.invalid(let error) {
                throw error
            }
            vector = try WitnessFile.parse(text, file: path)
        }
        return .decided(vector)
    }

    /// `--explore-window FROM-TO`.
    func window() throws -> ClosedRange<Int>? {
        guard let exploreWindow else { return nil }
        let bounds = exploreWindow.split(separator: "-", omittingEmptySubsequences: false)
        guard bounds.count == 2, let from = Int(bounds[0]), let to = Int(bounds[1]), from >= 1, from <= to else {
            throw ValidationError("expected --explore-window FROM-TO with 1 <= FROM <= TO (trace event numbers), found '\(exploreWindow)'")
        }
        return from...to
    }

    /// `--schedule explore`: every execution per (policy, platform), with a witness file per
    /// possible outcome.
    func explore(policies: [AttributePolicy], platforms: [PlatformProfile], models: [DeviceModel], options: ReplayOptions) throws {
        try reportingErrors {
            let loaded = try LoadedTrace(reading: input.open(trace), name: trace)
            try checkFaultTargets(options.faults, in: loaded.topology)
            let learned = try input.learnedModels(trace, topology: loaded.topology)
            let directory = witnessDir ?? (NSTemporaryDirectory() as NSString).appendingPathComponent("mmio-replay-witnesses")
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let stem = ((trace as NSString).lastPathComponent as NSString).deletingPathExtension
            var results: [ExploreResult] = []
            var options = options
            options.deviceViewLimit = 0  // the explorer keeps outcomes, not lists
            options.hazardLimit = 64
            for policy in policies {
                for platform in platforms {
                    var result = try Explorer(trace: loaded, policy: policy, platform: platform, models: models + learned, options: options,
                                              bounds: ExploreBounds(maxExecutions: exploreExecutions, maxDeviations: exploreDeviations,
                                                                    window: try window())).run()
                    for i in result.witnesses.indices {
                        let name = "\(stem)-\(policy.name)-\(platform.name)-\(result.witnesses[i].outcome).schedule"
                        let path = (directory as NSString).appendingPathComponent(name)
                        try WitnessFile.render(result.witnesses[i], trace: trace, policy: policy.name, platform: platform.name)
                            .write(toFile: path, atomically: true, encoding: .utf8)
                        result.witnesses[i].file = path
                    }
                    results.append(result)
                }
            }
            try output.print(results) { ExploreText.render(results, trace: trace) }
            if failOn == .uncontained, results.contains(where: { $0.verdictCounts.uncontained > 0 }) { throw ExitCode(1) }
        }
    }
}

/// `--kvm-cap`: a KVM capability the VMM enables.
enum KVMCapability: String, ExpressibleByArgument, CaseIterable {
    /// KVM_CAP_ARM_SEA_TO_USER (Linux 6.19+): external aborts go to the VMM.
    case seaToUser = "sea-to-user"

    /// Parses a capability case-insensitively.
    init?(argument: String) { self.init(rawValue: argument.lowercased()) }
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

/// A fault that names a region or device the trace does not declare is a usage error (64) with
/// the closest name suggested, not a replay whose fault never fires.
func checkFaultTargets(_ faults: [Fault], in topology: Topology) throws {
    for fault in faults {
        guard case .tlp(let match, _) = fault.site, let (name, region, device) = match.target.requiredName else { continue }
        if region, topology.regions.contains(where: { $0.name == name }) { continue }
        if device, topology.devices.contains(where: { $0.name == name }) { continue }
        let choices = (region ? topology.regions.map(\.name) : []) + (device ? topology.devices.map(\.name) : [])
        let kind = region && device ? "region or device" : region ? "region" : "device"
        printError("mmio-replay: error: --fault '\(fault)' names \(kind) '\(name)', which the trace does not declare"
            + " (\(choices.prefix(12).joined(separator: ", "))\(choices.count > 12 ? ", ..." : ""))"
            + (Suggestion.closest(to: name, among: choices).map { "; did you mean '\($0)'?" } ?? ""))
        throw ExitCode(64)
    }
}

/// The `--fault` specifications; a bad one is a usage error (64) located in its argument.
func parseFaults(_ specs: [String]) throws -> [Fault] {
    var faults: [Fault] = []
    for (i, spec) in specs.enumerated() {
        do {
            faults.append(try Fault.parse(spec, location: SourceLocation(file: "--fault #\(i + 1)", line: 1, column: 1)))
        } catch {
            printError(error.description)
            throw ExitCode(64)
        }
    }
    return faults
}
