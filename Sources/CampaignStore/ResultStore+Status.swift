internal import GRDB
import Verdicts

extension ResultStore {
    /// The campaign, shard and planned count, with the rows stored and their weights per verdict.
    public func status() throws -> StoreStatus {
        try reading { db in
            guard let stored = try CampaignRow.fetch(db) else { throw notCampaign }
            let sql = "SELECT verdict, COUNT(*), SUM(weight) FROM experiments GROUP BY verdict ORDER BY verdict"
            let verdictCounts = try Row.fetchAll(db, sql: sql).map { row in
                VerdictCount(verdict: try StoredVerdict.decode(row.decode(atIndex: 0)), rows: try row.decode(atIndex: 1), weight: try row.decode(atIndex: 2))
            }
            return StoreStatus(
                campaign: stored.info,
                shard: stored.shard,
                planned: stored.planned,
                experiments: verdictCounts.reduce(0) { $0 + $1.rows },
                failed: try db.tableExists("failed_experiments") ? Int.fetchOne(db, sql: "SELECT COUNT(*) FROM failed_experiments") ?? 0 : 0,
                goldens: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM golden_runs") ?? 0,
                weightedTotal: verdictCounts.reduce(0) { $0 + $1.weight },
                verdictCounts: verdictCounts
            )
        }
    }
}

/// The weight of one verdict under one (policy, platform).
public struct PairVerdictWeight: Hashable, Sendable {
    public var policy: String
    public var platform: String
    public var verdict: Verdict
    /// Fault sites: the sum of the experiments' weights.
    public var weight: Int
}

extension ResultStore {
    /// Weighted verdict counts per (policy, platform), computed in the database (a summary of
    /// a million experiments without reading them), sorted by policy, platform and verdict.
    public func verdictWeightsByPair() throws -> [PairVerdictWeight] {
        try reading { db in
            let sql = """
                SELECT policy, platform, verdict, SUM(weight) FROM experiments
                GROUP BY policy, platform, verdict ORDER BY policy, platform, verdict
                """
            return try Row.fetchAll(db, sql: sql).map { row in
                PairVerdictWeight(policy: try row.decode(atIndex: 0), platform: try row.decode(atIndex: 1),
                                  verdict: try StoredVerdict.decode(row.decode(atIndex: 2)), weight: try row.decode(atIndex: 3))
            }
        }
    }
}
