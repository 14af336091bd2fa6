import CampaignStore
import Comparison

/// What `campaign run`, `status` and `merge` print: the database's state and its verdicts per
/// (policy, platform), weighted by pruning class size.
struct CampaignSummary {
    let text: String

    init(store: ResultStore, status: StoreStatus, path: String) throws {
        let c = status.campaign
        var out = "campaign \(c.name) (spec \(c.specHash), engine model \(c.engineVersion)), shard \(status.shard): "
        if let planned = status.planned {
            out += status.isComplete ? "complete\n" : "\(status.experiments) of \(planned) experiments done (run it again to resume)\n"
        } else {
            out += "\(status.experiments) experiments, total not known (shards missing)\n"
        }
        out += "  \(path): \(status.goldens) golden runs, \(status.experiments) experiments standing for \(status.weightedTotal) fault sites\n"

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
