/// Human-readable output of `replay`.
public enum ReplayText {
    /// Renders reports: a side-by-side summary when there are several, then each pair's hazards
    /// and device view.
    public static func render(_ reports: [ReplayReport], trace: String) -> String {
        var out = ""
        if reports.count > 1 { out += sideBySide(reports) + "\n" }
        for report in reports { out += detail(report, trace: trace) }
        return out
    }

    private static func header(_ r: ReplayReport) -> String {
        "\(r.policy) / \(r.platform) / \(r.schedule)" + (r.seed.map { " seed \($0)" } ?? "")
    }

    private static func tlpList(_ tlps: [String: Int]) -> String {
        tlps.isEmpty ? "none" : tlps.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }

    private static func ratio(_ s: ReplaySummary) -> String {
        String(Int((s.writeCombiningRatio * 100).rounded()) / 100) + "." + pad2(Int((s.writeCombiningRatio * 100).rounded()) % 100)
    }

    private static func pad2(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }

    static func sideBySide(_ reports: [ReplayReport]) -> String {
        let kinds = Set(reports.flatMap { $0.summary.tlps.keys }).sorted()
        var rows: [[String]] = [["", ] + reports.map { "\($0.policy)/\($0.platform)" }]
        rows.append(["events"] + reports.map { "\($0.summary.events)" })
        for kind in kinds { rows.append(["TLPs \(kind)"] + reports.map { "\($0.summary.tlps[kind] ?? 0)" }) }
        rows.append(["link bytes"] + reports.map { "\($0.summary.linkBytes)" })
        rows.append(["simulated ns"] + reports.map { "\($0.summary.simulatedNs)" })
        rows.append(["write-combining ratio"] + reports.map { ratio($0.summary) })
        rows.append(["hazards"] + reports.map { "\($0.hazards.count + $0.hazardsNotListed)" })
        rows.append(["arrived after a reset"] + reports.map { "\($0.deviceView.filter(\.afterReset).count)" })
        let widths = (0..<rows[0].count).map { c in rows.map { $0[c].count }.max()! }
        return rows.map { row in
            row.enumerated().map { c, cell in c == 0 ? cell.padding(toLength: widths[c], withPad: " ", startingAt: 0)
                : String(repeating: " ", count: widths[c] - cell.count) + cell }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    static func detail(_ r: ReplayReport, trace: String) -> String {
        let s = r.summary
        var out = "== \(trace): \(header(r))\n"
        out += "summary: \(s.events) events, \(s.simulatedNs) ns simulated\n"
        out += "  TLPs: \(tlpList(s.tlps))\n"
        out += "  link bytes: \(s.linkBytes) (downstream \(s.linkBytesDownstream), upstream \(s.linkBytesUpstream))\n"
        out += "  write-combining ratio: \(ratio(s)) (\(s.cpuWrites) CPU writes in \(s.writeTransactions) write transactions)\n"
        out += "hazards: \(r.hazards.count + r.hazardsNotListed)\n"
        for h in r.hazards {
            let place = [h.device, h.region.map { name in h.offset.map { "\(name)+0x\(String($0, radix: 16))" } ?? name }].compactMap { $0 }
            out += "  \(h.timePs / 1000) ns  \(h.agent)  \(h.kind)  \(place.joined(separator: " "))  \(h.detail)\n"
        }
        if r.hazardsNotListed > 0 { out += "  ... \(r.hazardsNotListed) more\n" }
        out += "device view: \(r.deviceView.count + r.deviceViewNotListed) observations\n"
        for o in r.deviceView {
            let place = o.region.map { "\($0)+0x\(String(o.offset, radix: 16))" } ?? (o.kind.hasPrefix("Cfg") ? "cfg+0x\(String(o.offset, radix: 16))" : "")
            var line = "  \(o.timePs / 1000) ns  \(o.device)  \(o.kind)  \(o.agent)"
            if !place.isEmpty { line += "  \(place)" }
            if o.size > 0 { line += "  \(o.size)B" }
            if let v = o.value { line += "  \(v)" }
            line += "  \(o.outcome)"
            if o.accesses > 1 { line += "  (\(o.accesses) writes merged)" }
            if o.afterReset { line += "  AFTER RESET" }
            out += line + "\n"
        }
        if r.deviceViewNotListed > 0 { out += "  ... \(r.deviceViewNotListed) more\n" }
        return out
    }
}
