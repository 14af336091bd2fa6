import CampaignStore
import Verdicts

/// What `compare DB_A DB_B` reports: the fault sites whose verdict differs between two
/// campaigns (two engine versions, two profiles of one platform, ...), matched by trace name,
/// policy, platform, schedule, seed and fault.
public struct Regression: Hashable, Sendable, Codable {
    /// A site whose verdict changed.
    public struct Change: Hashable, Sendable, Codable {
        /// `trace, policy, platform, schedule: fault`.
        public var site: String
        public var from: Verdict
        public var to: Verdict
        public var fromChain: String
        public var toChain: String
    }

    public var campaignA: String
    public var campaignB: String
    /// Sites present in both.
    public var comparedSites: Int
    public var onlyInA: Int
    public var onlyInB: Int
    /// Changed sites by (from, to) verdict, as `from → to`, most first.
    public var transitions: [String: Int]
    /// Every changed site, sorted by site.
    public var changes: [Change]

    /// Compares two results databases site by site.
    public init(_ a: ResultStore, _ b: ResultStore) throws {
        campaignA = try a.campaign().0.name
        campaignB = try b.campaign().0.name
        let rowsA = try a.experiments(), rowsB = try b.experiments()
        let sitesA = Self.sites(rowsA), sitesB = Self.sites(rowsB)
        var compared = 0
        var changes: [Change] = []
        var transitions: [String: Int] = [:]
        for key in sitesA.keys.sorted() {
            guard let x = sitesA[key], let y = sitesB[key] else { continue }
            compared += 1
            guard x.verdict != y.verdict else { continue }
            let context = key.context.split(separator: "\u{1F}", omittingEmptySubsequences: false)
            changes.append(Change(site: "\(context[2]), \(context[0]), \(context[1]), \(context[3]): \(key.fault)", from: x.verdict, to: y.verdict,
                                  fromChain: rowsA[x.experiment].chain, toChain: rowsB[y.experiment].chain))
            transitions["\(x.verdict) → \(y.verdict)", default: 0] += 1
        }
        comparedSites = compared
        onlyInA = sitesA.count - compared
        onlyInB = sitesB.count - compared
        self.transitions = transitions
        self.changes = changes
    }

    /// Every site of the rows, keyed by policy, platform, trace, schedule and seed.
    private static func sites(_ rows: [ExperimentRecord]) -> [SiteKey: SiteResult] {
        expandSites(rows) { row in
            ("", [row.policy, row.platform, row.trace, row.schedule, row.seed.map(String.init) ?? "-"].joined(separator: "\u{1F}"))
        }[""] ?? [:]
    }
}
