extension TraceSummary {
    /// A human-readable report, as `inspect` prints it. Maps and counts are listed in a fixed
    /// order so that the text is deterministic.
    public var text: String {
        var out = "trace \(file)\n"
        out += "devices\n"
        if devices.isEmpty { out += "  (none)\n" }
        for d in devices {
            out += "  \(d.name)  \(d.bdf ?? "platform")  model \(d.model)\n"
        }
        out += "regions\n"
        if regions.isEmpty { out += "  (none)\n" }
        for r in regions {
            out += "  \(r.name)  \(r.device)  \(r.kind)\(r.prefetchable ? " prefetchable" : "")  \(r.base) size \(r.size)"
            out += "  reads \(r.reads)  writes \(r.writes)\n"
            let spaces = r.stage1.keys.sorted()
            let declared = spaces.map { "\($0) \(r.stage1[$0]!)" }
            out += "    stage 1: " + (declared + ["otherwise the default (vmm device-ngnrne, kernels device-ngnre)"]).joined(separator: ", ") + "\n"
        }
        out += "events \(events.total)"
        if let span = timeSpan { out += "  from \(span.firstNs) ns to \(span.lastNs) ns (\(span.durationNs) ns)" }
        out += "\n"
        let kinds = events.byKind.filter { $0.value > 0 }.sorted { $0.key < $1.key }
        out += "  by kind: " + (kinds.isEmpty ? "-" : kinds.map { "\($0.key) \($0.value)" }.joined(separator: ", ")) + "\n"
        let agents = events.byAgent.sorted { $0.key < $1.key }
        out += "  by agent: " + (agents.isEmpty ? "-" : agents.map { "\($0.key) \($0.value)" }.joined(separator: ", ")) + "\n"
        let totalWarnings = warningCounts.values.reduce(0, +)
        out += "warnings \(totalWarnings)\n"
        for w in warnings { out += "  \(w.location): warning: \(w.message) [\(w.code)]\n" }
        for (code, count) in warningCounts.sorted(by: { $0.key < $1.key }) where count > TraceSummarizer.examplesPerCode {
            out += "  ... and \(count - TraceSummarizer.examplesPerCode) more [\(code)]\n"
        }
        return out
    }
}
