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
        public var trace: String
        /// The fault kind (`CA`, `UR`, ...).
        public var kind: String
        /// The fault without its occurrence (`CA at bar0+0x1c read`): the register it hits.
        public var register: String
        public var from: Verdict
        public var to: Verdict
        public var fromChain: String
        public var toChain: String
    }

    /// Changed sites with the same trace, fault kind, register and change of verdict.
    public struct Group: Hashable, Sendable, Codable {
        public var trace: String
        public var kind: String
        public var register: String
        public var from: Verdict
        public var to: Verdict
        public var sites: Int
        /// The first sites (at most ``examplesKept``), with the chains of the first.
        public var examples: [String]
        public var fromChain: String
        public var toChain: String
        public static let examplesKept = 3
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
    /// The changed sites grouped, most sites first (then by trace, kind, register, change).
    public var groups: [Group]

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
            let row = rowsA[x.experiment]
            let register = row.registerAndOccurrence?.register ?? row.fault
            changes.append(Change(site: "\(context[2]), \(context[0]), \(context[1]), \(context[3]): \(key.fault)", trace: row.trace, kind: row.kind,
                                  register: register, from: x.verdict, to: y.verdict, fromChain: row.chain, toChain: rowsB[y.experiment].chain))
            transitions["\(x.verdict) → \(y.verdict)", default: 0] += 1
        }
        comparedSites = compared
        onlyInA = sitesA.count - compared
        onlyInB = sitesB.count - compared
        self.transitions = transitions
        self.changes = changes
        groups = Self.group(changes)
    }

    static func group(_ changes: [Change]) -> [Group] {
        var groups: [Group] = []
        var index: [String: Int] = [:]
        for change in changes {
            let key = [change.trace, change.kind, change.register, change.from.name, change.to.name].joined(separator: "\u{1F}")
            if let i = index[key] {
                groups[i].sites += 1
                if groups[i].examples.count < Group.examplesKept { groups[i].examples.append(change.site) }
            } else {
                index[key] = groups.count
                groups.append(Group(trace: change.trace, kind: change.kind, register: change.register, from: change.from, to: change.to,
                                    sites: 1, examples: [change.site], fromChain: change.fromChain, toChain: change.toChain))
            }
        }
        return groups.sorted {
            ($1.sites, $0.trace, $0.kind, $0.register, $0.from.severity, $0.to.severity) < ($0.sites, $1.trace, $1.kind, $1.register, $1.from.severity, $1.to.severity)
        }
    }

    /// Every site of the rows, keyed by policy, platform, trace, schedule and seed.
    private static func sites(_ rows: [ExperimentRecord]) -> [SiteKey: SiteResult] {
        expandSites(rows) { row in
            ("", [row.policy, row.platform, row.trace, row.schedule, row.seed.map(String.init) ?? "-"].joined(separator: "\u{1F}"))
        }[""] ?? [:]
    }
}
