import Foundation
import CampaignStore
import Verdicts

/// The formats `compare` writes.
public enum ComparisonFormat: String, CaseIterable, Sendable {
    case table, md, csv, json, html
}

extension Comparison {
    /// The comparison in a text format (`table`, `md`, `csv`, `json`; HTML is ``html``).
    public func text(_ format: ComparisonFormat) -> String {
        switch format {
        case .table: tables(markdown: false)
        case .md: tables(markdown: true)
        case .csv: csv
        case .json: Self.json(self)
        case .html: html
        }
    }

    /// The verdict-count table's header and rows.
    var countRows: (header: [String], rows: [[String]]) {
        let header = ["policy", "platform"] + verdictOrder.map(\.name) + ["sites", "contained", "uncontained"] + (sampled ? ["uncontained rate (95% CI)"] : [])
        let rows = cells.map { cell in
            [cell.policy, cell.platform] + verdictOrder.map { "\(cell.verdicts[$0] ?? 0)" } + ["\(cell.sites)", "\(cell.contained)", "\(cell.uncontained)"]
                + (cell.uncontainedRate.map { [Self.percent($0)] } ?? [])
        }
        return (header, rows)
    }

    /// `12.5% [10.1%, 15.3%]`.
    static func percent(_ p: Proportion) -> String {
        func f(_ x: Double) -> String { String(format: "%.1f%%", x * 100) }
        return "\(f(p.rate)) [\(f(p.low)), \(f(p.high))]"
    }

    /// Breakdown groups a text table lists; Markdown, CSV, JSON and HTML list every group.
    static let groupsListed = 20

    private func tables(markdown: Bool) -> String {
        func table(_ header: [String], _ rows: [[String]]) -> String { TextTable.render(header, rows, markdown: markdown) }
        let h = markdown ? "## " : ""
        let plural = ["policy": "policies", "platform": "platforms", "kernel": "kernels"][dimension] ?? dimension
        var out = markdown ? "# Campaign \(campaign): \(dimension) comparison\n\n" : "campaign \(campaign): \(plural) compared with \(baseline)\n\n"

        out += "\(h)Uncontained outcomes: from injected faults (sites weighted by pruning class) and from golden runs (no fault)\n\n"
        let outcome = outcomeRows
        out += table(outcome.header, outcome.rows)
        for (title, kinds) in [("golden-run uncontained verdicts", outcomes.map { ($0, Self.kindList($0.goldenUncontained.map { ($0.key.name, $0.value) })) }),
                               ("golden-run hazards", outcomes.map { ($0, Self.kindList($0.goldenHazards.map { ($0.key.rawValue, $0.value) })) })] {
            let listed = kinds.filter { !$0.1.isEmpty }
            guard !listed.isEmpty else { continue }
            out += "\n  \(title):\n" + listed.map { "    \($0.0.policy) · \($0.0.platform): \($0.1)\n" }.joined()
        }

        out += "\n\(h)Uncontained fault sites by trace, fault kind, request and register\n\n"
        if uncontainedGroups.isEmpty {
            out += "  no fault site is uncontained\n"
        } else {
            let listed = markdown ? uncontainedGroups : Array(uncontainedGroups.prefix(Self.groupsListed))
            out += table(["trace", "fault", "request", "register", "verdict", "sites", "under"], listed.map(Self.groupRow))
            let rest = uncontainedGroups.dropFirst(listed.count)
            if !rest.isEmpty {
                out += "  … \(rest.count) more groups (\(rest.reduce(0) { $0 + $1.sites }) sites): --format md, csv or json lists every group\n"
            }
        }

        out += "\n\(h)Verdicts per fault site (pruning classes weighted by their size)\(sampled ? "; sampled fault space: rates with 95% Wilson intervals" : "")\n\n"
        let counts = countRows
        out += table(counts.header, counts.rows)
        for matrix in matrices {
            out += "\n\(h)\(matrix.baseline) → \(matrix.other): \(matrix.pairedSites) paired fault sites\n\n"
            let changed = matrix.transitions.filter { $0.from != $0.to }
            out += table(["\(matrix.baseline) \\ \(matrix.other)"] + [""] + verdictOrder.map(\.name),
                         verdictOrder.filter { v in matrix.transitions.contains { $0.from == v } }.map { from in
                             [from.name, ""] + verdictOrder.map { to in "\(matrix.transitions.first { $0.from == from && $0.to == to }?.sites ?? 0)" }
                         })
            if changed.isEmpty { out += "\n  no fault site changes verdict\n" }
            for t in changed {
                out += "\n  \(t.sites) fault site\(t.sites == 1 ? "" : "s") \(t.from) under \(matrix.baseline) are \(t.to) under \(matrix.other), e.g.\n"
                for example in t.examples { out += "    \(example)\n" }
                out += "    \(matrix.baseline): \(t.fromChain)\n    \(matrix.other): \(t.toChain)\n"
            }
        }
        out += "\n\(h)Cost per \(dimension) (golden runs), against \(baseline)\n\n"
        let cost = costRows(costs)
        out += table(cost.header, cost.rows)
        let changed = changedTraceCosts
        if !changed.isEmpty {
            out += "\n\(h)Cost per trace, for the traces whose cost changes\n\n"
            let rows = costRows(changed.map(\.cost))
            out += table(["trace", dimension] + rows.header.dropFirst(2), zip(changed, rows.rows).map { [$0.trace, $1[0]] + $1.dropFirst(2) })
        }
        return out
    }

    /// The outcome table's header and rows: each count, then its change against the baseline;
    /// then what the golden runs cost against the baseline's (the gain beside the risk).
    var outcomeRows: (header: [String], rows: [[String]]) {
        let header = ["policy", "platform", "fault sites", "uncontained", "Δ", "golden runs", "golden uncontained", "Δ", "golden hazards", "Δ",
                      "TLPs Δ", "write-combining"]
        let rows = outcomes.map { o in
            [o.policy, o.platform, "\(o.faultSites)", "\(o.uncontainedSites)", Self.signed(o.change?.uncontainedSites), "\(o.goldenRuns)",
             "\(o.goldenUncontainedTotal)", Self.signed(o.change?.goldenUncontained), "\(o.goldenHazardsTotal)", Self.signed(o.change?.goldenHazards),
             Self.relative(o.change.map { Double($0.tlps) }, of: Double(o.tlps)),
             String(format: "%.2f", o.writeCombiningRatio) + (o.change.map { String(format: " (%+.2f)", $0.writeCombiningRatio) } ?? "")]
        }
        return (header, rows)
    }

    /// The per-trace costs of the traces where some cost differs from the baseline's.
    var changedTraceCosts: [TraceCost] {
        let changed = Set(traceCosts.filter { cost in
            cost.cost.change.map { $0.tlps != 0 || $0.linkBytes != 0 || $0.simulatedNs != 0 || $0.writeCombiningRatio != 0 } ?? false
        }.map(\.trace))
        return traceCosts.filter { changed.contains($0.trace) }
    }

    /// A cost table's header and rows: each total, then its change against the baseline.
    func costRows(_ costs: [Cost]) -> (header: [String], rows: [[String]]) {
        let header = [dimension, "", "golden runs", "TLPs", "Δ", "link bytes", "Δ", "simulated µs", "Δ", "write-combining", "Δ"]
        let rows = costs.map { c in
            [c.name, "", "\(c.goldenRuns)", "\(c.tlps)", Self.relative(c.change.map { Double($0.tlps) }, of: Double(c.tlps)),
             "\(c.linkBytes)", Self.relative(c.change.map { Double($0.linkBytes) }, of: Double(c.linkBytes)),
             String(format: "%.3f", Double(c.simulatedNs) / 1_000),
             Self.relative(c.change.map { Double($0.simulatedNs) / 1_000 }, of: Double(c.simulatedNs) / 1_000, decimals: 3),
             String(format: "%.2f", c.writeCombiningRatio), c.change.map { String(format: "%+.2f", $0.writeCombiningRatio) } ?? ""]
        }
        return (header, rows)
    }

    static func groupRow(_ g: UncontainedGroup) -> [String] {
        let under = g.pairs.count <= 2 ? g.pairs.map { "\($0.policy) · \($0.platform)" }.joined(separator: ", ")
            : "\(g.pairs.count) pairs: \(g.pairs[0].policy) · \(g.pairs[0].platform), …"
        return [g.trace, g.kind, g.request, g.register, g.verdict.name, "\(g.sites)", under]
    }

    /// `post-reclaim-write 2, host-panic 1`: kinds by name.
    static func kindList(_ counts: [(String, Int)]) -> String {
        counts.sorted { $0.0 < $1.0 }.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
    }

    /// `+3`, `−2`, `0`; empty without a baseline counterpart.
    static func signed(_ change: Int?) -> String {
        guard let change else { return "" }
        return change > 0 ? "+\(change)" : change < 0 ? "−\(-change)" : "0"
    }

    /// A change with its share of the baseline's total, `decimals` after the point: `−48 (−0.1%)`,
    /// `+0.104 (+0.7%)`; empty without a baseline.
    static func relative(_ change: Double?, of total: Double, decimals: Int = 0) -> String {
        guard let change else { return "" }
        let base = total - change
        let sign = change > 0 ? "+" : change < 0 ? "−" : ""
        let amount = sign + String(format: "%.\(decimals)f", abs(change))
        return base == 0 ? amount : amount + String(format: " (%@%.1f%%)", sign, abs(change) / base * 100)
    }

    /// One table with a `section` column: `outcome` rows (policy, platform, fault sites,
    /// uncontained ones, golden runs and their uncontained verdicts and hazards), `uncontained`
    /// rows (policy, platform, verdict, sites, trace, fault kind, request, register), `count` rows
    /// (policy, platform, verdict, sites), `transition` rows (baseline, other, from, to, sites) and
    /// `cost` rows. Changes against the baseline are left to the reader: both rows are there.
    private var csv: String {
        let header = ["section", "policy", "platform", "verdict", "sites", "other", "to", "tlps", "link_bytes", "simulated_ns", "write_combining",
                      "uncontained", "golden_runs", "golden_uncontained", "golden_hazards", "trace", "fault_kind", "request", "register"]
        let column = Dictionary(uniqueKeysWithValues: header.enumerated().map { ($1, $0) })
        var out = header.joined(separator: ",") + "\n"
        func line(_ fields: KeyValuePairs<String, String>) {
            var row = [String](repeating: "", count: header.count)
            for (name, value) in fields { row[column[name]!] = ExportText.csvField(value) }
            out += row.joined(separator: ",") + "\n"
        }
        for o in outcomes {
            line(["section": "outcome", "policy": o.policy, "platform": o.platform, "sites": "\(o.faultSites)", "uncontained": "\(o.uncontainedSites)",
                  "golden_runs": "\(o.goldenRuns)", "golden_uncontained": "\(o.goldenUncontainedTotal)", "golden_hazards": "\(o.goldenHazardsTotal)"])
        }
        for g in uncontainedGroups {
            for pair in g.pairs {
                line(["section": "uncontained", "policy": pair.policy, "platform": pair.platform, "verdict": g.verdict.name, "sites": "\(pair.sites)",
                      "trace": g.trace, "fault_kind": g.kind, "request": g.request, "register": g.register])
            }
        }
        for cell in cells {
            for verdict in verdictOrder where cell.verdicts[verdict] != nil {
                line(["section": "count", "policy": cell.policy, "platform": cell.platform, "verdict": verdict.name, "sites": "\(cell.verdicts[verdict]!)"])
            }
        }
        let byPlatform = dimension == "platform"
        for matrix in matrices {
            for t in matrix.transitions {
                line(["section": "transition", byPlatform ? "platform" : "policy": matrix.baseline, "verdict": t.from.name, "sites": "\(t.sites)",
                      "other": matrix.other, "to": t.to.name])
            }
        }
        for cost in costs {
            line(["section": "cost", byPlatform ? "platform" : "policy": cost.name, "tlps": "\(cost.tlps)", "link_bytes": "\(cost.linkBytes)",
                  "simulated_ns": "\(cost.simulatedNs)", "write_combining": String(format: "%.4f", cost.writeCombiningRatio)])
        }
        return out
    }

    static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: try! encoder.encode(value), as: UTF8.self) + "\n"
    }
}

/// Tables as aligned text (the first two columns left-aligned, the rest right-aligned, indented
/// two spaces) or as Markdown.
public enum TextTable {
    public static func render(_ header: [String], _ rows: [[String]], markdown: Bool = false) -> String {
        if markdown {
            return "| " + header.joined(separator: " | ") + " |\n|" + header.map { _ in "---|" }.joined() + "\n"
                + rows.map { "| " + $0.joined(separator: " | ") + " |\n" }.joined()
        }
        let widths = header.indices.map { i in max(header[i].count, rows.map { $0[i].count }.max() ?? 0) }
        func line(_ cells: [String]) -> String {
            "  " + cells.indices.map { i in
                i < 2 ? cells[i].padding(toLength: widths[i], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[i] - cells[i].count) + cells[i]
            }.joined(separator: "  ") + "\n"
        }
        return line(header) + rows.map(line).joined()
    }
}
