internal import GRDB

/// A shard that a database stands for, with the experiments it planned.
///
/// A merged database lists every shard merged into it in `merged_shards`; any other database
/// stands for its own shard. The campaign's planned count is known once, for some N, shards
/// 1/N ... N/N are all listed with planned counts: it is their sum (for the smallest such N).
/// Merging a merged database carries its list over, so merging in steps or at once agree.
struct ShardPlan: Hashable {
    var shard: Shard
    var planned: Int?

    /// The shards the database stands for: those merged into it, or else its own.
    static func fetchAll(_ db: Database) throws -> [ShardPlan] {
        let sql = "SELECT shard_index, shard_count, planned FROM merged_shards ORDER BY shard_count, shard_index"
        let merged = try Row.fetchAll(db, sql: sql).map { row in
            ShardPlan(
                shard: Shard(index: try row.decode(atIndex: 0), count: try row.decode(atIndex: 1)),
                planned: try row.decode(atIndex: 2)
            )
        }
        guard merged.isEmpty, let own = try CampaignRow.fetch(db) else { return merged }
        return [ShardPlan(shard: own.shard, planned: own.planned)]
    }

    /// Lists the shard as merged; a planned count already known is kept when this one is nil.
    func save(_ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO merged_shards (shard_index, shard_count, planned) VALUES (?, ?, ?)
                ON CONFLICT (shard_index, shard_count) DO UPDATE SET planned = coalesce(excluded.planned, planned)
                """,
            arguments: [shard.index, shard.count, planned]
        )
    }

    /// The campaign's planned count, if `plans` cover all shards of some count with known
    /// planned counts.
    static func plannedTotal(_ plans: [ShardPlan]) -> Int? {
        let byCount = Dictionary(grouping: plans, by: \.shard.count)
        for count in byCount.keys.sorted() {
            let group = byCount[count] ?? []
            let planned = group.compactMap(\.planned)
            if Set(group.map(\.shard.index)) == Set(1...count), planned.count == group.count {
                return planned.reduce(0, +)
            }
        }
        return nil
    }
}
