import Verdicts

/// Human-readable output of `replay --schedule explore`.
public enum ExploreText {
    public static func render(_ results: [ExploreResult], trace: String) -> String {
        results.map { detail($0, trace: trace) }.joined()
    }

    static func detail(_ r: ExploreResult, trace: String) -> String {
        let s = r.explore
        var out = "== \(trace): \(r.policy) / \(r.platform) / explore\n"
        out += "explored: \(s.executions) executions, \(s.states) choice points visited (the in-order execution meets \(s.choicePoints))"
        out += (s.window.map { ", choices open only while reading events \($0)" } ?? "") + "\n"
        out += s.complete
            ? "  complete: every execution the modelled choices allow was replayed; an outcome not listed is impossible\n"
            : "  INCOMPLETE (bound: \(s.bound ?? "?")): " + (s.deviations.map { "every execution within \($0) deviation(s) of the in-order and adversarial ones was replayed" }
                ?? "not even the in-order and adversarial executions were both replayed") + "; an outcome not listed was not found, not proven impossible\n"
        out += "possible verdicts: \(Verdict.allCases.filter { r.verdictCounts[$0] > 0 }.count)\n"
        for verdict in Verdict.allCases.reversed() where r.verdictCounts[verdict] > 0 {
            out += line(verdict.name, count: r.verdictCounts[verdict], of: s.executions, witness: r.witnesses.first { $0.verdict == verdict })
        }
        out += "possible hazards: \(HazardKind.allCases.filter { r.hazardCounts[$0] > 0 }.count)\n"
        for kind in HazardKind.allCases where r.hazardCounts[kind] > 0 {
            out += line(kind.rawValue, count: r.hazardCounts[kind], of: s.executions, witness: r.witnesses.first { $0.hazard == kind })
        }
        return out
    }

    private static func line(_ name: String, count: Int, of executions: Int, witness: Witness?) -> String {
        var out = "  \(name)  in \(count) of \(executions) executions"
        if let w = witness {
            let place = w.region.map { name in w.offset.map { "\(name)+0x\(String($0, radix: 16))" } ?? name }
            out += "  witness: \(([w.agent] + [place].compactMap { $0 }).joined(separator: " ")), \(w.deviations) choice(s) from \(w.baseline)"
            if let file = w.file { out += ", \(file)" }
        }
        return out + "\n"
    }
}
