import Verdicts

/// Human-readable output of `replay`.
public enum ReplayText {
    /// What the text lists beyond the summary: display only, never a result.
    public struct Details: Sendable {
        /// The hazards one by one (otherwise counted by kind).
        public var hazards = false
        /// The device view one by one (otherwise counted).
        public var deviceView = false
        public init(hazards: Bool = false, deviceView: Bool = false) {
            self.hazards = hazards
            self.deviceView = deviceView
        }
    }

    /// Renders reports, answers first: a side-by-side summary and the verdict matrix when there
    /// are several pairs; then per pair its verdicts counted by kind, worst first, and listed
    /// with their chains, uncontained ones first (the first `verdictLimit`, the rest counted);
    /// its summary; its hazards and device view, counted, and listed as `details` asks.
    public static func render(_ reports: [ReplayReport], trace: String, verdictLimit: Int = 1_000, details: Details = Details()) -> String {
        var out = ""
        if reports.count > 1 {
            out += sideBySide(reports) + "\n"
            if reports.contains(where: { !$0.verdicts.isEmpty }) { out += verdictMatrix(reports) + "\n" }
        }
        for report in reports { out += detail(report, trace: trace, verdictLimit: verdictLimit, details: details) }
        return out
    }

    /// What a verdict is about: its fault as written, or where a device error or hazard struck.
    static func subject(_ v: VerdictReport) -> String {
        if let fault = v.fault { return fault }
        let place = [v.device, v.region.map { name in v.offset.map { "\(name)+0x\(String($0, radix: 16))" } ?? name }].compactMap { $0 }
        return "\(v.origin.rawValue): \(v.agent) \(place.joined(separator: " "))"
    }

    /// Rows: what each verdict is about; columns: policy × platform; cells: the most severe
    /// verdict (and how many when several).
    static func verdictMatrix(_ reports: [ReplayReport]) -> String {
        var subjects: [String] = []
        for report in reports {
            for v in report.verdicts where !subjects.contains(subject(v)) { subjects.append(subject(v)) }
        }
        var rows = [["verdicts"] + reports.map { "\($0.policy)/\($0.platform)" }]
        for s in subjects {
            rows.append([s] + reports.map { report in
                let found = report.verdicts.filter { subject($0) == s }.map(\.verdict)
                guard let worst = found.max() else { return "-" }
                return found.count > 1 ? "\(worst.name) ×\(found.count)" : worst.name
            })
        }
        let widths = (0..<rows[0].count).map { c in rows.map { $0[c].count }.max()! }
        return rows.map { row in
            row.enumerated().map { c, cell in cell.padding(toLength: widths[c], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }.map { String($0.reversed().drop { $0 == " " }.reversed()) }.joined(separator: "\n") + "\n"
    }

    private static func header(_ r: ReplayReport) -> String {
        "\(r.policy) / \(r.platform) / \(r.schedule)" + (r.seed.map { " seed \($0)" } ?? "")
    }

    private static func tlpList(_ tlps: TLPCounts) -> String {
        let counts = tlps.nonZero.sorted { $0.kind.name < $1.kind.name }
        return counts.isEmpty ? "none" : counts.map { "\($0.kind.name) \($0.count)" }.joined(separator: ", ")
    }

    private static func ratio(_ s: ReplaySummary) -> String {
        String(Int((s.writeCombiningRatio * 100).rounded()) / 100) + "." + pad2(Int((s.writeCombiningRatio * 100).rounded()) % 100)
    }

    private static func pad2(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }

    static func sideBySide(_ reports: [ReplayReport]) -> String {
        let kinds = TLPName.allCases.filter { kind in reports.contains { $0.summary.tlps[kind] > 0 } }.sorted { $0.name < $1.name }
        var rows: [[String]] = [["", ] + reports.map { "\($0.policy)/\($0.platform)" }]
        rows.append(["events"] + reports.map { "\($0.summary.events)" })
        for kind in kinds { rows.append(["TLPs \(kind.name)"] + reports.map { "\($0.summary.tlps[kind])" }) }
        rows.append(["link bytes"] + reports.map { "\($0.summary.linkBytes)" })
        rows.append(["simulated ns"] + reports.map { "\($0.summary.simulatedNs)" })
        rows.append(["write-combining ratio"] + reports.map { ratio($0.summary) })
        rows.append(["hazards"] + reports.map { "\($0.hazardCounts.total)" })
        rows.append(["arrived after a reset"] + reports.map { "\($0.summary.arrivalsAfterReset)" })
        let widths = (0..<rows[0].count).map { c in rows.map { $0[c].count }.max()! }
        return rows.map { row in
            row.enumerated().map { c, cell in c == 0 ? cell.padding(toLength: widths[c], withPad: " ", startingAt: 0)
                : String(repeating: " ", count: widths[c] - cell.count) + cell }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    /// The recorded reads the models answered differently, when there are any: the places that
    /// differed most often, and the first few reads.
    static func readValues(_ reads: ReadComparison) -> String {
        guard reads.differing > 0 else { return "" }
        func place(_ region: String?, _ offset: UInt64) -> String { "\(region ?? "cfg")+0x\(String(offset, radix: 16))" }
        var out = "  read values: \(reads.differing) of \(reads.compared) recorded reads differ from what the device models answered\n"
        let shown = reads.registers.sorted { $0.count > $1.count }.prefix(ReadComparison.examplesKept)
        out += "    most often: " + shown.map { "\($0.device) \(place($0.region, $0.offset)) ×\($0.count)" }.joined(separator: ", ")
        out += reads.registers.count > shown.count ? ", ... (\(reads.registers.count) places)\n" : "\n"
        for e in reads.examples {
            out += "    \(e.timePs / 1000) ns  \(e.agent)  \(e.device) \(place(e.region, e.offset))  \(e.size)B  recorded \(e.recorded), answered \(e.answered)\n"
        }
        return out
    }

    static func detail(_ r: ReplayReport, trace: String, verdictLimit: Int, details: Details) -> String {
        let s = r.summary
        var out = "== \(trace): \(header(r))\n"
        let uncontained = r.verdictCounts.uncontained
        let byKind = r.verdictCounts.nonZero.sorted { $0.kind > $1.kind }.map { "\($0.kind.name) \($0.count)" }
        out += "verdicts: \(r.verdictCounts.total)" + (uncontained > 0 ? " (\(uncontained) uncontained)" : "")
            + (byKind.isEmpty ? "" : ": " + byKind.joined(separator: ", ")) + "\n"
        // Uncontained first, each group in the engine's order (a stable partition).
        let ordered = r.verdicts.filter { !$0.contained } + r.verdicts.filter(\.contained)
        for v in ordered.prefix(verdictLimit) {
            out += "  \(v.verdict.name)\(v.contained ? "" : " (UNCONTAINED)")  \(subject(v))  at \(v.timePs / 1000) ns\n"
            out += "    \(v.chain)\n"
        }
        if r.verdicts.count > verdictLimit { out += "  ... \(r.verdicts.count - verdictLimit) more\n" }
        out += "summary: \(s.events) events, \(s.simulatedNs) ns simulated\n"
        out += "  TLPs: \(tlpList(s.tlps))\n"
        out += "  link bytes: \(s.linkBytes) (downstream \(s.linkBytesDownstream), upstream \(s.linkBytesUpstream))\n"
        out += "  write-combining ratio: \(ratio(s)) (\(s.cpuWrites) CPU writes in \(s.writeTransactions) write transactions)\n"
        out += readValues(s.reads)
        let hazardKinds = r.hazardCounts.nonZero.map { "\($0.kind.rawValue) \($0.count)" }
        out += "hazards: \(r.hazardCounts.total)" + (hazardKinds.isEmpty ? "" : ": " + hazardKinds.joined(separator: ", "))
            + (details.hazards || r.hazardCounts.total == 0 ? "" : " (--hazards all lists them)") + "\n"
        if details.hazards {
            for h in r.hazards {
                let place = [h.device, h.region.map { name in h.offset.map { "\(name)+0x\(String($0, radix: 16))" } ?? name }].compactMap { $0 }
                out += "  \(h.timePs / 1000) ns  \(h.agent)  \(h.kind.rawValue)  \(place.joined(separator: " "))  \(h.detail)\n"
            }
            if r.hazardsNotListed > 0 { out += "  ... \(r.hazardsNotListed) more\n" }
        }
        let observations = r.deviceView.count + r.deviceViewNotListed
        out += "device view: \(observations) observations" + (details.deviceView || observations == 0 ? "" : " (--device-view lists them)") + "\n"
        guard details.deviceView else { return out }
        for o in r.deviceView {
            let place = o.region.map { "\($0)+0x\(String(o.offset, radix: 16))" } ?? (o.kind.isConfig ? "cfg+0x\(String(o.offset, radix: 16))" : "")
            var line = "  \(o.timePs / 1000) ns  \(o.device)  \(o.kind.rawValue)  \(o.agent)"
            if !place.isEmpty { line += "  \(place)" }
            if o.size > 0 { line += "  \(o.size)B" }
            if let v = o.value { line += "  \(v)" }
            line += "  \(o.outcome.description)"
            if o.accesses > 1 { line += "  (\(o.accesses) writes merged)" }
            if o.afterReset { line += "  AFTER RESET" }
            out += line + "\n"
        }
        if r.deviceViewNotListed > 0 { out += "  ... \(r.deviceViewNotListed) more\n" }
        return out
    }
}
