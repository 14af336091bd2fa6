import Verdicts

/// One golden (fault-free) run of a campaign: the reference its experiments fork from.
public struct GoldenRecord: Hashable, Sendable {
    /// 16 hex digits, stable across runs.
    public var id: String
    /// The trace's name as the spec names it.
    public var trace: String
    /// Hash of the trace's content.
    public var traceHash: String
    /// Attribute policy name.
    public var policy: String
    /// Platform profile name.
    public var platform: String
    /// Schedule name.
    public var schedule: String
    /// The schedule's seed, for seeded schedules.
    public var seed: UInt64?
    /// Trace events replayed.
    public var events: Int
    /// TLPs on the link.
    public var tlps: Int
    /// Bytes on the link.
    public var linkBytes: Int
    /// Simulated time of the run, in nanoseconds.
    public var simulatedNs: UInt64
    /// CPU writes issued.
    public var cpuWrites: Int
    /// Write transactions that left the CPU.
    public var writeTransactions: Int
    /// CPU writes per write transaction; must be finite.
    public var writeCombiningRatio: Double
    /// How many verdicts of each kind the run gave without any fault (device errors, hazards).
    public var verdicts: VerdictCounts
    /// How many hazards of each kind the run gave without any fault (the driver's own business,
    /// docs/verdicts.md). Databases written before schema v3 hold none.
    public var hazards: HazardCounts
    /// Fault sites enumerated on this run.
    public var sites: Int
    /// Experiments forked from this run (pruning classes, or sites without pruning).
    public var experiments: Int

    /// A golden run with these fields.
    public init(
        id: String, trace: String, traceHash: String, policy: String, platform: String, schedule: String,
        seed: UInt64?, events: Int, tlps: Int, linkBytes: Int, simulatedNs: UInt64, cpuWrites: Int,
        writeTransactions: Int, writeCombiningRatio: Double, verdicts: VerdictCounts, hazards: HazardCounts = HazardCounts(), sites: Int,
        experiments: Int
    ) {
        self.id = id
        self.trace = trace
        self.traceHash = traceHash
        self.policy = policy
        self.platform = platform
        self.schedule = schedule
        self.seed = seed
        self.events = events
        self.tlps = tlps
        self.linkBytes = linkBytes
        self.simulatedNs = simulatedNs
        self.cpuWrites = cpuWrites
        self.writeTransactions = writeTransactions
        self.writeCombiningRatio = writeCombiningRatio
        self.verdicts = verdicts
        self.hazards = hazards
        self.sites = sites
        self.experiments = experiments
    }
}

/// One experiment: a golden run replayed with one injected fault, and its verdict.
public struct ExperimentRecord: Hashable, Sendable {
    /// 16 hex digits, a stable hash of what decides the experiment.
    public var id: String
    /// The id of the `GoldenRecord` it forks from.
    public var golden: String
    /// The trace's name as the spec names it.
    public var trace: String
    /// Attribute policy name.
    public var policy: String
    /// Platform profile name.
    public var platform: String
    /// Schedule name.
    public var schedule: String
    /// The schedule's seed, for seeded schedules.
    public var seed: UInt64?
    /// Canonical fault text, e.g. `UR at bar0+0x44 read #3`.
    public var fault: String
    /// Fault kind, e.g. `UR`.
    public var kind: String
    /// The experiment's worst verdict.
    public var verdict: Verdict
    /// The evidence chain on one line.
    public var chain: String
    /// The evidence of the worst verdict, in the order its rules were applied.
    public var evidence: [EvidenceStep]
    /// TLPs on the link.
    public var tlps: Int
    /// Bytes on the link.
    public var linkBytes: Int
    /// Simulated time of the experiment, in nanoseconds.
    public var simulatedNs: UInt64
    /// Simulation events the experiment processed.
    public var steps: Int
    /// Whether the experiment stopped before the end of the trace.
    public var stoppedEarly: Bool
    /// Size of the pruning class it stands for (1 without pruning).
    public var weight: Int
    /// The occurrences (`#N`) of its fault's register, request and kind that it stands for, as
    /// ranges (`3,5-9`): its pruning class, so that results pair site by site across policies.
    public var members: String

    /// An experiment with these fields.
    public init(
        id: String, golden: String, trace: String, policy: String, platform: String, schedule: String,
        seed: UInt64?, fault: String, kind: String, verdict: Verdict, chain: String,
        evidence: [EvidenceStep], tlps: Int, linkBytes: Int, simulatedNs: UInt64, steps: Int, stoppedEarly: Bool,
        weight: Int, members: String = ""
    ) {
        self.id = id
        self.golden = golden
        self.trace = trace
        self.policy = policy
        self.platform = platform
        self.schedule = schedule
        self.seed = seed
        self.fault = fault
        self.kind = kind
        self.verdict = verdict
        self.chain = chain
        self.evidence = evidence
        self.tlps = tlps
        self.linkBytes = linkBytes
        self.simulatedNs = simulatedNs
        self.steps = steps
        self.stoppedEarly = stoppedEarly
        self.weight = weight
        self.members = members
    }

    /// Whether the fault stayed contained (the verdict's own property).
    public var contained: Bool { verdict.contained }
}

/// An experiment that gave no result: the replay threw, or the process stopped twice while it
/// ran alone (a trap in the engine). Stored so that the campaign completes and says so.
public struct FailedExperimentRecord: Hashable, Sendable {
    /// The experiment's id, as its result would have had.
    public var id: String
    /// The golden run it forks from.
    public var golden: String
    /// The fault's canonical text.
    public var fault: String
    /// The fault kind's spelling.
    public var kind: String
    /// What went wrong.
    public var error: String

    /// A failed experiment with these fields.
    public init(id: String, golden: String, fault: String, kind: String, error: String) {
        self.id = id
        self.golden = golden
        self.fault = fault
        self.kind = kind
        self.error = error
    }
}
