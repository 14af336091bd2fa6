internal import GRDB

extension ResultStore {
    /// Verifies the whole database: SQLite's own `integrity_check`, then every golden run,
    /// experiment and failed-experiment row decoded as the store reads it (every experiment's
    /// evidence steps found).
    /// - Returns: One line per problem (the row's table and id, and what is wrong); empty when
    ///   the database is sound.
    public func check() throws -> [String] {
        try reading { db in
            var problems = try String.fetchAll(db, sql: "PRAGMA integrity_check").filter { $0 != "ok" }.map { "integrity: \($0)" }
            problems += try rowProblems(GoldenRecord.self, db)
            problems += try rowProblems(ExperimentRecord.self, db)
            if try db.tableExists(FailedExperimentRecord.table) { problems += try rowProblems(FailedExperimentRecord.self, db) }
            return problems
        }
    }

    private func rowProblems<Record: StoredRecord>(_: Record.Type, _ db: Database) throws -> [String] {
        var problems: [String] = []
        let evidence = try EvidenceReader(db)
        let rows = try Row.fetchCursor(db, sql: "\(Record.selectSQL) ORDER BY id")
        while let row = try rows.next() {
            do {
                _ = try Record(row: row, evidence: evidence)
            } catch {
                let id: String = (try? row.decode(atIndex: 0)) ?? "?"
                problems.append("\(Record.noun) \(id): \(error)")
            }
        }
        return problems
    }
}
