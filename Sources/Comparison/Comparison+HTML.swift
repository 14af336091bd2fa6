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
        let sites = cells.reduce(0) { $0 + $1.sites }, uncontained = cells.reduce(0) { $0 + $1.uncontained }
        body += "<p class=\"summary\">\(sites) fault sites over \(cells.count) (policy, platform) pairs; "
            + "<strong>\(uncontained)</strong> uncontained. \(["policy": "Policies", "platform": "Platforms", "kernel": "Kernels"][dimension] ?? dimension) are compared with <strong>\(Self.escape(baseline))</strong>"
            + (sampled ? "; the fault space is sampled, so rates carry 95% Wilson intervals." : ".") + "</p>\n"
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
        body += "<h2>Cost per \(dimension)</h2>\n" + costBars()
        body += Self.table([dimension, "golden runs", "TLPs", "link bytes", "simulated µs", "write-combining ratio"],
                           costs.map { [$0.name, "\($0.goldenRuns)", "\($0.tlps)", "\($0.linkBytes)", "\($0.simulatedNs / 1_000)",
                                        String(format: "%.2f", $0.writeCombiningRatio)] })
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
            td:first-child, th:first-child { text-align: left; } th { background: #f4f6f7; }
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

    /// TLPs and link bytes per policy (or platform), each relative to the largest.
    private func costBars() -> String {
        let metrics: [(String, (Cost) -> Double)] = [("TLPs", { Double($0.tlps) }), ("link bytes", { Double($0.linkBytes) }),
                                                      ("simulated time", { Double($0.simulatedNs) })]
        let bar = 18.0, width = 420.0, label = 230.0
        let rows = Double(metrics.count * costs.count)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(label + width + 120))\" height=\"\(Int(rows * (bar + 4) + Double(metrics.count) * 10 + 10))\" role=\"img\" aria-label=\"cost per \(dimension)\">\n"
        var y = 4.0
        for (name, value) in metrics {
            let most = max(costs.map(value).max() ?? 1, 1)
            for cost in costs {
                let w = width * value(cost) / most
                svg += "<text x=\"0\" y=\"\(Self.f(y + 13))\">\(name) · \(Self.escape(cost.name))</text>"
                    + "<rect x=\"\(Self.f(label))\" y=\"\(Self.f(y))\" width=\"\(Self.f(w))\" height=\"\(Int(bar))\" fill=\"#5d6d7e\"></rect>"
                    + "<text x=\"\(Self.f(label + w + 6))\" y=\"\(Self.f(y + 13))\">\(Int(value(cost)))</text>\n"
                y += bar + 4
            }
            y += 10
        }
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
