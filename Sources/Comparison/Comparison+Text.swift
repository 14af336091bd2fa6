import Foundation
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

    private func tables(markdown: Bool) -> String {
        func table(_ header: [String], _ rows: [[String]]) -> String { TextTable.render(header, rows, markdown: markdown) }
        let h = markdown ? "## " : ""
        let plural = ["policy": "policies", "platform": "platforms", "kernel": "kernels"][dimension] ?? dimension
        var out = markdown ? "# Campaign \(campaign): \(dimension) comparison\n\n" : "campaign \(campaign): \(plural) compared with \(baseline)\n\n"
        out += "\(h)Verdicts per fault site (pruning classes weighted by their size)\(sampled ? "; sampled fault space: rates with 95% Wilson intervals" : "")\n\n"
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
        out += "\n\(h)Cost per \(dimension) (golden runs)\n\n"
        out += table([dimension, "", "golden runs", "TLPs", "link bytes", "simulated µs", "write-combining"],
                     costs.map { [$0.name, "", "\($0.goldenRuns)", "\($0.tlps)", "\($0.linkBytes)", "\($0.simulatedNs / 1_000)",
                                  String(format: "%.2f", $0.writeCombiningRatio)] })
        return out
    }

    /// One table with a `section` column: `count` rows (policy, platform, verdict, sites),
    /// `transition` rows (baseline, other, from, to, sites) and `cost` rows.
    private var csv: String {
        var out = "section,policy,platform,verdict,sites,other,to,tlps,link_bytes,simulated_ns,write_combining\n"
        for cell in cells {
            for verdict in verdictOrder where cell.verdicts[verdict] != nil {
                out += "count,\(cell.policy),\(cell.platform),\(verdict),\(cell.verdicts[verdict]!),,,,,,\n"
            }
        }
        for matrix in matrices {
            for t in matrix.transitions {
                let (a, b) = dimension == "platform" ? ("", matrix.baseline) : (matrix.baseline, "")
                out += "transition,\(a),\(b),\(t.from),\(t.sites),\(matrix.other),\(t.to),,,,\n"
            }
        }
        for cost in costs {
            let (a, b) = dimension == "platform" ? ("", cost.name) : (cost.name, "")
            out += "cost,\(a),\(b),,,,,\(cost.tlps),\(cost.linkBytes),\(cost.simulatedNs),\(String(format: "%.4f", cost.writeCombiningRatio))\n"
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
