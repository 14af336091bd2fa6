import Foundation
internal import GRDB

/// How experiment rows hold their evidence, and the table `evidence_steps` that holds each
/// distinct step once (schema v4; docs/campaigns.md).
///
/// The `experiments.evidence` column lists step ids, `[id,id,...]` in order. Databases written
/// before schema v4 held the steps themselves there, as a JSON array of objects; the v4
/// migration moves them, and a database of an earlier schema opened read-only reads them as
/// they are.
enum StoredEvidence {
    static let createTable = """
        CREATE TABLE evidence_steps (
            id INTEGER PRIMARY KEY NOT NULL,
            rule TEXT NOT NULL,
            inputs TEXT NOT NULL,
            result TEXT NOT NULL,
            source TEXT NOT NULL
        ) STRICT;

        -- Every experiment's evidence, one step per row in order, for reading with sqlite3.
        CREATE VIEW experiment_evidence AS
            SELECT e.id AS experiment, CAST(j.key AS INTEGER) AS position, s.rule, s.inputs, s.result, s.source
            FROM experiments AS e, json_each(e.evidence) AS j JOIN evidence_steps AS s ON s.id = j.value;
        """

    /// Stores `step` unless stored already; fails if a stored step has the same id and other
    /// content (a hash collision), rather than lose one.
    static func insert(_ step: EvidenceStep, _ db: Database) throws {
        let statement = try db.cachedStatement(sql: "INSERT INTO evidence_steps (id, rule, inputs, result, source) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING")
        try statement.executeBound(in: db) { columns in
            columns.add(step.id)
            columns.add(step.rule)
            columns.add(step.inputs)
            columns.add(step.result)
            columns.add(step.source)
        }
        if db.changesCount == 0, let stored = try fetch(step.id, db), stored != step {
            throw StoreError("evidence step \(step.id) is stored with other content (a 64-bit hash collision): "
                + "'\(stored.rule): \(stored.result)' and '\(step.rule): \(step.result)'")
        }
    }

    static func fetch(_ id: Int64, _ db: Database) throws -> EvidenceStep? {
        let statement = try db.cachedStatement(sql: "SELECT rule, inputs, result, source FROM evidence_steps WHERE id = ?")
        return try Row.fetchOne(statement, arguments: [id]).map { row in
            EvidenceStep(rule: try row.decode(atIndex: 0), inputs: try row.decode(atIndex: 1),
                         result: try row.decode(atIndex: 2), source: try row.decode(atIndex: 3))
        }
    }

    /// The steps of evidence as schema v3 stored it, a JSON array of objects; nil if it is not.
    static func objects(_ text: String) -> [EvidenceStep]? {
        try? JSONDecoder().decode([EvidenceStep].self, from: Data(text.utf8))
    }

    /// The v4 migration: every experiment's evidence objects become steps, and the row lists
    /// their ids. A row whose evidence does not decode (damaged by hand; `campaign status
    /// --check` names it) is left as it is.
    static func migrate(_ db: Database) throws {
        try db.execute(sql: createTable)
        let update = try db.makeStatement(sql: "UPDATE experiments SET evidence = ? WHERE id = ?")
        let rows = try Row.fetchCursor(db, sql: "SELECT id, evidence FROM experiments")
        var known = Set<Int64>()
        var updates: [(id: String, list: String)] = []
        while let row = try rows.next() {
            let text: String = try row.decode(atIndex: 1)
            guard let steps = objects(text) else { continue }
            for step in steps where known.insert(step.id).inserted { try insert(step, db) }
            updates.append((try row.decode(atIndex: 0), steps.idList))
        }
        for (id, list) in updates {
            try update.executeBound(in: db) { columns in
                columns.add(list)
                columns.add(id)
            }
        }
    }
}

/// Reads experiments' stored evidence back as steps, within one read; remembers the steps it
/// has read, since most rows share most of theirs.
final class EvidenceReader {
    private let db: Database
    /// Whether rows list step ids (schema v4), or hold the steps (an earlier schema, read-only).
    private let listsIDs: Bool
    private var cache: [Int64: EvidenceStep] = [:]
    /// The steps read most recently, kept however many distinct steps a database holds.
    private static let cacheLimit = 1 << 16

    init(_ db: Database) throws {
        self.db = db
        listsIDs = try db.tableExists("evidence_steps")
    }

    /// The steps of a row's `evidence` column.
    func steps(_ stored: String) throws -> [EvidenceStep] {
        guard listsIDs else {
            guard let steps = StoredEvidence.objects(stored) else { throw StoreError("evidence is not a JSON array of steps") }
            return steps
        }
        guard let ids = Self.ids(stored) else {
            throw StoreError("evidence '\(stored.prefix(40))' is not a list of step ids")
        }
        return try ids.map { id in
            if let step = cache[id] { return step }
            guard let step = try StoredEvidence.fetch(id, db) else { throw StoreError("evidence step \(id) is missing") }
            if cache.count >= Self.cacheLimit { cache.removeAll(keepingCapacity: true) }
            cache[id] = step
            return step
        }
    }

    /// The integers of `[12,-40]` (spaces allowed between tokens), or nil if the text is not
    /// such a list (or a number does not fit in 64 bits).
    static func ids(_ text: String) -> [Int64]? {
        var text = text
        return text.withUTF8 { bytes -> [Int64]? in
            var ids: [Int64] = []
            var i = 0
            func skipSpaces() { while i < bytes.count, bytes[i] == UInt8(ascii: " ") { i += 1 } }
            func take(_ byte: UInt8) -> Bool {
                skipSpaces()
                guard i < bytes.count, bytes[i] == byte else { return false }
                i += 1
                return true
            }
            guard take(UInt8(ascii: "[")) else { return nil }
            if !take(UInt8(ascii: "]")) {
                repeat {
                    skipSpaces()
                    let negative = i < bytes.count && bytes[i] == UInt8(ascii: "-")
                    if negative { i += 1 }
                    let start = i
                    var magnitude: UInt64 = 0
                    while i < bytes.count, bytes[i] &- UInt8(ascii: "0") < 10 {
                        let (times10, over1) = magnitude.multipliedReportingOverflow(by: 10)
                        let (sum, over2) = times10.addingReportingOverflow(UInt64(bytes[i] &- UInt8(ascii: "0")))
                        guard !over1, !over2 else { return nil }
                        magnitude = sum
                        i += 1
                    }
                    guard i > start, magnitude <= (negative ? UInt64(Int64.max) + 1 : UInt64(Int64.max)) else { return nil }
                    ids.append(negative ? Int64(truncatingIfNeeded: 0 &- magnitude) : Int64(magnitude))
                } while take(UInt8(ascii: ","))
                guard take(UInt8(ascii: "]")) else { return nil }
            }
            skipSpaces()
            return i == bytes.count ? ids : nil
        }
    }
}
