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
