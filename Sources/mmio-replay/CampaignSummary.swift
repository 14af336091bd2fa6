import CampaignStore
import Comparison

/// What `campaign run`, `status` and `merge` print: the database's state and its verdicts per
/// (policy, platform), weighted by pruning class size.
struct CampaignSummary {
    let text: String

    /// - Parameter failuresShown: How many failed experiments to list (the count is always given).
    init(store: ResultStore, status: StoreStatus, path: String, failuresShown: Int = 10) throws {
        let c = status.campaign
        var out = "campaign \(c.name) (spec \(c.specHash), engine model \(c.engineVersion)), shard \(status.shard): "
        let done = status.experiments + status.failed
        if let planned = status.planned {
            out += status.isComplete ? "complete\n" : "\(done) of \(planned) experiments done (run it again to resume)\n"
        } else {
            out += "\(done) experiments, total not known (shards missing)\n"
        }
        out += "  \(path): \(status.goldens) golden runs, \(status.experiments) experiments standing for \(status.weightedTotal) fault sites\n"
        if status.failed > 0 {
            out += "  \(status.failed) experiment(s) FAILED, with no result:\n"
            let failures = try store.failures()
            for failure in failures.prefix(failuresShown) {
                out += "    \(failure.id)  golden \(failure.golden)  \(failure.fault): \(failure.error)\n"
            }
            if failures.count > failuresShown { out += "    ... and \(failures.count - failuresShown) more (campaign status --failures lists them all)\n" }
        }

        let (cells, verdicts) = Comparison.cells(try store.verdictWeightsByPair())
        guard !cells.isEmpty else { text = out; return }
        let header = ["policy", "platform"] + verdicts.map(\.name) + ["contained", "uncontained"]
        let rows = cells.map { cell in
            [cell.policy, cell.platform] + verdicts.map { "\(cell.verdicts[$0] ?? 0)" } + ["\(cell.contained)", "\(cell.uncontained)"]
        }
        out += "\n  verdicts per fault site (pruning classes weighted by their size):\n"
        out += TextTable.render(header, rows)
        text = out
    }
}

/// What `campaign status --format json` (and `campaign run` and `merge` with `--json`) prints: the
/// campaign, its counts, the weighted verdicts per (policy, platform) and the failed experiments.
struct CampaignStatusJSON: Encodable {
    struct PairVerdict: Encodable {
        var policy: String, platform: String, verdict: String, weight: Int
    }
    struct Failure: Encodable {
        var id: String, golden: String, fault: String, kind: String, error: String
    }
    var campaign: String
    var specHash: String
    var engineVersion: String
    var shard: String
    var planned: Int?
    var experiments: Int
    var failed: Int
    var goldens: Int
    var weightedTotal: Int
    var complete: Bool
    var verdicts: [PairVerdict]
    var failures: [Failure]
    /// With `--check`: what is wrong with the rows (empty when nothing is).
    var problems: [String]?

    init(store: ResultStore, status: StoreStatus, problems: [String]? = nil) throws {
        let c = status.campaign
        campaign = c.name
        specHash = c.specHash
        engineVersion = c.engineVersion
        shard = "\(status.shard)"
        planned = status.planned
        experiments = status.experiments
        failed = status.failed
        goldens = status.goldens
        weightedTotal = status.weightedTotal
        complete = status.isComplete
        verdicts = try store.verdictWeightsByPair().map { .init(policy: $0.policy, platform: $0.platform, verdict: $0.verdict.name, weight: $0.weight) }
        failures = try store.failures().map { .init(id: $0.id, golden: $0.golden, fault: $0.fault, kind: $0.kind, error: $0.error) }
        self.problems = problems
    }
}
