import ArmMemory
import CampaignStore
import DeviceModels
import Faults
import Foundation
import MMIOTrace
import Platforms
import ReplayEngine
import Verdicts

/// Runs campaigns (docs/campaigns.md): a golden run per (trace, policy, platform, schedule),
/// then one experiment per fault, forked from snapshots of the golden run, in parallel, into a
/// results database; resumes where a killed run stopped.
public enum CampaignRunner {
    /// One golden run's configuration.
    struct GoldenConfig: Sendable {
        var trace: Int
        var policy: Int
        var platform: Int
        var schedule: Schedule
    }

    /// A golden run, done: its record, its experiments, and snapshots every
    /// ``CampaignOptions/snapshotInterval`` steps (`snapshots[k - 1]` is after k intervals;
    /// snapshot 0, the start, is made again when needed, so that a golden run with none keeps
    /// no simulation state: a campaign of 100,000 seeds keeps 100,000 records, not replays).
    struct Golden: Sendable {
        var config: GoldenConfig
        var record: GoldenRecord
        var experiments: [PlannedExperiment]
        var snapshots: [SteppedReplay]
    }

    /// Experiments that fork from one snapshot of one golden run.
    struct WorkItem: Sendable {
        var golden: Int
        var snapshot: Int
        var experiments: [(experiment: PlannedExperiment, id: String)]
    }

    /// Runs (or resumes) `spec` into `store`.
    ///
    /// - Parameter progress: Called on the calling task as golden runs and experiments finish.
    /// - Returns: The database's status at the end.
    /// - Throws: Input errors (traces, policies, platforms), ``StoreError`` (a database that
    ///   holds another campaign), or an error of the replay.
    public static func run(_ spec: CampaignSpec, store: ResultStore, options: CampaignOptions,
                           progress: (CampaignProgress) -> Void = { _ in }) async throws -> StoreStatus {
        let inputs = try CampaignInputs(spec)
        try store.begin(CampaignInfo(name: spec.name, specHash: specHash(spec, inputs, pruning: options.pruning), spec: spec.text,
                                     engineVersion: Replay.modelVersion), shard: options.shard)
        var configs: [GoldenConfig] = []
        for t in inputs.traces.indices {
            for p in inputs.policies.indices {
                for f in inputs.platforms.indices {
                    configs += spec.schedules.map { GoldenConfig(trace: t, policy: p, platform: f, schedule: $0) }
                }
            }
        }
        var state = CampaignProgress(phase: .golden, done: 0, total: configs.count, resumed: 0, verdicts: VerdictCounts())
        progress(state)
        var done = [Golden?](repeating: nil, count: configs.count)
        try await parallel(configs, jobs: options.jobs) { config in
            try golden(config, spec: spec, inputs: inputs, options: options)
        } onResult: { i, golden in
            done[i] = golden
            state.done += 1
            progress(state)
        }
        let goldens = done.map { $0! }
        try store.insert(goldens: goldens.map(\.record))

        let stored = try store.experimentIDs()
        var items: [WorkItem] = []
        var planned = 0
        for (g, golden) in goldens.enumerated() {
            var bySnapshot: [Int: [(PlannedExperiment, String)]] = [:]
            let goldenHash = goldenHash(golden.config, inputs: inputs)
            for experiment in golden.experiments {
                let id = experimentID(experiment.fault, golden: goldenHash)
                guard options.shard.contains(id) else { continue }
                planned += 1
                guard !stored.contains(id) else { continue }
                let snapshot = options.snapshots ? max(experiment.forkStep - 1, 0) / options.snapshotInterval : 0
                bySnapshot[snapshot, default: []].append((experiment, id))
            }
            items += bySnapshot.keys.sorted().map { WorkItem(golden: g, snapshot: $0, experiments: bySnapshot[$0]!) }
        }
        try store.setPlanned(planned)
        let resumed = planned - items.reduce(0) { $0 + $1.experiments.count }
        var resumedWeights = VerdictCounts()
        for count in try store.status().verdictCounts { resumedWeights[count.verdict] = count.weight }
        state = CampaignProgress(phase: .experiments, done: resumed, total: planned, resumed: resumed, verdicts: resumedWeights)
        progress(state)

        // Suspects first, each alone, so that an experiment that stops the process (a trap in
        // the engine) is the only one in flight when it does, and is recorded as failed after
        // the second time.
        var suspects: [(item: WorkItem, aloneRuns: Int)] = []
        let aloneRuns = Dictionary(try store.suspects().map { ($0.id, $0.aloneRuns) }, uniquingKeysWith: max)
        if !aloneRuns.isEmpty {
            for i in items.indices {
                let (golden, snapshot) = (items[i].golden, items[i].snapshot)
                items[i].experiments.removeAll { experiment in
                    guard let runs = aloneRuns[experiment.id] else { return false }
                    suspects.append((WorkItem(golden: golden, snapshot: snapshot, experiments: [experiment]), runs))
                    return true
                }
            }
            items.removeAll { $0.experiments.isEmpty }
        }
        for (suspect, aloneRuns) in suspects {
            let (experiment, id) = suspect.experiments[0]
            let results: ItemResults
            if aloneRuns >= 2 {
                let error = "the process stopped twice while this experiment ran alone (a trap in the engine, or the run was killed "
                    + "at that moment both times); please report it with the campaign spec"
                results = ItemResults(failures: [failure(experiment, id: id, golden: goldens[suspect.golden], error: error)])
            } else {
                try store.markRunningAlone(id)
                results = run(suspect, goldens: goldens, inputs: inputs, options: options)
            }
            try store.insert(experiments: results.records, failures: results.failures)
            state.record(results)
            progress(state)
        }

        // Results are stored by a writer thread. Each item's experiments are marked in flight
        // (appended to the journal beside the database) just before the item starts, and
        // finished when its results arrive; a run that stops leaves those started and not
        // finished as suspects of the next run.
        // The items' results go to the writer as they are, a batch of about `batchSize` results
        // at a time: concatenating them would copy every record.
        let writer = ResultWriter(store: store)
        var batch: [ResultBatch] = []
        var batchCount = 0
        do {
            try await parallel(items, jobs: options.jobs) { item in
                run(item, goldens: goldens, inputs: inputs, options: options)
            } willStart: { i in
                try store.markInFlight(items[i].experiments.map(\.id))
            } onResult: { (_, results: ItemResults) in
                try store.markFinished(results.records.map(\.id) + results.failures.map(\.id))
                batch.append(ResultBatch(experiments: results.records, failures: results.failures))
                batchCount += results.records.count + results.failures.count
                if batchCount >= options.batchSize {
                    try writer.insert(batch)
                    batch = []
                    batchCount = 0
                }
                state.record(results)
                progress(state)
            }
        } catch {
            // What finished is kept: the results collected so far are stored before the error.
            try? writer.insert(batch)
            try? writer.finish()
            throw error
        }
        try writer.insert(batch)
        try writer.finish()
        try store.settleInFlight()
        return try store.status()
    }

    // MARK: - Golden runs

    static func replayOptions(_ schedule: Schedule) -> ReplayOptions {
        ReplayOptions(schedule: schedule, deviceViewLimit: 0, hazardLimit: 0, traceFaults: false)
    }

    static func start(_ config: GoldenConfig, inputs: CampaignInputs) throws -> SteppedReplay {
        try SteppedReplay(trace: inputs.traces[config.trace].trace, policy: inputs.policies[config.policy].value,
                          platform: inputs.platforms[config.platform].value,
                          models: inputs.models + inputs.traces[config.trace].learnedModels, options: replayOptions(config.schedule))
    }

    /// Replays without faults, logging fault sites and keeping snapshots; plans the experiments.
    static func golden(_ config: GoldenConfig, spec: CampaignSpec, inputs: CampaignInputs, options: CampaignOptions) throws -> Golden {
        var replay = try start(config, inputs: inputs)
        replay.recordSites()
        var snapshots: [SteppedReplay] = []
        while !replay.isFinished {
            try replay.advance(toStep: options.snapshots ? (snapshots.count + 1) * options.snapshotInterval : .max)
            if options.snapshots, !replay.isFinished { snapshots.append(replay.fork()) }
        }
        let log = replay.takeSiteLog()
        let report = try replay.finish()
        let trace = inputs.traces[config.trace]
        let platform = inputs.platforms[config.platform].value
        let plan = spec.faults.plan(log: log, topology: trace.trace.topology, errors: platform.errors, pruning: options.pruning)
        let s = report.summary
        let record = GoldenRecord(id: goldenID(config, inputs: inputs), trace: trace.trace.name, traceHash: trace.hash,
                                  policy: inputs.policies[config.policy].value.name, platform: platform.name, schedule: config.schedule.name,
                                  seed: config.schedule.seed, events: s.events, tlps: s.tlps.total, linkBytes: s.linkBytes,
                                  simulatedNs: s.simulatedNs, cpuWrites: s.cpuWrites, writeTransactions: s.writeTransactions,
                                  writeCombiningRatio: s.writeCombiningRatio, verdicts: report.verdictCounts, hazards: report.hazardCounts, sites: plan.sites,
                                  experiments: plan.experiments.count)
        return Golden(config: config, record: record, experiments: plan.experiments, snapshots: snapshots)
    }

    // MARK: - Experiments

    /// What the experiments of one work item gave.
    struct ItemResults: Sendable {
        var records: [ExperimentRecord] = []
        var failures: [FailedExperimentRecord] = []
    }

    /// Runs the experiments of one work item in fork-step order, advancing one copy of the
    /// golden run from the item's snapshot and forking each experiment from it. An experiment
    /// that throws is a failure of its own; the others still run.
    static func run(_ item: WorkItem, goldens: [Golden], inputs: CampaignInputs, options: CampaignOptions) -> ItemResults {
        let golden = goldens[item.golden]
        var results = ItemResults()
        var base: SteppedReplay
        do {
            base = item.snapshot == 0 ? try start(golden.config, inputs: inputs) : golden.snapshots[item.snapshot - 1].fork()
        } catch {
            results.failures = item.experiments.map { failure($0.experiment, id: $0.id, golden: golden, error: "\(error)") }
            return results
        }
        results.records.reserveCapacity(item.experiments.count)
        for (experiment, id) in item.experiments.sorted(by: { ($0.experiment.forkStep, $0.id) < ($1.experiment.forkStep, $1.id) }) {
            do {
                let outcome: ExperimentOutcome
                if golden.config.schedule == .explore {
                    outcome = try explored(experiment, golden: golden, inputs: inputs)
                } else if options.snapshots {
                    try base.advance(toStep: max(experiment.forkStep - 1, 0))
                    var replay = base.fork()
                    replay.inject(experiment.fault, matchesSoFar: experiment.matchesSoFar)
                    outcome = try replay.runExperiment(earlyStop: options.earlyStop)
                } else {
                    var replay = try start(golden.config, inputs: inputs)
                    replay.inject(experiment.fault)
                    outcome = try replay.runExperiment(earlyStop: options.earlyStop)
                }
                results.records.append(record(outcome, experiment: experiment, id: id, golden: golden))
            } catch {
                results.failures.append(failure(experiment, id: id, golden: golden, error: "\(error)"))
            }
        }
        return results
    }

    static func failure(_ experiment: PlannedExperiment, id: String, golden: Golden, error: String) -> FailedExperimentRecord {
        FailedExperimentRecord(id: id, golden: golden.record.id, fault: experiment.fault.description, kind: experiment.fault.kind.spelling, error: error)
    }

    /// An experiment under the `explore` schedule: every execution the open choices allow, up
    /// to the spec's `explore-executions`, each a whole replay with the fault injected; the
    /// outcome is the execution whose injected fault gave the most severe verdict (the first
    /// found at the fewest deviations), so the row says what the fault *can* do.
    static func explored(_ experiment: PlannedExperiment, golden: Golden, inputs: CampaignInputs) throws -> ExperimentOutcome {
        let config = golden.config
        let trace = inputs.traces[config.trace]
        var options = ReplayOptions(deviceViewLimit: 0, hazardLimit: 0, faults: [experiment.fault], traceFaults: false)
        options.schedule = .inOrder
        let explorer = Explorer(trace: trace.trace, policy: inputs.policies[config.policy].value, platform: inputs.platforms[config.platform].value,
                                models: inputs.models + trace.learnedModels, options: options,
                                bounds: ExploreBounds(maxExecutions: inputs.exploreExecutions))
        var worst: ExperimentOutcome?
        _ = try explorer.run { report, _ in
            let injected = report.verdicts.filter { $0.origin == .injected }
            let outcome = ExperimentOutcome(verdicts: injected, summary: report.summary, steps: 0, stoppedEarly: false)
            if worst == nil { worst = outcome }
            if let top = injected.map(\.verdict).max(), top > (worst!.verdicts.map(\.verdict).max() ?? .notFired) { worst = outcome }
        }
        return worst ?? ExperimentOutcome(verdicts: [], summary: ReplaySummary(), steps: 0, stoppedEarly: false)
    }

    /// An experiment's row: its worst verdict (the first of them), with that verdict's evidence.
    static func record(_ outcome: ExperimentOutcome, experiment: PlannedExperiment, id: String, golden: Golden) -> ExperimentRecord {
        let worst = outcome.verdicts.max { $0.verdict < $1.verdict }
        let g = golden.record
        let evidence = (worst?.evidence ?? []).map { EvidenceStep(rule: $0.rule.name, inputs: $0.inputs, result: $0.result, source: $0.source) }
        let s = outcome.summary
        return ExperimentRecord(id: id, golden: g.id, trace: g.trace, policy: g.policy, platform: g.platform, schedule: g.schedule, seed: g.seed,
                                fault: experiment.fault.description, kind: experiment.fault.kind.spelling,
                                verdict: worst?.verdict ?? .notFired, chain: worst?.chain ?? "",
                                evidence: evidence, tlps: s.tlps.total, linkBytes: s.linkBytes, simulatedNs: s.simulatedNs,
                                steps: outcome.steps, stoppedEarly: outcome.stoppedEarly, weight: experiment.weight,
                                members: experiment.membersText)
    }

    // MARK: - Ids

    /// Of everything that decides the results: the engine's model version, the inputs'
    /// content, the schedules, the fault space and whether sites are pruned.
    static func specHash(_ spec: CampaignSpec, _ inputs: CampaignInputs, pruning: Bool) -> String {
        var fields = [Replay.modelVersion, spec.name, pruning ? "pruning" : "no-pruning", inputs.modelsFingerprint]
        fields += inputs.traces.map { "\($0.trace.name)=\($0.hash)" }
        fields += inputs.policies.map(\.fingerprint) + inputs.platforms.map(\.fingerprint)
        fields += spec.schedules.map { "\($0.name):\($0.seed.map(String.init) ?? "-")" }
        if spec.schedules.contains(.explore) { fields.append("explore-executions:\(spec.exploreExecutions)") }
        fields += spec.faults.kinds.map(\.spelling)
        fields.append(spec.faults.selectionText)
        return StableHash(fields).hex
    }

    static func goldenID(_ config: GoldenConfig, inputs: CampaignInputs) -> String {
        goldenHash(config, inputs: inputs).hex
    }

    /// Stable across runs and machines: a hash of the model version, the trace's content, the
    /// policy, platform and device models, the schedule and seed (`golden`, the golden run's
    /// hash, from ``goldenHash(_:inputs:)``), and the fault's canonical text.
    static func experimentID(_ fault: Fault, golden: StableHash) -> String {
        var hash = golden
        hash.add(fault.description)
        return hash.hex
    }

    /// The hash of what decides a golden run; its experiments' ids continue it.
    static func goldenHash(_ config: GoldenConfig, inputs: CampaignInputs) -> StableHash {
        StableHash([Replay.modelVersion, inputs.traces[config.trace].hash, inputs.policies[config.policy].fingerprint,
                    inputs.platforms[config.platform].fingerprint, inputs.modelsFingerprint, config.schedule.name,
                    config.schedule.seed.map(String.init) ?? "-"])
    }

    // MARK: - Concurrency

    /// `body` over every input with at most `jobs` at once (structured: a task group).
    /// `onResult` sees each result, with its input's index, on the calling task as it arrives,
    /// after the next input has started (so that no worker waits on it); nothing is kept.
    /// `willStart` sees each input's index, on the calling task, before its work starts.
    static func parallel<Input: Sendable, Output: Sendable>(
        _ inputs: [Input], jobs: Int, _ body: @escaping @Sendable (Input) throws -> Output,
        willStart: (Int) throws -> Void = { _ in }, onResult: (Int, Output) throws -> Void
    ) async throws {
        try await withThrowingTaskGroup(of: (Int, Output).self) { group in
            var next = 0
            func startNext() throws {
                let i = next, input = inputs[i]
                try willStart(i)
                group.addTask { (i, try body(input)) }
                next += 1
            }
            while next < min(jobs, inputs.count) { try startNext() }
            while let (i, output) = try await group.next() {
                if next < inputs.count { try startNext() }
                try onResult(i, output)
            }
        }
    }
}

extension CampaignProgress {
    mutating func record(_ results: CampaignRunner.ItemResults) {
        done += results.records.count + results.failures.count
        failed += results.failures.count
        for record in results.records { verdicts[record.verdict] += record.weight }
    }
}

extension Shard {
    /// Whether the experiment with this id belongs to the shard (by its id, so every shard of a
    /// campaign agrees without talking to the others).
    func contains(_ id: String) -> Bool {
        count <= 1 || Int(UInt64(id, radix: 16)! % UInt64(count)) == index - 1
    }
}

extension Schedule {
    /// The random schedule's seed.
    var seed: UInt64? {
        if case .random(let seed) = self { return seed }
        return nil
    }
}

extension CampaignSpec.FaultSpace {
    /// The site selection as text, for the spec's hash.
    var selectionText: String {
        var text = switch sites {
        case .every: "every"
        case .everyNth(let n): "every \(n)"
        case .sample(let n, let seed): "sample \(n) seed \(seed)"
        case .list(let faults): "list " + faults.map(\.description).joined(separator: "; ")
        }
        if let match { text += " match \(Fault.targetText(match.target)) \(match.request?.spelling ?? "any")" }
        if let requests { text += " requests " + requests.map(\.spelling).joined(separator: ",") }
        return text
    }
}
