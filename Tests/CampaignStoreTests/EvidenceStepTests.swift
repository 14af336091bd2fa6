import CampaignStore
import Foundation
import GRDB
import SeededRandom
import Testing

/// Evidence steps are stored once each (schema v4) and read back as written.
@Suite struct EvidenceStepTests {
    /// A step's id depends on its four texts only, and each text counts.
    @Test func idIsAStableHashOfTheContent() {
        let step = EvidenceStep(rule: "tlp", inputs: "effective normal-nc", result: "MWr", source: "PCIe")
        #expect(step.id == EvidenceStep(rule: "tlp", inputs: "effective normal-nc", result: "MWr", source: "PCIe").id)
        // The fields are separated: moving text from one to the next changes the id.
        #expect(step.id != EvidenceStep(rule: "tl", inputs: "peffective normal-nc", result: "MWr", source: "PCIe").id)
        // FNV-1a of "a\0b\0c\0d\0": the same on every machine and run.
        #expect(EvidenceStep(rule: "a", inputs: "b", result: "c", source: "d").id == Int64(bitPattern: StableHash(["a", "b", "c", "d"]).value))
    }

    /// Random evidence (shared and unique steps, empty lists, texts that need escaping) reads
    /// back equal, each distinct step is stored once, and the view lists every row's steps.
    @Test(arguments: [1, 2, 3])
    func evidenceRoundTrips(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let pool = (0..<12).map { i in
            EvidenceStep(rule: "rule-\(i % 5)", inputs: "at \(i) ns, \"q\"\t\\", result: "result \(i)\nnext", source: "§\(i)")
        }
        let records = (0..<200).map { i in
            let steps = (0..<Int(random.next(below: 8))).map { _ in pool[Int(random.next(below: UInt64(pool.count)))] }
            return experiment(String(format: "%016llx", UInt64(i) &* 0x9E37_79B9_7F4A_7C15), evidence: steps)
        }
        try withTemporaryDirectory { directory in
            let path = directory.file("r.db")
            let store = try makeStore(path, experiments: Array(records.prefix(120)))
            try store.insert(experiments: Array(records.dropFirst(120)))
            #expect(try store.experiments() == records.sorted { $0.id < $1.id })
            #expect(try store.check().isEmpty)
            let distinct = Set(records.flatMap(\.evidence))
            let (stored, lists, viewed) = try DatabaseQueue(path: path).read { db in
                (try Int.fetchOne(db, sql: "SELECT count(*) FROM evidence_steps"),
                 try String.fetchAll(db, sql: "SELECT evidence FROM experiments ORDER BY id"),
                 try Row.fetchAll(db, sql: "SELECT experiment, rule, inputs, result, source FROM experiment_evidence ORDER BY experiment, position"))
            }
            #expect(stored == distinct.count)
            // Rows list the ids as a JSON array of decimal integers, with no spaces.
            #expect(lists == records.sorted { $0.id < $1.id }.map { "[" + $0.evidence.map { String($0.id) }.joined(separator: ",") + "]" })
            let listed = records.sorted { $0.id < $1.id }.flatMap { e in e.evidence.map { (e.id, $0) } }
            #expect(viewed.count == listed.count)
            for (row, (id, step)) in zip(viewed, listed) {
                #expect(row[0] as String == id)
                #expect(EvidenceStep(rule: row[1], inputs: row[2], result: row[3], source: row[4]) == step)
            }
        }
    }

    /// Writing the same step again, from another store on the same file (a resumed run), adds
    /// nothing; a stored step with the same id and other content (a collision) fails the batch.
    @Test func aStepWithTheSameIDAndOtherContentIsRefused() throws {
        try withTemporaryDirectory { directory in
            let path = directory.file("r.db")
            try makeStore(path, experiments: [experiment("0000000000000001")])
            try ResultStore(path: path).insert(experiments: [experiment("0000000000000002")])
            let stored = try DatabaseQueue(path: path).read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM evidence_steps") }
            #expect(stored == 2)
            try DatabaseQueue(path: path).write { db in
                try db.execute(sql: "UPDATE evidence_steps SET result = 'other' WHERE id = ?", arguments: [panicStep.id])
            }
            let error = #expect(throws: StoreError.self) {
                try ResultStore(path: path).insert(experiments: [experiment("0000000000000003")])
            }
            #expect(error?.description.contains("evidence step \(panicStep.id) is stored with other content") == true)
            #expect(try ResultStore(path: path).experimentIDs() == ["0000000000000001", "0000000000000002"])
        }
    }

    /// A database written before schema v4 (evidence objects in each row) reads as it is when
    /// opened read-only, and is migrated when opened writable: same experiments, same export.
    @Test func schemaThreeEvidenceIsMigrated() throws {
        try withTemporaryDirectory { directory in
            let path = directory.file("v3.db")
            let records = [experiment("0000000000000001"), experiment("0000000000000002", evidence: []),
                           experiment("0000000000000003", evidence: [panicStep, EvidenceStep(rule: "r", inputs: "\"i\"", result: "x", source: "s")])]
            try makeStore(path, experiments: records)
            try DatabaseQueue(path: path).write { db in
                for record in records {
                    try db.execute(sql: "UPDATE experiments SET evidence = ? WHERE id = ?", arguments: [Self.objectsJSON(record.evidence), record.id])
                }
                try db.execute(sql: "DROP VIEW experiment_evidence; DROP TABLE evidence_steps")
                try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier LIKE 'v4:%'")
            }
            let readOnly = try ResultStore.openExisting(path: path, readOnly: true)
            #expect(try readOnly.experiments() == records)
            let exportedBefore = try exported(readOnly, .json, in: directory)
            let migrated = try ResultStore.openExisting(path: path)
            #expect(try migrated.experiments() == records)
            #expect(try exported(migrated, .json, in: directory) == exportedBefore)
            #expect(try migrated.check().isEmpty)
            let (emptyList, stored) = try DatabaseQueue(path: path).read { db in
                (try String.fetchOne(db, sql: "SELECT evidence FROM experiments WHERE id = '0000000000000002'"),
                 try Int.fetchOne(db, sql: "SELECT count(*) FROM evidence_steps"))
            }
            #expect(emptyList == "[]")
            #expect(stored == 3)
        }
    }

    /// Evidence as schema v3 stored it: JSON objects, with spaces as a JSON library may write.
    static func objectsJSON(_ steps: [EvidenceStep]) -> String {
        ("[" + steps.map(\.jsonObject).joined(separator: ",") + "]").replacing(",\"", with: ", \"").replacing(",{", with: ", {")
    }
}

extension EvidenceStepTests {
    /// A row's list of step ids is read strictly: spaces between tokens are fine; anything else
    /// (an object, a number past 64 bits, a trailing comma, text after the list) is named by
    /// `check()`.
    @Test func idListsAreReadStrictly() throws {
        try withTemporaryDirectory { directory in
            let path = directory.file("r.db")
            let store = try makeStore(path, experiments: (1...6).map { experiment(String(format: "%016llx", $0), evidence: [urStep]) })
            let lists = [" [ \(urStep.id) ] ", "[{}]", "[9223372036854775808]", "[1,]", "[] []", "[-9223372036854775808]"]
            try DatabaseQueue(path: path).write { db in
                try db.execute(sql: "PRAGMA ignore_check_constraints = 1")
                for (i, list) in lists.enumerated() {
                    try db.execute(sql: "UPDATE experiments SET evidence = ? WHERE id = ?", arguments: [list, String(format: "%016llx", i + 1)])
                }
            }
            #expect(try store.check() == [
                "experiment 0000000000000002: evidence '[{}]' is not a list of step ids",
                "experiment 0000000000000003: evidence '[9223372036854775808]' is not a list of step ids",
                "experiment 0000000000000004: evidence '[1,]' is not a list of step ids",
                "experiment 0000000000000005: evidence '[] []' is not a list of step ids",
                "experiment 0000000000000006: evidence step -9223372036854775808 is missing",
            ])
        }
    }
}
