import Foundation
internal import GRDB

extension ResultStore {
    /// Merges shard databases into `output`, creating it if missing, and returns its status.
    ///
    /// Every input, and the output if it already holds a campaign, must hold the same spec hash
    /// and engine version. Rows are inserted idempotently (merging a shard twice changes
    /// nothing); a row whose id is stored with different content fails the merge. Each input is
    /// merged in one transaction. The output's shard is `Shard.whole`. It remembers which shards
    /// were merged into it (in this call or earlier ones, directly or through another merged
    /// database): its planned count is the sum of theirs once all shards 1/N ... N/N of some N
    /// are in, each with a planned count; until then it is nil.
    @discardableResult
    public static func merge(_ inputs: [String], into output: String) throws -> StoreStatus {
        guard !inputs.isEmpty else {
            throw StoreError("\(output): nothing to merge: expected at least one shard database")
        }
        if let input = inputs.first(where: { sameFile($0, output) }) {
            throw StoreError("\(input): cannot merge a database into itself: give another output")
        }
        let sources = try inputs.map(MergeSource.init(path:))
        let first = sources[0]
        if let other = sources.first(where: { !$0.campaign.info.isSameCampaign(as: first.campaign.info) }) {
            throw StoreError(
                "\(other.path) holds \(other.campaign.summary), but \(first.path) holds \(first.campaign.summary): "
                    + "only shards of one campaign (same spec hash and engine version) can be merged"
            )
        }
        // Shards of different shard plans (1/2 and 2/3) overlap and leave gaps: refuse them.
        if let other = sources.first(where: { source in source.plans.contains { $0.shard.count != first.plans.first?.shard.count } }) {
            let shards = { (s: MergeSource) in s.plans.map { "\($0.shard)" }.joined(separator: ", ") }
            throw StoreError("\(other.path) holds shard \(shards(other)), but \(first.path) holds shard \(shards(first)): "
                + "only shards of one plan (the same N in I/N) can be merged")
        }
        let store = try ResultStore(path: output)
        for source in sources {
            try store.absorb(source)
        }
        return try store.status()
    }

    private static func sameFile(_ a: String, _ b: String) -> Bool {
        func canonical(_ path: String) -> String {
            URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        }
        return canonical(a) == canonical(b)
    }

    /// Merges one input in one transaction: campaign, rows, shard list and planned count.
    private func absorb(_ source: MergeSource) throws {
        try translatingErrors {
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "ATTACH DATABASE ? AS shard", arguments: [source.path])
                do {
                    try db.inTransaction {
                        try adoptCampaign(of: source, db)
                        try copyRows(GoldenRecord.self, from: source, db)
                        try copyEvidenceSteps(from: source, db)
                        try copyRows(ExperimentRecord.self, from: source, db)
                        try copyRows(FailedExperimentRecord.self, from: source, db)
                        for plan in source.plans {
                            try plan.save(db)
                        }
                        let planned = ShardPlan.plannedTotal(try ShardPlan.fetchAll(db))
                        try db.execute(
                            sql: "UPDATE campaign SET shard_index = 1, shard_count = 1, planned = ?", arguments: [planned])
                        return .commit
                    }
                } catch {
                    try? db.execute(sql: "DETACH DATABASE shard")
                    throw error
                }
                try db.execute(sql: "DETACH DATABASE shard")
            }
        }
    }

    /// Gives the output the source's campaign, or checks that it holds the same one. An output
    /// that held unmerged rows of its own keeps standing for its shard, now listed as merged.
    private func adoptCampaign(of source: MergeSource, _ db: Database) throws {
        guard let stored = try CampaignRow.fetch(db) else {
            return try CampaignRow(info: source.campaign.info, shard: .whole, planned: nil).insert(db)
        }
        guard stored.info.isSameCampaign(as: source.campaign.info) else {
            throw StoreError(
                "\(path) holds \(stored.summary), but \(source.path) holds \(source.campaign.summary): "
                    + "merge into another output"
            )
        }
        for plan in try ShardPlan.fetchAll(db) {
            try plan.save(db)
        }
    }

    /// Inserts the attached source's rows that the output lacks, after checking that the rows
    /// both hold are identical.
    private func copyRows<Record: StoredRecord>(_: Record.Type, from source: MergeSource, _ db: Database) throws {
        let table = Record.table
        let differs = Record.columns.dropFirst().map { "s.\($0) IS NOT m.\($0)" }.joined(separator: " OR ")
        let conflictSQL = """
            SELECT s.id FROM shard.\(table) AS s JOIN main.\(table) AS m ON m.id = s.id
            WHERE \(differs) ORDER BY s.id LIMIT 1
            """
        if let id = try String.fetchOne(db, sql: conflictSQL) {
            throw StoreError(
                "\(source.path) and \(path) hold different contents for \(Record.noun) \(id): "
                    + "the engine changed without a version bump"
            )
        }
        try db.execute(sql: """
            INSERT INTO main.\(table) (\(Record.columnList))
            SELECT \(Record.columnList) FROM shard.\(table) WHERE true ON CONFLICT (id) DO NOTHING
            """)
    }
}

extension ResultStore {
    /// Inserts the attached source's evidence steps that the output lacks, after checking that
    /// the steps both hold are identical (ids are content hashes: a difference is a collision).
    fileprivate func copyEvidenceSteps(from source: MergeSource, _ db: Database) throws {
        let differs = ["rule", "inputs", "result", "source"].map { "s.\($0) IS NOT m.\($0)" }.joined(separator: " OR ")
        let conflictSQL = """
            SELECT s.id FROM shard.evidence_steps AS s JOIN main.evidence_steps AS m ON m.id = s.id
            WHERE \(differs) ORDER BY s.id LIMIT 1
            """
        if let id = try Int64.fetchOne(db, sql: conflictSQL) {
            throw StoreError("\(source.path) and \(path) hold different contents for evidence step \(id) (a 64-bit hash collision)")
        }
        try db.execute(sql: """
            INSERT INTO main.evidence_steps (id, rule, inputs, result, source)
            SELECT id, rule, inputs, result, source FROM shard.evidence_steps WHERE true ON CONFLICT (id) DO NOTHING
            """)
    }
}

/// An input of a merge, checked to be a campaign database, with the shards it stands for.
private struct MergeSource {
    var path: String
    var campaign: CampaignRow
    var plans: [ShardPlan]

    init(path: String) throws {
        let store = try ResultStore.openExisting(path: path)
        (campaign, plans) = try store.reading { db in
            guard let campaign = try CampaignRow.fetch(db) else { throw store.notCampaign }
            return (campaign, try ShardPlan.fetchAll(db))
        }
        self.path = path
    }
}
