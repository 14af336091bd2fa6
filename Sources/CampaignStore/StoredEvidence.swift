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
            guard let steps = try? JSONDecoder().decode([EvidenceStep].self, from: Data(text.utf8)) else { continue }
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
            guard let steps = try? JSONDecoder().decode([EvidenceStep].self, from: Data(stored.utf8)) else {
                throw StoreError("evidence is not a JSON array of steps")
            }
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

    /// The integers of `[12,-40]` (spaces allowed between tokens), or nil if the text is not such a list.
    static func ids(_ text: String) -> [Int64]? {
        var ids: [Int64] = []
        var utf8 = Substring(text).utf8
        func skipSpaces() { utf8 = utf8.drop { $0 == UInt8(ascii: " ") } }
        skipSpaces()
        guard utf8.popFirst() == UInt8(ascii: "[") else { return nil }
        skipSpaces()
        if utf8.first == UInt8(ascii: "]") {
            utf8.removeFirst()
            skipSpaces()
            return utf8.isEmpty ? ids : nil
        }
        while true {
            let token = utf8.prefix { $0 == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
            guard let id = Int64(Substring(token)) else { return nil }
            ids.append(id)
            utf8 = utf8.dropFirst(token.count)
            skipSpaces()
            switch utf8.popFirst() {
            case UInt8(ascii: ","): skipSpaces()
            case UInt8(ascii: "]"):
                skipSpaces()
                return utf8.isEmpty ? ids : nil
            default: return nil
            }
        }
    }
}
