import Verdicts

/// How far a database is: its campaign, its shard and what it holds.
public struct StoreStatus: Hashable, Sendable {
    /// The campaign the database holds.
    public var campaign: CampaignInfo
    /// The part of the campaign it holds (`Shard.whole` after a merge).
    public var shard: Shard
    /// Experiments the database should end with, once known.
    public var planned: Int?
    /// Experiment rows stored.
    public var experiments: Int
    /// Experiments that gave no result (see `ResultStore.failures()`).
    public var failed: Int
    /// Golden-run rows stored.
    public var goldens: Int
    /// Sum of the experiments' weights (pruning class sizes).
    public var weightedTotal: Int
    /// Rows and weights per verdict, sorted by verdict.
    public var verdictCounts: [VerdictCount]

    /// A status with these fields.
    public init(
        campaign: CampaignInfo, shard: Shard, planned: Int?, experiments: Int, failed: Int = 0, goldens: Int,
        weightedTotal: Int, verdictCounts: [VerdictCount]
    ) {
        self.campaign = campaign
        self.shard = shard
        self.planned = planned
        self.experiments = experiments
        self.failed = failed
        self.goldens = goldens
        self.weightedTotal = weightedTotal
        self.verdictCounts = verdictCounts
    }

    /// Whether every planned experiment is stored, with a result or failed.
    public var isComplete: Bool { planned == experiments + failed }
}

/// How many experiment rows have one verdict, and the sum of their weights.
public struct VerdictCount: Hashable, Sendable {
    public var verdict: Verdict
    /// Experiment rows with this verdict.
    public var rows: Int
    /// Sum of their weights.
    public var weight: Int

    /// A count with these fields.
    public init(verdict: Verdict, rows: Int, weight: Int) {
        self.verdict = verdict
        self.rows = rows
        self.weight = weight
    }
}
