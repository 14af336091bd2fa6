import ArmMemory
import CampaignStore
import Verdicts

/// What `compare DB` reports (docs/compare.md): first what is uncontained per (policy, platform),
/// from injected faults and from golden runs, against the baseline, and the uncontained sites by
/// what they hit; then verdicts per (policy, platform) weighted by pruning class size, the paired
/// comparison of each fault site under the baseline and each other policy (or platform) as a
/// transition matrix, and the cost of each from the golden runs against the baseline's.
public struct Comparison: Hashable, Sendable, Codable {
    /// Verdicts of one (policy, platform).
    public struct Cell: Hashable, Sendable, Codable {
        public var policy: String
        public var platform: String
        /// Fault sites by verdict.
        public var verdicts: [Verdict: Int]
        public var sites: Int
        public var contained: Int
        public var uncontained: Int
        /// The uncontained rate with its 95% Wilson interval, for sampled fault spaces only.
        public var uncontainedRate: Proportion?
    }

    /// One cell of a transition matrix: sites whose verdict was `from` under the baseline and
    /// `to` under the other.
    public struct Transition: Hashable, Sendable, Codable {
        public var from: Verdict
        public var to: Verdict
        public var sites: Int
        /// Up to three sites, as `trace, platform, schedule: fault`.
        public var examples: [String]
        /// The evidence chains of the first example, under the baseline and under the other.
        public var fromChain: String
        public var toChain: String
    }

    /// The baseline against one other policy (or platform).
    public struct Matrix: Hashable, Sendable, Codable {
        public var baseline: String
        public var other: String
        /// Fault sites present under both.
        public var pairedSites: Int
        /// Every non-empty cell, changed ones first (most sites first), then unchanged.
        public var transitions: [Transition]
    }

    /// What one policy (or platform) costs on one trace.
    public struct TraceCost: Hashable, Sendable, Codable {
        public var trace: String
        public var cost: Cost
    }

    /// What one policy (or platform) costs, summed over its golden runs.
    public struct Cost: Hashable, Sendable, Codable {
        public var name: String
        public var goldenRuns: Int
        public var tlps: Int
        public var linkBytes: Int
        public var simulatedNs: UInt64
        /// CPU writes per write transaction over all its golden runs.
        public var writeCombiningRatio: Double
        /// Against the baseline's cost (nil for the baseline and what has no counterpart).
        public var change: CostChange?
    }

    public var campaign: String
    public var dimension: String
    public var baseline: String
    /// Whether the fault space was sampled (rates carry confidence intervals).
    public var sampled: Bool
    public var verdictOrder: [Verdict]
    /// Per (policy, platform): uncontained outcomes from faults and golden runs.
    public var outcomes: [Outcome]
    /// Every uncontained fault site, grouped by trace, fault kind, request, register and verdict.
    public var uncontainedGroups: [UncontainedGroup]
    public var cells: [Cell]
    public var matrices: [Matrix]
    public var costs: [Cost]
    /// The costs of each trace's golden runs, by trace then name.
    public var traceCosts: [TraceCost]

    /// Whether any fault site or golden run has an uncontained verdict.
    public var hasUncontained: Bool { outcomes.contains { $0.uncontainedSites > 0 || $0.goldenUncontainedTotal > 0 } }
}

/// A `compare` input that cannot be compared.
public struct ComparisonError: Error, Hashable, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension Comparison {
    /// Compares the results in `store`.
    ///
    /// - Parameters:
    ///   - dimension: What the transition matrices and costs compare: policies (under the same
    ///     platform, trace and schedule), platforms (under the same policy), or the kernel
    ///     versions of kernel policies (under the same CPU, capabilities and platform).
    ///   - baseline: The policy or platform to compare the others with (default: `kvm-device`
    ///     or `quiet-pcie` when present, else the first by name).
    ///   - sampled: Whether the campaign's fault space is a sample.
    /// - Throws: ``ComparisonError`` for an unknown baseline, ``StoreError`` from the database.
    public init(store: ResultStore, dimension: ComparisonDimension = .policy, baseline: String? = nil, sampled: Bool) throws {
        let (info, _) = try store.campaign()
        var rows = try store.experiments()
        let allGoldens = try store.goldens()
        var goldens = allGoldens
        uncontainedGroups = Self.uncontainedGroups(rows)
        if dimension == .kernel {
            rows.removeAll { kernelVersionAndRest($0.policy) == nil }
            goldens.removeAll { kernelVersionAndRest($0.policy) == nil }
        }
        campaign = info.name
        self.dimension = dimension.rawValue
        self.sampled = sampled

        (cells, verdictOrder) = Self.cells(try store.verdictWeightsByPair())
        if sampled { for i in cells.indices { cells[i].uncontainedRate = Proportion(cells[i].uncontained, of: cells[i].sites) } }

        // Paired sites.
        let sites = expandSites(rows) { $0.split(by: dimension) }
        let values = sites.keys.sorted()
        let defaultBaseline = switch dimension {
        case .policy: "kvm-device"
        case .platform: "quiet-pcie"
        // The oldest kernel is the natural baseline of a comparison by kernel.
        case .kernel: values.compactMap(KernelVersion.init).min().map { "linux-\($0)" } ?? "linux-6.8"
        }
        guard let chosen = baseline ?? (values.contains(defaultBaseline) ? defaultBaseline : values.first) else {
            self.baseline = baseline ?? defaultBaseline
            outcomes = Self.outcomes(cells: cells, goldens: allGoldens) { _, _ in nil }
            matrices = []
            costs = []
            traceCosts = []
            return
        }
        guard values.contains(chosen) else {
            throw ComparisonError("--baseline names \(dimension.rawValue) '\(chosen)', which the campaign does not have (\(values.joined(separator: ", ")))")
        }
        self.baseline = chosen
        outcomes = Self.outcomes(cells: cells, goldens: allGoldens) { policy, platform in
            switch dimension {
            case .policy: policy == chosen ? nil : (chosen, platform)
            case .platform: platform == chosen ? nil : (policy, chosen)
            case .kernel: Self.kernelCounterpart(of: policy, baseline: chosen).map { ($0, platform) }
            }
        }
        let base = sites[chosen]!
        matrices = values.filter { $0 != chosen }.map { other in
            Self.matrix(baseline: chosen, base, other: other, sites[other]!, rows: rows)
        }

        // Costs, in all and per trace.
        let name = { (g: GoldenRecord) in
            switch dimension {
            case .policy: g.policy
            case .platform: g.platform
            case .kernel: g.policy  // each CPU and capability variant of a kernel costs what it costs
            }
        }
        let counterpart = { (name: String) in
            dimension == .kernel ? Self.kernelCounterpart(of: name, baseline: chosen) : (name == chosen ? nil : chosen)
        }
        costs = Self.costs(goldens, name: name, counterpart: counterpart)
        traceCosts = Dictionary(grouping: goldens, by: \.trace).sorted { $0.key < $1.key }.flatMap { trace, runs in
            Self.costs(runs, name: name, counterpart: counterpart).map { TraceCost(trace: trace, cost: $0) }
        }
    }

    /// The golden runs' costs summed per `name`, each against its counterpart's, by name.
    private static func costs(_ goldens: [GoldenRecord], name: (GoldenRecord) -> String, counterpart: (String) -> String?) -> [Cost] {
        var costs: [String: (cost: Cost, cpuWrites: Int, writeTransactions: Int)] = [:]
        for g in goldens {
            let name = name(g)
            var entry = costs[name] ?? (Cost(name: name, goldenRuns: 0, tlps: 0, linkBytes: 0, simulatedNs: 0, writeCombiningRatio: 0, change: nil), 0, 0)
            entry.cost.goldenRuns += 1
            entry.cost.tlps += g.tlps
            entry.cost.linkBytes += g.linkBytes
            entry.cost.simulatedNs += g.simulatedNs
            entry.cpuWrites += g.cpuWrites
            entry.writeTransactions += g.writeTransactions
            costs[name] = entry
        }
        var totals = costs.mapValues { entry in
            var cost = entry.cost
            cost.writeCombiningRatio = entry.writeTransactions == 0 ? 0 : Double(entry.cpuWrites) / Double(entry.writeTransactions)
            return cost
        }
        for name in totals.keys {
            if let other = counterpart(name), let base = totals[other] { totals[name]!.change = Self.change(totals[name]!, against: base) }
        }
        return totals.keys.sorted().map { totals[$0]! }
    }

    /// The kernel policy of the baseline version with the same CPU and capabilities as
    /// `policy`; nil for the baseline version itself and for other policies.
    private static func kernelCounterpart(of policy: String, baseline: String) -> String? {
        guard let (version, rest) = kernelVersionAndRest(policy), version != baseline else { return nil }
        return baseline + rest
    }

    /// One cell per (policy, platform) from the database's weighted verdict counts, and the
    /// verdicts that occur, worst first (also the table `campaign run` prints).
    public static func cells(_ weights: [PairVerdictWeight]) -> (cells: [Cell], verdictOrder: [Verdict]) {
        var cells: [Cell] = []
        for row in weights {
            if cells.last.map({ ($0.policy, $0.platform) != (row.policy, row.platform) }) ?? true {
                cells.append(Cell(policy: row.policy, platform: row.platform, verdicts: [:], sites: 0, contained: 0, uncontained: 0))
            }
            cells[cells.count - 1].verdicts[row.verdict] = row.weight
            cells[cells.count - 1].sites += row.weight
            if row.verdict.contained {
                cells[cells.count - 1].contained += row.weight
            } else {
                cells[cells.count - 1].uncontained += row.weight
            }
        }
        let seen = Set(weights.map(\.verdict))
        return (cells, Verdict.allCases.reversed().filter(seen.contains))
    }

    private static func matrix(baseline: String, _ base: [SiteKey: SiteResult], other: String, _ sites: [SiteKey: SiteResult],
                               rows: [ExperimentRecord]) -> Matrix {
        struct Pair: Hashable { var from: Verdict, to: Verdict }
        var cells: [Pair: (sites: Int, examples: [SiteKey], first: (Int, Int))] = [:]
        var paired = 0
        for key in base.keys.sorted() {
            guard let b = base[key], let o = sites[key] else { continue }
            paired += 1
            let cell = Pair(from: b.verdict, to: o.verdict)
            var entry = cells[cell] ?? (0, [], (b.experiment, o.experiment))
            entry.sites += 1
            if entry.examples.count < 3 { entry.examples.append(key) }
            cells[cell] = entry
        }
        let transitions = cells.map { cell, entry -> Transition in
            return Transition(from: cell.from, to: cell.to, sites: entry.sites,
                              examples: entry.examples.map { key in
                                  let context = key.context.split(separator: "\u{1F}", omittingEmptySubsequences: false)
                                  return "\(context[1]), \(context[0]), \(context[2]): \(key.fault)"
                              },
                              fromChain: rows[entry.first.0].chain, toChain: rows[entry.first.1].chain)
        }.sorted { a, b in
            let changedA = a.from != a.to, changedB = b.from != b.to
            return (changedA ? 0 : 1, -a.sites, a.from.name, a.to.name) < (changedB ? 0 : 1, -b.sites, b.from.name, b.to.name)
        }
        return Matrix(baseline: baseline, other: other, pairedSites: paired, transitions: transitions)
    }
}
