import CampaignStore
import Comparison
import Verdicts

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

        struct Pair: Hashable, Comparable {
            var policy: String
            var platform: String
            static func < (a: Pair, b: Pair) -> Bool { (a.policy, a.platform) < (b.policy, b.platform) }
        }
        var counts: [Pair: [String: Int]] = [:]
        for row in try store.verdictWeightsByPair() {
            counts[Pair(policy: row.policy, platform: row.platform), default: [:]][row.verdict] = row.weight
        }
        guard !counts.isEmpty else { text = out; return }
        let verdicts = Verdict.allCases.reversed().map(\.name).filter { name in counts.values.contains { $0[name] != nil } }
        let header = ["policy", "platform"] + verdicts + ["contained", "uncontained"]
        var rows: [[String]] = []
        for pair in counts.keys.sorted() {
            let byVerdict = counts[pair]!
            let uncontained = byVerdict.filter { !(Verdict(rawValue: $0.key)?.contained ?? true) }.values.reduce(0, +)
            let all = byVerdict.values.reduce(0, +)
            rows.append([pair.policy, pair.platform] + verdicts.map { "\(byVerdict[$0] ?? 0)" } + ["\(all - uncontained)", "\(uncontained)"])
        }
        out += "\n  verdicts per fault site (pruning classes weighted by their size):\n"
        out += TextTable.render(header, rows)
        text = out
    }
}
