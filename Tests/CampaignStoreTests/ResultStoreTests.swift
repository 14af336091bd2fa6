import CampaignStore
import Foundation
import GRDB
import Testing
import Verdicts

@Suite struct ResultStoreTests {
    @Test func recordsRoundTrip() throws {
        try withTemporaryDirectory { directory in
            let goldens = [golden("2000000000000000", seed: .max), golden("1000000000000000")]
            var odd = experiment("00000000000000ff", seed: UInt64(Int64.max) + 7, chain: "é → ✓, \"quoted\"\nline")
            odd.simulatedNs = .max
            // Empty text is bound as '' (not NULL, which the NOT NULL columns would refuse).
            var empty = experiment("0000000000000200", chain: "")
            empty.members = ""
            let experiments = [experiment("0000000000000100", verdict: .guestAbort, weight: 3), odd, empty]
            let store = try ResultStore(path: directory.file("r.db"))
            try store.begin(sampleCampaign, shard: Shard(index: 2, count: 3))
            try store.insert(goldens: goldens)
            try store.insert(experiments: experiments)

            let reopened = try ResultStore.openExisting(path: directory.file("r.db"))
            #expect(try reopened.goldens() == goldens.sorted { $0.id < $1.id })
            #expect(try reopened.experiments() == experiments.sorted { $0.id < $1.id })
            #expect(try reopened.goldenIDs() == Set(goldens.map(\.id)))
            #expect(try reopened.experimentIDs() == Set(experiments.map(\.id)))
            let (campaign, shard) = try reopened.campaign()
            #expect(campaign == sampleCampaign)
            #expect(shard == Shard(index: 2, count: 3))
            #expect(shard.description == "2/3")
        }
    }

    /// A database written before the golden runs kept their hazards (schema v2) reads with
    /// none, read-only as it is, and writable once migrated.
    @Test func schemaTwoGoldenRunsReadWithoutHazards() throws {
        try withTemporaryDirectory { directory in
            let path = directory.file("v2.db")
            let store = try ResultStore(path: path)
            try store.begin(sampleCampaign, shard: .whole)
            try store.insert(goldens: [golden("1000000000000000")])
            try DatabaseQueue(path: path).write { db in
                try db.execute(sql: "ALTER TABLE golden_runs DROP COLUMN hazards")
                try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier LIKE 'v3:%'")
            }
            var expected = golden("1000000000000000")
            expected.hazards = HazardCounts()
            #expect(try ResultStore.openExisting(path: path, readOnly: true).goldens() == [expected])
            #expect(try ResultStore.openExisting(path: path).goldens() == [expected])
        }
    }

    @Test func resumeNeedsTheSameSpecAndShard() throws {
        try withTemporaryDirectory { directory in
            let store = try ResultStore(path: directory.file("r.db"))
            try store.begin(sampleCampaign, shard: Shard(index: 1, count: 2))
            try store.begin(sampleCampaign, shard: Shard(index: 1, count: 2))

            var changed = sampleCampaign
            changed.specHash = "ffeeddccbbaa0099"
            let specError = #expect(throws: StoreError.self) { try store.begin(changed, shard: Shard(index: 1, count: 2)) }
            let specMessage = specError?.description ?? ""
            #expect(specMessage.contains(directory.file("r.db")))
            #expect(specMessage.contains("00112233445566ff") && specMessage.contains("ffeeddccbbaa0099"))
            #expect(specMessage.contains("use another --db"))

            let shardError = #expect(throws: StoreError.self) { try store.begin(sampleCampaign, shard: Shard(index: 2, count: 2)) }
            #expect(shardError?.description.contains("shard 1/2") == true)
            #expect(shardError?.description.contains("shard 2/2") == true)

            var newEngine = sampleCampaign
            newEngine.engineVersion = "1.0.0"
            #expect(throws: StoreError.self) { try store.begin(newEngine, shard: Shard(index: 1, count: 2)) }
            #expect(throws: StoreError.self) { try store.begin(sampleCampaign, shard: Shard(index: 3, count: 2)) }
        }
    }

    @Test func openExistingRefusesWhatIsNotACampaignDatabase() throws {
        try withTemporaryDirectory { directory in
            let missing = #expect(throws: StoreError.self) { try ResultStore.openExisting(path: directory.file("none.db")) }
            #expect(missing?.description == "\(directory.file("none.db")): no such database")

            let store = try ResultStore(path: directory.file("empty.db"))
            #expect(throws: StoreError.self) { try store.campaign() }
            #expect(throws: StoreError.self) { try store.setPlanned(3) }
            let empty = #expect(throws: StoreError.self) { try ResultStore.openExisting(path: directory.file("empty.db")) }
            #expect(empty?.description.contains("not a campaign database") == true)

            try "not sqlite at all\n".write(toFile: directory.file("text.db"), atomically: true, encoding: .utf8)
            let text = #expect(throws: StoreError.self) { try ResultStore.openExisting(path: directory.file("text.db")) }
            #expect(text?.description.hasPrefix("\(directory.file("text.db")): not a campaign database") == true)
            #expect(try String(contentsOfFile: directory.file("text.db"), encoding: .utf8) == "not sqlite at all\n")
        }
    }

    /// Experiments marked in flight go to the journal beside the database: those started and
    /// neither finished nor stored are suspects, for another store on the same file too (the
    /// next process); a line cut short is ignored; settling removes the journal.
    @Test func inFlightJournal() throws {
        try withTemporaryDirectory { directory in
            let path = directory.file("r.db")
            let store = try makeStore(path, experiments: [experiment("0000000000000001")])
            try store.markInFlight(["0000000000000001", "0000000000000002", "0000000000000003", "0000000000000004"])
            try store.markFinished(["0000000000000003"])
            try store.markRunningAlone("0000000000000005")
            try store.insert(experiments: [], failures: [FailedExperimentRecord(id: "0000000000000004", golden: "1000000000000000",
                                                                                fault: "UR at bar0+0x44 read #3", kind: "UR", error: "trap")])
            let handle = try #require(FileHandle(forWritingAtPath: path + "-inflight"))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data("00000000000000".utf8))
            try handle.close()
            let expected = ["0000000000000002", "0000000000000005"]
            #expect(try store.suspects().map(\.id) == expected)
            #expect(try ResultStore(path: path).suspects().map { "\($0.id):\($0.aloneRuns)" } == ["0000000000000002:0", "0000000000000005:1"])
            try store.settleInFlight()
            #expect(!FileManager.default.fileExists(atPath: path + "-inflight"))
            #expect(try store.suspects().map(\.id) == ["0000000000000005"])
        }
    }

    /// A long run's journal stays small: once a megabyte is appended it is rewritten with only
    /// what is running, and reads the same.
    @Test func inFlightJournalIsCompacted() throws {
        try withTemporaryDirectory { directory in
            let path = directory.file("r.db")
            let store = try makeStore(path, experiments: [])
            try store.markInFlight(["00000000000000aa"])
            for batch in 0..<40 {
                let ids = (0..<1000).map { String(format: "%016llx", 0x1000 + batch * 1000 + $0) }
                try store.markInFlight(ids)
                try store.markFinished(batch == 39 ? Array(ids.dropFirst()) : ids)
            }
            let size = try #require(try FileManager.default.attributesOfItem(atPath: path + "-inflight")[.size] as? Int)
            #expect(size < 1 << 20)
            #expect(try store.suspects().map(\.id) == ["00000000000000aa", String(format: "%016llx", 0x1000 + 39_000)])
        }
    }

    @Test func identicalDuplicatesAreIgnoredAndConflictsThrow() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory.file("r.db"), experiments: [experiment("0000000000000001")])
            try store.insert(experiments: [experiment("0000000000000001"), experiment("0000000000000002")])
            try store.insert(goldens: [golden("1000000000000000")])
            #expect(try store.experimentIDs() == ["0000000000000001", "0000000000000002"])

            let conflict = #expect(throws: StoreError.self) {
                try store.insert(experiments: [experiment("0000000000000001", verdict: .guestAbort)])
            }
            let message = conflict?.description ?? ""
            #expect(message.contains("experiment 0000000000000001"))
            #expect(message.contains("verdict, contained, stopped_early"))
            #expect(message.contains("version bump"))

            var changedGolden = golden("1000000000000000")
            changedGolden.tlps += 1
            #expect(throws: StoreError.self) { try store.insert(goldens: [changedGolden]) }
        }
    }

    @Test func aBatchWithAConflictStoresNothing() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory.file("r.db"), experiments: [experiment("0000000000000005")])
            let batch = [
                experiment("0000000000000001"), experiment("0000000000000005", weight: 9), experiment("0000000000000009"),
            ]
            #expect(throws: StoreError.self) { try store.insert(experiments: batch) }
            #expect(try store.experimentIDs() == ["0000000000000005"])
            #expect(try store.experiments() == [experiment("0000000000000005")])
        }
    }

    /// The writer thread's batches, stored together, give exactly the rows their concatenation
    /// gives (steps shared between batches stored once), and a conflict in a later batch stores
    /// nothing of the earlier ones.
    @Test func batchesAreStoredAsTheirConcatenation() throws {
        try withTemporaryDirectory { directory in
            let otherStep = EvidenceStep(rule: "ca-to-sea", inputs: "CA completion", result: "SEA", source: "docs/domain.md §4")
            let failure = FailedExperimentRecord(id: "0000000000000004", golden: "1000000000000000", fault: "CA at bar0+0x10 read #1", kind: "CA",
                                                 error: "stopped")
            let batches = [
                ResultBatch(experiments: [experiment("0000000000000003"), experiment("0000000000000001", evidence: [urStep, otherStep])], failures: []),
                ResultBatch(experiments: [], failures: []),
                ResultBatch(experiments: [experiment("0000000000000002", verdict: .guestAbort, evidence: [otherStep])], failures: [failure]),
            ]
            let together = try makeStore(directory.file("batches.db"), experiments: [])
            try together.insert(batches: batches)
            let concatenated = try makeStore(directory.file("concatenated.db"), experiments: [])
            try concatenated.insert(experiments: batches.flatMap(\.experiments), failures: batches.flatMap(\.failures))
            #expect(try together.experiments() == concatenated.experiments())
            #expect(try together.experiments().count == 3)
            #expect(try together.failures() == [failure])
            #expect(try exported(together, .json, in: directory) == exported(concatenated, .json, in: directory))

            let conflicting = [
                ResultBatch(experiments: [experiment("0000000000000007")], failures: []),
                ResultBatch(experiments: [experiment("0000000000000001", weight: 9)], failures: []),
            ]
            #expect(throws: StoreError.self) { try together.insert(batches: conflicting) }
            #expect(try together.experimentIDs() == ["0000000000000001", "0000000000000002", "0000000000000003", "0000000000000004"])
        }
    }

    @Test func journalModeIsWAL() throws {
        try withTemporaryDirectory { directory in
            try makeStore(directory.file("r.db"), experiments: [experiment("0000000000000001")])
            let mode = try DatabaseQueue(path: directory.file("r.db")).read { db in
                try String.fetchOne(db, sql: "PRAGMA journal_mode")
            }
            #expect(mode == "wal")
        }
    }

    /// Verdicts are read back into ``Verdict``: a stored name that is no verdict is an error,
    /// in the rows, in the status counts and in the golden runs' counts.
    @Test func storedTextThatIsNoVerdictIsAnError() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory.file("r.db"), shard: .whole, experiments: [experiment("0000000000000001")])
            #expect(try store.experiments().map(\.verdict) == [.hostPanic])
            try DatabaseQueue(path: directory.file("r.db")).write { db in
                try db.execute(sql: "UPDATE experiments SET verdict = 'guest-panic'")
                try db.execute(sql: "UPDATE golden_runs SET verdicts = '{\"panic\":1}'")
            }
            for read in [{ _ = try store.experiments() }, { _ = try store.status() }, { _ = try store.goldens() }] as [() throws -> Void] {
                let error = #expect(throws: StoreError.self, performing: read)
                #expect(error?.description.contains("is not a verdict") == true)
            }
        }
    }

    /// `check()` names every damaged row (a verdict that is none, evidence that lists no step
    /// ids or a step that is missing) and finds nothing in a sound database.
    @Test func checkNamesEveryDamagedRow() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory.file("r.db"), shard: .whole,
                                      experiments: [experiment("0000000000000001"), experiment("0000000000000002"), experiment("0000000000000003"),
                                                    experiment("0000000000000004", evidence: [EvidenceStep(rule: "r", inputs: "i", result: "x", source: "s")])])
            #expect(try store.check().isEmpty)
            try DatabaseQueue(path: directory.file("r.db")).write { db in
                try db.execute(sql: "UPDATE experiments SET verdict = 'guest-panic' WHERE id = '0000000000000001'")
                try db.execute(sql: "PRAGMA ignore_check_constraints = 1")
                try db.execute(sql: "UPDATE experiments SET evidence = '[{' WHERE id = '0000000000000003'")
                try db.execute(sql: "DELETE FROM evidence_steps WHERE rule = 'r'")
            }
            let problems = try store.check()
            #expect(problems.count == 3)
            #expect(problems[0].hasPrefix("experiment 0000000000000001: stored verdict 'guest-panic' is not a verdict"))
            #expect(problems[1] == "experiment 0000000000000003: evidence '[{' is not a list of step ids")
            let missing = EvidenceStep(rule: "r", inputs: "i", result: "x", source: "s").id
            #expect(problems[2] == "experiment 0000000000000004: evidence step \(missing) is missing")
        }
    }

    @Test func statusCountsRowsAndWeightsPerVerdict() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(
                directory.file("r.db"), shard: Shard(index: 1, count: 2),
                experiments: [
                    experiment("0000000000000003", verdict: .hostPanic, weight: 4),
                    experiment("0000000000000001", verdict: .guestAbort, weight: 2),
                    experiment("0000000000000002", verdict: .hostPanic, weight: 1),
                    experiment("0000000000000004", golden: "2000000000000000", verdict: .guestAbort, weight: 5),
                ])
            var status = try store.status()
            #expect(status.campaign == sampleCampaign)
            #expect(status.shard == Shard(index: 1, count: 2))
            #expect(status.planned == nil && !status.isComplete)
            #expect(status.experiments == 4 && status.goldens == 2 && status.weightedTotal == 12)
            #expect(status.verdictCounts == [
                VerdictCount(verdict: .guestAbort, rows: 2, weight: 7), VerdictCount(verdict: .hostPanic, rows: 2, weight: 5),
            ])

            try store.setPlanned(5)
            status = try store.status()
            #expect(status.planned == 5 && !status.isComplete)
            try store.insert(experiments: [experiment("0000000000000005", verdict: .guestSilent)])
            status = try store.status()
            #expect(status.isComplete && status.weightedTotal == 13)
            #expect(status.verdictCounts.map(\.verdict) == [.guestAbort, .guestSilent, .hostPanic])
        }
    }
}
