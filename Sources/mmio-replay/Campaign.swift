import ArgumentParser
import CampaignStore
import Campaigns
import Foundation
import Verdicts

struct Campaign: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run fault-injection campaigns into a results database, resume them, shard and merge them.",
        discussion: """
            A campaign (YAML, docs/campaigns.md) replays each trace under each policy, platform and
            schedule without faults (the golden runs), then once per fault of its fault space,
            forking from snapshots of the golden run and stopping once the verdict is final.

            Examples:
              mmio-replay campaign run traces/campaigns/demo.yaml --db demo.db
              mmio-replay campaign run traces/campaigns/demo.yaml --shard 2/8 --db shard-2.db
              mmio-replay campaign merge shard-*.db -o demo.db
              mmio-replay campaign export demo.db --format csv
            """,
        subcommands: [CampaignRun.self, CampaignStatus.self, CampaignMerge.self, CampaignExport.self, CampaignShrink.self]
    )
}

struct CampaignRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a campaign, or resume it: experiments already in the database are not run again.",
        discussion: """
            Progress goes to standard error on a terminal: one line redrawn in place and cut to the
            terminal's width (the verdict tally goes first, then the bar). There is none when standard
            error is not a terminal (campaign status reads the progress from the database), nor with
            --quiet.

            Examples:
              mmio-replay campaign run traces/campaigns/demo.yaml --db demo.db
              mmio-replay campaign run traces/campaigns/demo.yaml --shard 2/8 --jobs 4 --db shard-2.db
            """
    )

    @Argument(help: "The campaign spec (YAML).")
    var spec: String

    @Option(help: "The results database (SQLite; default: the spec's name with .db, in the current directory).")
    var db: String?

    @Option(help: "Concurrent workers (default: the number of cores). Results do not depend on it.")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "I/N: run the Ith of N deterministic parts of the experiments (1 ≤ I ≤ N).")
    var shard: String?

    @Flag(help: "Run every fault site instead of one per equivalence class.")
    var noPruning = false

    @Flag(help: "Re-simulate every experiment from the start instead of forking it from a snapshot of the golden run.")
    var noSnapshots = false

    @Flag(help: "No progress on standard error.")
    var quiet = false

    @OptionGroup var output: OutputOptions<DataFormat>

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("expected --jobs ≥ 1, found \(jobs)") }
        _ = try parsedShard()
    }

    func parsedShard() throws -> Shard {
        guard let shard else { return .whole }
        let parts = shard.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, (1...n).contains(i) else {
            throw ValidationError("expected --shard I/N with 1 ≤ I ≤ N (e.g. 2/8), found '\(shard)'")
        }
        return Shard(index: i, count: n)
    }

    func run() async throws {
        try await reportingErrors {
            let spec = try CampaignSpec.resolve(self.spec)
            let path = db ?? ((self.spec as NSString).lastPathComponent as NSString).deletingPathExtension + ".db"
            let store = try ResultStore(path: path)
            let options = CampaignOptions(jobs: jobs, shard: try parsedShard(), pruning: !noPruning, snapshots: !noSnapshots)
            let display = ProgressDisplay(quiet: quiet)
            let status = try await CampaignRunner.run(spec, store: store, options: options) { display.show($0) }
            display.finish()
            try output.print(CampaignStatusJSON(store: store, status: status)) { try CampaignSummary(store: store, status: status, path: path).text }
        }
    }
}

struct CampaignStatus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "What a results database holds, and whether its campaign is complete.",
        discussion: """
            JSON (--format json or --json): the campaign, counts, weighted verdicts per (policy,
            platform), every failed experiment, and the check's problems with --check.

            Examples:
              mmio-replay campaign status demo.db
              mmio-replay campaign status demo.db --check --json
            """
    )

    @Argument(help: "The results database.")
    var db: String

    @Flag(help: "Also verify every row (SQLite's integrity check, every row decoded, every evidence step found); exit 65 on a problem.")
    var check = false

    @Flag(help: "List every failed experiment (by default the first 10).")
    var failures = false

    @OptionGroup var output: OutputOptions<DataFormat>

    func run() async throws {
        try reportingErrors {
            let store = try ResultStore.openExisting(path: db, readOnly: true)
            let shown = failures ? Int.max : 10
            if output.isJSON {
                let problems = check ? try store.check() : nil
                print(try jsonText(CampaignStatusJSON(store: store, status: try store.status(), problems: problems)))
                if let problems, !problems.isEmpty { throw ExitCode(65) }
                return
            }
            guard check else {
                return print(try CampaignSummary(store: store, status: try store.status(), path: db, failuresShown: shown).text, terminator: "")
            }
            // Checking: the rows first, so that a damaged row cannot hide the others.
            let problems = try store.check()
            if let summary = try? CampaignSummary(store: store, status: try store.status(), path: db, failuresShown: shown).text {
                print(summary, terminator: "")
            }
            print("check: " + (problems.isEmpty ? "every row is sound" : "\(problems.count) problem(s)"))
            for problem in problems { print("  \(problem)") }
            if !problems.isEmpty { throw ExitCode(65) }
        }
    }
}

struct CampaignMerge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine shard databases of one campaign into one (idempotent; refuses databases of different specs).",
        discussion: """
            Example:
              mmio-replay campaign merge shard-*.db -o demo.db
            """
    )

    @Argument(help: "The shard databases.")
    var inputs: [String]

    @Option(name: .shortAndLong, help: "The merged database (created if missing).")
    var output: String

    @OptionGroup var format: OutputOptions<DataFormat>

    func validate() throws {
        guard !inputs.isEmpty else { throw ValidationError("expected at least one database to merge") }
    }

    func run() async throws {
        try reportingErrors {
            let status = try ResultStore.merge(inputs, into: output)
            let store = try ResultStore.openExisting(path: output)
            try format.print(CampaignStatusJSON(store: store, status: status)) { try CampaignSummary(store: store, status: status, path: output).text }
        }
    }
}

struct CampaignExport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write one record per experiment, sorted by id, as CSV or JSON (two exports compare with diff).",
        discussion: """
            Examples:
              mmio-replay campaign export demo.db > demo.csv
              mmio-replay campaign export demo.db --json -o demo.json
            """
    )

    @Argument(help: "The results database.")
    var db: String

    @OptionGroup var format: OutputOptions<ExportFormat>

    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.")
    var output: String?

    func run() async throws {
        try reportingErrors {
            let store = try ResultStore.openExisting(path: db, readOnly: true)
            if let output {
                guard FileManager.default.createFile(atPath: output, contents: nil), let handle = FileHandle(forWritingAtPath: output) else {
                    printError("mmio-replay: error: cannot write \(output)")
                    throw ExitCode(73)
                }
                defer { try? handle.close() }
                try store.export(format.chosen, to: handle)
            } else {
                try store.export(format.chosen, to: FileHandle.standardOutput)
            }
        }
    }
}

extension ExportFormat: OutputFormat {
    static var standard: ExportFormat { .csv }
}

struct CampaignShrink: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shrink",
        abstract: "Cut the trace of one experiment down to the fewest events that still give its verdict (docs/shrink.md).",
        discussion: """
            Reads the experiment's row (`campaign export` lists the ids), loads its trace, policy and
            platform from the campaign's spec as stored in the database (relative paths resolve
            against --spec's directory, else the database's), and shrinks as `shrink` does, with the
            row's fault as the only fault line of the output.

            Example:
              mmio-replay campaign shrink demo.db 3f2a9c0d1e2b4a59 -o min.mtrace
            """
    )

    @Argument(help: "The results database.")
    var db: String

    @Argument(help: "The experiment's id (16 hex digits).")
    var id: String

    @Option(help: "The campaign spec file, for its directory (default: the stored spec, paths relative to the database).")
    var spec: String?

    @Option(help: "The verdict to keep (default: the row's).")
    var verdict: Verdict?

    @Option(name: .shortAndLong, help: "The .mtrace to write.")
    var output: String

    func run() throws {
        try reportingErrors {
            let store = try ResultStore.openExisting(path: db, readOnly: true)
            guard let row = try store.experiment(id: id) else {
                throw StoreError("\(db): no experiment \(id) (campaign export lists the ids)")
            }
            let stored = try store.campaign().0.spec
            let file = spec ?? ((db as NSString).deletingLastPathComponent as NSString).appendingPathComponent("stored-spec.yaml")
            let campaignSpec = try CampaignSpec.load(yaml: stored, file: file)
            let (events, shrinker) = try CampaignRunner.reproduction(of: row, spec: campaignSpec, verdict: verdict)
            let how = "experiment \(row.id) of campaign \(try store.campaign().0.name): policy \(row.policy), platform \(row.platform), "
                + "schedule \(row.schedule)\(row.seed.map { " seed \($0)" } ?? ""), fault \(row.fault), verdict \(shrinker.verdict)"
            try shrinkAndWrite(events, of: row.trace, with: shrinker, how: how, to: output)
        }
    }
}
