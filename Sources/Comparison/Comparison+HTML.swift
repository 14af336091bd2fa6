import Foundation
import Verdicts

/// The HTML report: one self-contained page (inline CSS and SVG, no script, no network).
extension Comparison {
    /// Report colours per verdict, worst in warm colours.
    static let colours: [Verdict: String] = [
        .hostPanic: "#c0392b", .forbiddenAttribute: "#d35400", .crossGuest: "#e67e22", .postReclaimWrite: "#f1c40f",
        .hostHandled: "#2e86c1", .vmmHandled: "#5dade2", .mappingRefused: "#48c9b0", .guestAbort: "#17a589", .guestSilent: "#7dcea0", .none: "#bdc3c7", .notFired: "#e5e8e8",
    ]

    var html: String {
        var body = "<h1>Campaign \(Self.escape(campaign))</h1>\n"
        let sites = outcomes.reduce(0) { $0 + $1.faultSites }, uncontained = outcomes.reduce(0) { $0 + $1.uncontainedSites }
        let golden = outcomes.reduce(0) { $0 + $1.goldenUncontainedTotal }, goldenRuns = outcomes.reduce(0) { $0 + $1.goldenRuns }
        body += "<p class=\"summary\"><strong>\(uncontained)</strong> of \(sites) fault sites uncontained, and <strong>\(golden)</strong> "
            + "uncontained verdicts in \(goldenRuns) golden runs (no fault), over \(outcomes.count) (policy, platform) pairs. "
            + "\(["policy": "Policies", "platform": "Platforms", "kernel": "Kernels"][dimension] ?? dimension) are compared with <strong>\(Self.escape(baseline))</strong>"
            + (sampled ? "; the fault space is sampled, so rates carry 95% Wilson intervals." : ".") + "</p>\n"
        body += "<h2>Uncontained outcomes</h2>\n" + outcomeBars()
        let outcome = outcomeRows
        body += Self.table(outcome.header, outcome.rows)
        let goldenKinds = outcomes.compactMap { o -> String? in
            let kinds = Self.kindList(o.goldenUncontained.map { ($0.key.name, $0.value) } + o.goldenHazards.map { ($0.key.rawValue, $0.value) })
            return kinds.isEmpty ? nil : "<li>\(Self.escape("\(o.policy) · \(o.platform)")): \(Self.escape(kinds))</li>"
        }
        if !goldenKinds.isEmpty { body += "<p>Golden runs, uncontained verdicts and hazards by kind:</p><ul>\(goldenKinds.joined())</ul>\n" }
        body += "<h2>Uncontained fault sites by trace, fault kind, request and register</h2>\n"
        let groupHeader = ["trace", "fault", "request", "register", "verdict", "sites", "under"]
        let groupRows = uncontainedGroups.map { g in
            Array(Self.groupRow(g).dropLast()) + [g.pairs.map { "\($0.policy) · \($0.platform) \($0.sites)" }.joined(separator: ", ")]
        }
        if groupRows.isEmpty { body += "<p>No fault site is uncontained.</p>\n" }
        body += groupRows.isEmpty ? "" : Self.table(groupHeader, Array(groupRows.prefix(Self.groupsListed)))
        if groupRows.count > Self.groupsListed {
            let rest = uncontainedGroups.dropFirst(Self.groupsListed)
            body += "<details><summary>\(rest.count) more groups (\(rest.reduce(0) { $0 + $1.sites }) sites)</summary>\n"
                + Self.table(groupHeader, Array(groupRows.dropFirst(Self.groupsListed))) + "</details>\n"
        }
        body += "<h2>Verdicts per policy and platform</h2>\n" + stackedBars() + legend()
        let counts = countRows
        body += Self.table(counts.header, counts.rows)
        body += "<h2>Transitions from \(Self.escape(baseline))</h2>\n"
        for matrix in matrices {
            body += "<h3>\(Self.escape(matrix.baseline)) → \(Self.escape(matrix.other)) (\(matrix.pairedSites) paired fault sites)</h3>\n"
            body += heatMap(matrix)
            let rows = verdictOrder.filter { v in matrix.transitions.contains { $0.from == v } }
            body += Self.table(["\(matrix.baseline) \\ \(matrix.other)"] + verdictOrder.map(\.name), rows.map { from in
                [from.name] + verdictOrder.map { to in "\(matrix.transitions.first { $0.from == from && $0.to == to }?.sites ?? 0)" }
            })
        }
        body += "<h2>Cost per \(dimension) against \(Self.escape(baseline))</h2>\n" + costChangeBars()
        let cost = costRows(costs)
        body += Self.table(cost.header.filter { !$0.isEmpty }, cost.rows.map { row in row.enumerated().filter { $0.offset != 1 }.map(\.element) })
        let changed = changedTraceCosts
        if !changed.isEmpty {
            let rows = costRows(changed.map(\.cost))
            body += "<h3>Per trace, for the traces whose cost changes</h3>\n"
                + Self.table(["trace", dimension] + rows.header.dropFirst(2), zip(changed, rows.rows).map { [$0.trace, $1[0]] + $1.dropFirst(2) })
        }
        body += "<h2>Fault details</h2>\n"
        for matrix in matrices {
            for t in matrix.transitions where t.from != t.to {
                body += "<details open><summary>\(t.sites) site\(t.sites == 1 ? "" : "s"): \(t.from.name) under \(Self.escape(matrix.baseline))"
                    + " → \(t.to.name) under \(Self.escape(matrix.other))</summary>\n<ul>"
                    + t.examples.map { "<li><code>\(Self.escape($0))</code></li>" }.joined() + "</ul>\n"
                    + "<div class=\"chains\"><div><h4>\(Self.escape(matrix.baseline))</h4><p>\(Self.escape(t.fromChain))</p></div>"
                    + "<div><h4>\(Self.escape(matrix.other))</h4><p>\(Self.escape(t.toChain))</p></div></div></details>\n"
            }
        }
        if !matrices.contains(where: { $0.transitions.contains { $0.from != $0.to } }) { body += "<p>No fault site changes verdict.</p>\n" }
        return Self.page(title: "campaign \(campaign)", body: body)
    }

    /// A self-contained page (inline CSS, no script, no network) around `body`.
    static func page(title: String, body: String) -> String {
        """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>mmio-replay: \(escape(title))</title>
            <style>
            body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
            h1 { font-size: 1.6em; } h2 { margin-top: 1.6em; border-bottom: 1px solid #ddd; } h3 { font-size: 1.05em; }
            table { border-collapse: collapse; margin: .8em 0; } td, th { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
            td:first-child, th:first-child { text-align: left; } th { background: #f4f6f7; } td:not(:last-child) { white-space: nowrap; }
            .legend span { display: inline-block; margin-right: 1em; } .legend i { display: inline-block; width: 12px; height: 12px; margin-right: 4px; }
            .chains { display: flex; gap: 1em; } .chains div { flex: 1; background: #f8f9f9; padding: 0 .8em; border-radius: 4px; }
            code { font-size: 12px; } svg text { font: 11px system-ui, sans-serif; }
            </style></head>
            <body>
            \(body)<p><small>Written by mmio-replay compare. Verdicts and rules: docs/verdicts.md; campaigns: docs/campaigns.md.</small></p>
            </body></html>

            """
    }

    /// One horizontal bar per (policy, platform), split by verdict share.
    private func stackedBars() -> String {
        let width = 640.0, label = 230.0, bar = 22.0
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(label + width + 60))\" height=\"\(Int(Double(cells.count) * (bar + 6) + 10))\" role=\"img\" aria-label=\"verdicts per policy and platform\">\n"
        for (row, cell) in cells.enumerated() {
            let y = Double(row) * (bar + 6) + 4
            svg += "<text x=\"0\" y=\"\(y + 15)\">\(Self.escape(cell.policy)) · \(Self.escape(cell.platform))</text>\n"
            var x = label
            for verdict in verdictOrder {
                guard let count = cell.verdicts[verdict], cell.sites > 0 else { continue }
                let w = width * Double(count) / Double(cell.sites)
                svg += "<rect x=\"\(Self.f(x))\" y=\"\(Self.f(y))\" width=\"\(Self.f(w))\" height=\"\(Int(bar))\" fill=\"\(Self.colours[verdict] ?? "#999")\">"
                    + "<title>\(verdict.name): \(count)</title></rect>\n"
                x += w
            }
            svg += "<text x=\"\(Self.f(label + width + 6))\" y=\"\(y + 15)\">\(cell.sites)</text>\n"
        }
        return svg + "</svg>\n"
    }

    private func legend() -> String {
        "<p class=\"legend\">" + verdictOrder.map { "<span><i style=\"background:\(Self.colours[$0] ?? "#999")\"></i>\($0.name)</span>" }.joined() + "</p>\n"
    }

    /// The transition matrix as a grid of cells shaded by their share of the paired sites.
    private func heatMap(_ matrix: Matrix) -> String {
        let cell = 70.0, left = 150.0, top = 60.0
        let n = Double(verdictOrder.count)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(left + n * cell + 10))\" height=\"\(Int(top + n * cell + 30))\" role=\"img\" aria-label=\"transition matrix\">\n"
        svg += "<text x=\"\(Self.f(left))\" y=\"14\">under \(Self.escape(matrix.other)) →</text><text x=\"0\" y=\"\(Self.f(top - 8))\">under \(Self.escape(matrix.baseline)) ↓</text>\n"
        let most = max(matrix.transitions.map(\.sites).max() ?? 1, 1)
        for (j, to) in verdictOrder.enumerated() {
            svg += "<text x=\"\(Self.f(left + Double(j) * cell + 4))\" y=\"\(Self.f(top - 8))\" transform=\"rotate(-20 \(Self.f(left + Double(j) * cell + 4)) \(Self.f(top - 8)))\">\(to)</text>\n"
        }
        for (i, from) in verdictOrder.enumerated() {
            let y = top + Double(i) * cell
            svg += "<text x=\"0\" y=\"\(Self.f(y + cell / 2 + 4))\">\(from)</text>\n"
            for (j, to) in verdictOrder.enumerated() {
                let sites = matrix.transitions.first { $0.from == from && $0.to == to }?.sites ?? 0
                let share = sites == 0 ? 0 : 0.15 + 0.85 * log(Double(sites) + 1) / log(Double(most) + 1)
                let colour = from == to ? "46,134,193" : "192,57,43"
                svg += "<rect x=\"\(Self.f(left + Double(j) * cell))\" y=\"\(Self.f(y))\" width=\"\(Int(cell - 2))\" height=\"\(Int(cell - 2))\" "
                    + "fill=\"rgba(\(colour),\(Self.f(share)))\" stroke=\"#ddd\"><title>\(from) → \(to): \(sites)</title></rect>\n"
                svg += "<text x=\"\(Self.f(left + Double(j) * cell + cell / 2 - 1))\" y=\"\(Self.f(y + cell / 2 + 4))\" text-anchor=\"middle\">\(sites)</text>\n"
            }
        }
        return svg + "</svg>\n"
    }

    /// Per (policy, platform): the share of fault sites uncontained (red on grey), and a marker
    /// with the golden runs' uncontained verdicts when there are any.
    private func outcomeBars() -> String {
        let width = 360.0, label = 200.0, bar = 20.0
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(label + width + 520))\" height=\"\(Int(Double(outcomes.count) * (bar + 6) + 10))\" role=\"img\" aria-label=\"uncontained outcomes per policy and platform\">\n"
        for (row, o) in outcomes.enumerated() {
            let y = Double(row) * (bar + 6) + 4
            let share = o.faultSites == 0 ? 0 : Double(o.uncontainedSites) / Double(o.faultSites)
            svg += "<text x=\"0\" y=\"\(Self.f(y + 14))\">\(Self.escape(o.policy)) · \(Self.escape(o.platform))</text>"
                + "<rect x=\"\(Self.f(label))\" y=\"\(Self.f(y))\" width=\"\(Self.f(width))\" height=\"\(Int(bar))\" fill=\"#e5e8e8\"></rect>"
                + "<rect x=\"\(Self.f(label))\" y=\"\(Self.f(y))\" width=\"\(Self.f(width * share))\" height=\"\(Int(bar))\" fill=\"#c0392b\">"
                + "<title>\(o.uncontainedSites) of \(o.faultSites) fault sites</title></rect>"
            var note = "\(o.uncontainedSites) of \(o.faultSites) sites" + (o.faultSites == 0 ? "" : String(format: " (%.1f%%)", share * 100))
            if let change = o.change, change.uncontainedSites != 0 { note += " \(Self.signed(change.uncontainedSites))" }
            if o.goldenUncontainedTotal > 0 {
                let marker = label + width + 8
                svg += "<rect x=\"\(Self.f(marker))\" y=\"\(Self.f(y + 3))\" width=\"14\" height=\"14\" fill=\"#f1c40f\"><title>golden runs</title></rect>"
                note += "; golden runs: " + Self.kindList(o.goldenUncontained.map { ($0.key.name, $0.value) })
            }
            if let change = o.change, change.tlps != 0 { note += "; TLPs " + Self.relative(Double(change.tlps), of: Double(o.tlps)) }
            svg += "<text x=\"\(Self.f(label + width + 28))\" y=\"\(Self.f(y + 14))\">\(Self.escape(note))</text>\n"
        }
        return svg + "</svg>\n"
    }

    /// TLPs, link bytes, simulated time and the write-combining ratio of each policy (or
    /// platform) as a change against the baseline's, in percent, bars left for less, right for more.
    private func costChangeBars() -> String {
        let metrics: [(String, (Cost) -> Double, (CostChange) -> Double)] = [
            ("TLPs", { Double($0.tlps) }, { Double($0.tlps) }), ("link bytes", { Double($0.linkBytes) }, { Double($0.linkBytes) }),
            ("simulated time", { Double($0.simulatedNs) }, { Double($0.simulatedNs) }),
            ("write-combining ratio", { $0.writeCombiningRatio }, { $0.writeCombiningRatio }),
        ]
        let compared = costs.filter { $0.change != nil }
        guard !compared.isEmpty else { return "" }
        func percent(_ cost: Cost, _ metric: (total: (Cost) -> Double, change: (CostChange) -> Double)) -> Double {
            let change = metric.change(cost.change!), base = metric.total(cost) - change
            return base == 0 ? 0 : change / base * 100
        }
        let largest = max(compared.flatMap { c in metrics.map { abs(percent(c, ($0.1, $0.2))) } }.max() ?? 1, 1)
        let bar = 18.0, half = 220.0, label = 260.0
        let rows = Double(metrics.count * compared.count)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(label + 2 * half + 90))\" height=\"\(Int(rows * (bar + 4) + Double(metrics.count) * 10 + 24))\" role=\"img\" aria-label=\"cost against \(Self.escape(baseline))\">\n"
        svg += "<line x1=\"\(Self.f(label + half))\" y1=\"0\" x2=\"\(Self.f(label + half))\" y2=\"\(Self.f(rows * (bar + 4) + Double(metrics.count) * 10 + 4))\" stroke=\"#888\"></line>\n"
        var y = 4.0
        for (name, total, change) in metrics {
            for cost in compared {
                let p = percent(cost, (total, change)), w = half * abs(p) / largest
                let x = p < 0 ? label + half - w : label + half
                svg += "<text x=\"0\" y=\"\(Self.f(y + 13))\">\(name) · \(Self.escape(cost.name))</text>"
                    + "<rect x=\"\(Self.f(x))\" y=\"\(Self.f(y))\" width=\"\(Self.f(w))\" height=\"\(Int(bar))\" fill=\"\(p < 0 ? "#2e86c1" : "#d35400")\"></rect>"
                    + "<text x=\"\(Self.f(p < 0 ? label + half + 6 : label + half - 6))\" y=\"\(Self.f(y + 13))\" text-anchor=\"\(p < 0 ? "start" : "end")\">"
                    + String(format: "%+.1f%%", p) + "</text>\n"
                y += bar + 4
            }
            y += 10
        }
        svg += "<text x=\"\(Self.f(label + half))\" y=\"\(Self.f(y + 8))\" text-anchor=\"middle\">change against \(Self.escape(baseline))</text>\n"
        return svg + "</svg>\n"
    }

    static func table(_ header: [String], _ rows: [[String]]) -> String {
        "<table><tr>" + header.map { "<th>\(escape($0))</th>" }.joined() + "</tr>\n"
            + rows.map { "<tr>" + $0.map { "<td>\(escape($0))</td>" }.joined() + "</tr>\n" }.joined() + "</table>\n"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// A coordinate with at most two decimals.
    private static func f(_ x: Double) -> String { String(format: "%.2f", x) }
}
