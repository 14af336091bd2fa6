import CampaignStore
import Verdicts

extension Regression {
    /// The regression view in any format: the counts and transitions, then the changed sites
    /// grouped by trace, fault kind, register and change, each with its count, a few example
    /// sites and the chains of the first (JSON also lists every change).
    public func text(_ format: ComparisonFormat) -> String {
        switch format {
        case .json: Comparison.json(self)
        case .csv: csv
        case .html: html
        case .table, .md: tables(markdown: format == .md)
        }
    }

    private var headline: String {
        "\(comparedSites) fault sites in both (\(campaignA) → \(campaignB)); \(changes.count) changed verdict; "
            + "\(onlyInA) only in the first, \(onlyInB) only in the second"
    }

    private var sortedTransitions: [(String, Int)] {
        transitions.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { ($0.key, $0.value) }
    }

    private static let groupHeader = ["trace", "fault kind", "register", "change", "sites"]

    private func groupRow(_ g: Group) -> [String] {
        [g.trace, g.kind, g.register, "\(g.from) → \(g.to)", "\(g.sites)"]
    }

    private func examples(_ g: Group) -> String {
        g.examples.joined(separator: "; ") + (g.sites > g.examples.count ? "; and \(g.sites - g.examples.count) more" : "")
    }

    private func tables(markdown: Bool) -> String {
        let h = markdown ? "## " : ""
        var out = markdown ? "# Regression: \(campaignA) → \(campaignB)\n\n\(headline)\n\n" : headline + "\n"
        for (transition, sites) in sortedTransitions { out += markdown ? "- \(sites) × \(transition)\n" : "  \(sites)  \(transition)\n" }
        guard !groups.isEmpty else { return out }
        out += "\n\(h)Changed sites by trace, fault kind, register and change (\(groups.count) groups)\n\n"
        out += TextTable.render(Self.groupHeader, groups.map(groupRow), markdown: markdown)
        for g in groups {
            out += "\n\(markdown ? "### " : "")\(g.trace) · \(g.register): \(g.from) → \(g.to) (\(g.sites) site\(g.sites == 1 ? "" : "s"))\n"
            out += markdown ? "\n- sites: \(examples(g))\n- before: \(g.fromChain)\n- after: \(g.toChain)\n"
                : "  sites:  \(examples(g))\n  before: \(g.fromChain)\n  after:  \(g.toChain)\n"
        }
        return out
    }

    private var csv: String {
        var out = "trace,kind,register,from,to,sites,examples\n"
        for g in groups {
            out += [g.trace, g.kind, g.register, g.from.name, g.to.name, "\(g.sites)", g.examples.joined(separator: "; ")].map(ExportText.csvField)
                .joined(separator: ",") + "\n"
        }
        return out
    }

    private var html: String {
        var body = "<h1>Regression: \(Comparison.escape(campaignA)) → \(Comparison.escape(campaignB))</h1>\n<p class=\"summary\">\(Comparison.escape(headline))</p>\n"
        body += Comparison.table(["change", "sites"], sortedTransitions.map { [$0.0, "\($0.1)"] })
        if groups.isEmpty { return Comparison.page(title: "regression", body: body + "<p>No fault site changes verdict.</p>\n") }
        body += "<h2>Changed sites by trace, fault kind, register and change</h2>\n" + Comparison.table(Self.groupHeader, groups.map(groupRow))
        for g in groups {
            body += "<details><summary>\(Comparison.escape("\(g.trace) · \(g.register): \(g.from) → \(g.to) (\(g.sites))"))</summary>"
                + "<p>\(Comparison.escape(examples(g)))</p><div class=\"chains\"><div><h4>before</h4><p>\(Comparison.escape(g.fromChain))</p></div>"
                + "<div><h4>after</h4><p>\(Comparison.escape(g.toChain))</p></div></div></details>\n"
        }
        return Comparison.page(title: "regression", body: body)
    }
}
