import CampaignStore
import Diagnostics
import Faults
import Verdicts

/// The report's answer first (docs/compare.md): what is uncontained under each (policy, platform),
/// from injected faults and from the golden runs, against the baseline; then the uncontained
/// fault sites broken down by what was hit.
extension Comparison {
    /// What is uncontained under one (policy, platform).
    public struct Outcome: Hashable, Sendable, Codable {
        public var policy: String
        public var platform: String
        /// Fault sites (pruning classes weighted by their size), and those uncontained.
        public var faultSites: Int
        public var uncontainedSites: Int
        /// Golden runs (no fault injected).
        public var goldenRuns: Int
        /// The uncontained verdicts the golden runs gave, by kind (e.g. `post-reclaim-write`
        /// after a reclaim on a platform that lets posted writes through).
        public var goldenUncontained: [Verdict: Int]
        /// The hazards the golden runs gave, by kind.
        public var goldenHazards: [HazardKind: Int]
        /// What the golden runs cost: TLPs and bytes on the link, CPU writes per write transaction.
        public var tlps: Int
        public var linkBytes: Int
        public var writeCombiningRatio: Double
        /// This row against the baseline's row of the same context; nil for the baseline's own
        /// rows and rows the baseline has no counterpart of.
        public var change: OutcomeChange?

        /// Uncontained verdicts over all golden runs.
        public var goldenUncontainedTotal: Int { goldenUncontained.values.reduce(0, +) }
        public var goldenHazardsTotal: Int { goldenHazards.values.reduce(0, +) }
    }

    /// An outcome minus the baseline's outcome in the same context.
    public struct OutcomeChange: Hashable, Sendable, Codable {
        /// The baseline's (policy, platform).
        public var policy: String
        public var platform: String
        public var uncontainedSites: Int
        public var goldenUncontained: Int
        public var goldenHazards: Int
        public var tlps: Int
        public var linkBytes: Int
        public var writeCombiningRatio: Double
    }

    /// Uncontained fault sites that share a trace, fault kind, request kind, register and verdict.
    public struct UncontainedGroup: Hashable, Sendable, Codable {
        public var trace: String
        /// The fault kind (`CA`, `UR`, ...).
        public var kind: String
        /// The faulted request (`read`, `write`, `cfg-read`, `cfg-write`), `any` when the fault
        /// names none, `-` for faults at an event or a time.
        public var request: String
        /// The fault's target (`bar0+0x1c`, `cfg nvme0+0x4`, `event 12`).
        public var register: String
        public var verdict: Verdict
        /// Sites over every (policy, platform).
        public var sites: Int
        /// The (policy, platform) pairs with these sites, in (policy, platform) order.
        public var pairs: [PairSites]
    }

    /// How many of a group's sites one (policy, platform) has.
    public struct PairSites: Hashable, Sendable, Codable {
        public var policy: String
        public var platform: String
        public var sites: Int
    }

    /// What one cost is against the baseline's.
    public struct CostChange: Hashable, Sendable, Codable {
        /// The baseline's name (policy, platform or kernel policy).
        public var against: String
        public var tlps: Int
        public var linkBytes: Int
        public var simulatedNs: Int64
        public var writeCombiningRatio: Double
    }

    /// One outcome per (policy, platform) of the cells and golden runs, in (policy, platform)
    /// order, each against its counterpart under the baseline.
    static func outcomes(cells: [Cell], goldens: [GoldenRecord], counterpart: (_ policy: String, _ platform: String) -> (String, String)?) -> [Outcome] {
        struct Pair: Hashable, Comparable {
            var policy: String, platform: String
            static func < (a: Pair, b: Pair) -> Bool { (a.policy, a.platform) < (b.policy, b.platform) }
        }
        var outcomes: [Pair: Outcome] = [:]
        var writes: [Pair: (cpu: Int, transactions: Int)] = [:]
        func empty(_ pair: Pair) -> Outcome {
            Outcome(policy: pair.policy, platform: pair.platform, faultSites: 0, uncontainedSites: 0, goldenRuns: 0,
                    goldenUncontained: [:], goldenHazards: [:], tlps: 0, linkBytes: 0, writeCombiningRatio: 0, change: nil)
        }
        for cell in cells {
            let pair = Pair(policy: cell.policy, platform: cell.platform)
            outcomes[pair, default: empty(pair)].faultSites += cell.sites
            outcomes[pair, default: empty(pair)].uncontainedSites += cell.uncontained
        }
        for golden in goldens {
            let pair = Pair(policy: golden.policy, platform: golden.platform)
            var outcome = outcomes[pair] ?? empty(pair)
            outcome.goldenRuns += 1
            outcome.tlps += golden.tlps
            outcome.linkBytes += golden.linkBytes
            writes[pair, default: (0, 0)].cpu += golden.cpuWrites
            writes[pair, default: (0, 0)].transactions += golden.writeTransactions
            for (verdict, count) in golden.verdicts.nonZero where !verdict.contained { outcome.goldenUncontained[verdict, default: 0] += count }
            for (hazard, count) in golden.hazards.nonZero { outcome.goldenHazards[hazard, default: 0] += count }
            outcomes[pair] = outcome
        }
        for (pair, w) in writes where w.transactions > 0 { outcomes[pair]!.writeCombiningRatio = Double(w.cpu) / Double(w.transactions) }
        return outcomes.keys.sorted().map { pair in
            var outcome = outcomes[pair]!
            if let (policy, platform) = counterpart(pair.policy, pair.platform), let base = outcomes[Pair(policy: policy, platform: platform)] {
                outcome.change = OutcomeChange(policy: policy, platform: platform,
                                               uncontainedSites: outcome.uncontainedSites - base.uncontainedSites,
                                               goldenUncontained: outcome.goldenUncontainedTotal - base.goldenUncontainedTotal,
                                               goldenHazards: outcome.goldenHazardsTotal - base.goldenHazardsTotal,
                                               tlps: outcome.tlps - base.tlps, linkBytes: outcome.linkBytes - base.linkBytes,
                                               writeCombiningRatio: outcome.writeCombiningRatio - base.writeCombiningRatio)
            }
            return outcome
        }
    }

    /// The uncontained rows' sites grouped by trace, fault kind, request, register and verdict,
    /// most sites first.
    static func uncontainedGroups(_ rows: [ExperimentRecord]) -> [UncontainedGroup] {
        struct Key: Hashable { var trace, kind, request, register: String, verdict: Verdict }
        struct Pair: Hashable { var policy, platform: String }
        var sites: [Key: [Pair: Int]] = [:]
        for row in rows where !row.verdict.contained {
            let (request, register) = Self.requestAndRegister(row)
            let key = Key(trace: row.trace, kind: row.kind, request: request, register: register, verdict: row.verdict)
            sites[key, default: [:]][Pair(policy: row.policy, platform: row.platform), default: 0] += row.weight
        }
        return sites.map { key, pairs in
            UncontainedGroup(trace: key.trace, kind: key.kind, request: key.request, register: key.register, verdict: key.verdict,
                             sites: pairs.values.reduce(0, +),
                             pairs: pairs.map { PairSites(policy: $0.policy, platform: $0.platform, sites: $1) }
                                 .sorted { ($0.policy, $0.platform) < ($1.policy, $1.platform) })
        }.sorted {
            ($1.sites, $0.trace, $0.kind, $0.request, $0.register, $1.verdict.severity)
                < ($0.sites, $1.trace, $1.kind, $1.request, $1.register, $0.verdict.severity)
        }
    }

    /// The faulted request and target of a row, from its fault read back with the fault grammar.
    private static func requestAndRegister(_ row: ExperimentRecord) -> (request: String, register: String) {
        guard let fault = try? Fault.parse(row.fault, location: SourceLocation(file: "database", line: 1, column: 1)) else {
            return ("-", row.registerAndOccurrence?.register ?? row.fault)
        }
        switch fault.site {
        case .tlp(let match, _): return (match.request?.spelling ?? "any", Fault.targetText(match.target))
        case .event(let n): return ("-", "event \(n)")
        case .time(let ns): return ("-", Fault.timeText(ns))
        }
    }

    /// `cost` minus `base`.
    static func change(_ cost: Cost, against base: Cost) -> CostChange {
        CostChange(against: base.name, tlps: cost.tlps - base.tlps, linkBytes: cost.linkBytes - base.linkBytes,
                   simulatedNs: Int64(bitPattern: cost.simulatedNs &- base.simulatedNs),
                   writeCombiningRatio: cost.writeCombiningRatio - base.writeCombiningRatio)
    }
}
