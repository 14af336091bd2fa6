import CampaignStore
import Verdicts

/// How `campaign run` executes a campaign (none of it changes a result, except `pruning`,
/// which is part of the spec's hash).
public struct CampaignOptions: Sendable {
    /// Concurrent workers.
    public var jobs: Int
    /// Which part of the experiments to run.
    public var shard: Shard
    /// Whether equivalent fault sites share one experiment (weighted by the class size).
    public var pruning: Bool
    /// Whether experiments fork from snapshots of the golden run (else each re-simulates from
    /// the start: for verification and benchmarks).
    public var snapshots: Bool
    /// Whether experiments stop once their verdict is final.
    public var earlyStop: Bool
    /// Golden-run steps between the snapshots that work is split at.
    public var snapshotInterval: Int
    /// Experiments per database transaction.
    public var batchSize: Int

    public init(jobs: Int, shard: Shard = .whole, pruning: Bool = true, snapshots: Bool = true, earlyStop: Bool = true,
                snapshotInterval: Int = 2_048, batchSize: Int = 2_000) {
        self.jobs = max(jobs, 1)
        self.shard = shard
        self.pruning = pruning
        self.snapshots = snapshots
        self.earlyStop = earlyStop
        self.snapshotInterval = max(snapshotInterval, 1)
        self.batchSize = max(batchSize, 1)
    }
}

/// What a running campaign reports, for a progress display.
public struct CampaignProgress: Sendable {
    public enum Phase: String, Sendable {
        /// Golden runs: enumerating fault sites.
        case golden
        /// Experiments.
        case experiments
    }

    public var phase: Phase
    /// Golden runs or experiments done (resumed ones included) and in all.
    public var done: Int
    public var total: Int
    /// Experiments already in the database when this run started.
    public var resumed: Int
    /// Verdicts so far, weighted by class size, by name.
    public var verdicts: VerdictCounts
    /// Experiments this run recorded as failed.
    public var failed = 0
}
