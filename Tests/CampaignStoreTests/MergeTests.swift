import CampaignStore
import Foundation
import GRDB
import Testing
import Verdicts

@Suite struct MergeTests {
    let all = (1...12).map { i in
        experiment(
            String(format: "%016llx", UInt64(i) &* 0x9E37_79B9_7F4A_7C15), golden: i % 2 == 0 ? "1000000000000000" : "2000000000000000",
            verdict: i % 3 == 0 ? .guestAbort : .hostPanic, weight: i % 4 + 1,
            evidence: [EvidenceStep(rule: "access", inputs: "vcpu0 at \(i / 2) ns", result: "W 4", source: "the trace"), urStep])
    }

    /// Shard `index` of 2: the experiments at even or odd positions.
    func shard(_ index: Int) -> [ExperimentRecord] {
        all.enumerated().filter { $0.offset % 2 == index - 1 }.map(\.element)
    }

    @Test func mergedShardsEqualOneDatabase() throws {
        try withTemporaryDirectory { directory in
            let single = try makeStore(directory.file("single.db"), experiments: all, planned: all.count)
            try makeStore(directory.file("s1.db"), shard: Shard(index: 1, count: 2), experiments: shard(1), planned: 6)
            try makeStore(directory.file("s2.db"), shard: Shard(index: 2, count: 2), experiments: shard(2), planned: 6)

            let status = try ResultStore.merge([directory.file("s1.db"), directory.file("s2.db")], into: directory.file("merged.db"))
            let merged = try ResultStore.openExisting(path: directory.file("merged.db"))
            #expect(status == (try single.status()))
            #expect(try merged.experiments() == (try single.experiments()))
            #expect(try merged.goldens() == (try single.goldens()))
            for format in ExportFormat.allCases {
                #expect(try exported(merged, format, in: directory) == (try exported(single, format, in: directory)))
            }
        }
    }

    /// Shards share steps (stored once in the output); a step whose id the output holds with
    /// other content (a hash collision, or a shard edited by hand) fails that shard's merge.
    @Test func evidenceStepsMergeOnceAndCollisionsFail() throws {
        try withTemporaryDirectory { directory in
            try makeStore(directory.file("s1.db"), shard: Shard(index: 1, count: 2), experiments: shard(1), planned: 6)
            try makeStore(directory.file("s2.db"), shard: Shard(index: 2, count: 2), experiments: shard(2), planned: 6)
            try ResultStore.merge([directory.file("s1.db"), directory.file("s2.db")], into: directory.file("merged.db"))
            let steps = try DatabaseQueue(path: directory.file("merged.db")).read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM evidence_steps") }
            #expect(steps == Set(all.flatMap(\.evidence)).count)

            try makeStore(directory.file("s3.db"), shard: Shard(index: 1, count: 2), experiments: shard(1), planned: 6)
            try DatabaseQueue(path: directory.file("s3.db")).write { db in
                try db.execute(sql: "UPDATE evidence_steps SET source = 'edited' WHERE id = ?", arguments: [urStep.id])
            }
            let error = #expect(throws: StoreError.self) {
                try ResultStore.merge([directory.file("s3.db")], into: directory.file("merged.db"))
            }
            #expect(error?.description.contains("different contents for evidence step \(urStep.id)") == true)
        }
    }

    @Test func mergingAgainChangesNothing() throws {
        try withTemporaryDirectory { directory in
            try makeStore(directory.file("s1.db"), shard: Shard(index: 1, count: 2), experiments: shard(1), planned: 6)
            try makeStore(directory.file("s2.db"), shard: Shard(index: 2, count: 2), experiments: shard(2), planned: 6)
            let inputs = [directory.file("s1.db"), directory.file("s2.db")]
            let first = try ResultStore.merge(inputs, into: directory.file("merged.db"))
            let merged = try ResultStore.openExisting(path: directory.file("merged.db"))
            let exports = try ExportFormat.allCases.map { try exported(merged, $0, in: directory) }

            #expect(try ResultStore.merge(inputs, into: directory.file("merged.db")) == first)
            #expect(try ResultStore.merge([directory.file("s2.db"), directory.file("s2.db")], into: directory.file("merged.db")) == first)
            #expect(try ExportFormat.allCases.map { try exported(merged, $0, in: directory) } == exports)
        }
    }

    @Test func mergeRefusesAnotherCampaign() throws {
        try withTemporaryDirectory { directory in
            var other = sampleCampaign
            other.specHash = "9999999999999999"
            try makeStore(directory.file("s1.db"), shard: Shard(index: 1, count: 2), experiments: shard(1))
            try makeStore(directory.file("x2.db"), campaign: other, shard: Shard(index: 2, count: 2), experiments: shard(2))

            let error = #expect(throws: StoreError.self) {
                try ResultStore.merge([directory.file("s1.db"), directory.file("x2.db")], into: directory.file("merged.db"))
            }
            let message = error?.description ?? ""
            #expect(message.contains(directory.file("s1.db")) && message.contains(directory.file("x2.db")))
            #expect(message.contains("00112233445566ff") && message.contains("9999999999999999"))
            #expect(!FileManager.default.fileExists(atPath: directory.file("merged.db")))

            try ResultStore.merge([directory.file("x2.db")], into: directory.file("other.db"))
            let outputError = #expect(throws: StoreError.self) {
                try ResultStore.merge([directory.file("s1.db")], into: directory.file("other.db"))
            }
            #expect(outputError?.description.contains(directory.file("other.db")) == true)
            #expect(try ResultStore.openExisting(path: directory.file("other.db")).experimentIDs() == Set(shard(2).map(\.id)))

            #expect(throws: StoreError.self) { try ResultStore.merge([directory.file("s1.db")], into: directory.file("s1.db")) }
            #expect(throws: StoreError.self) { try ResultStore.merge([directory.file("missing.db")], into: directory.file("m.db")) }
        }
    }

    @Test func mergeRefusesRowsThatDiffer() throws {
        try withTemporaryDirectory { directory in
            try makeStore(directory.file("s1.db"), shard: Shard(index: 1, count: 2), experiments: shard(1))
            var changed = shard(1)
            changed[0].verdict = .guestSilent
            try makeStore(directory.file("s1-changed.db"), shard: Shard(index: 1, count: 2), experiments: changed)
            try ResultStore.merge([directory.file("s1.db")], into: directory.file("merged.db"))
            let error = #expect(throws: StoreError.self) {
                try ResultStore.merge([directory.file("s1-changed.db")], into: directory.file("merged.db"))
            }
            #expect(error?.description.contains(changed[0].id) == true)
            #expect(try ResultStore.openExisting(path: directory.file("merged.db")).experiments() == shard(1).sorted { $0.id < $1.id })
        }
    }

    @Test func plannedIsKnownOnceEveryShardIsMerged() throws {
        try withTemporaryDirectory { directory in
            try makeStore(directory.file("s1.db"), shard: Shard(index: 1, count: 2), experiments: shard(1), planned: 6)
            try makeStore(directory.file("s2.db"), shard: Shard(index: 2, count: 2), experiments: shard(2), planned: 7)
            let output = directory.file("merged.db")

            let half = try ResultStore.merge([directory.file("s1.db")], into: output)
            #expect(half.shard == .whole)
            #expect(half.planned == nil && !half.isComplete && half.experiments == 6)

            let whole = try ResultStore.merge([directory.file("s2.db")], into: output)
            #expect(whole.planned == 13 && whole.experiments == 12 && !whole.isComplete)

            try ResultStore.openExisting(path: directory.file("s2.db")).insert(experiments: [experiment("ffffffffffffffff")])
            let complete = try ResultStore.merge([directory.file("s2.db")], into: output)
            #expect(complete.planned == 13 && complete.isComplete)
        }
    }

    @Test func mergedDatabasesMergeLikeTheirShards() throws {
        try withTemporaryDirectory { directory in
            for index in 1...4 {
                let experiments = all.enumerated().filter { $0.offset % 4 == index - 1 }.map(\.element)
                try makeStore(
                    directory.file("s\(index).db"), shard: Shard(index: index, count: 4), experiments: experiments,
                    planned: experiments.count)
            }
            let left = try ResultStore.merge([directory.file("s1.db"), directory.file("s2.db")], into: directory.file("left.db"))
            let right = try ResultStore.merge([directory.file("s4.db"), directory.file("s3.db")], into: directory.file("right.db"))
            #expect(left.planned == nil && right.planned == nil)
            let stepwise = try ResultStore.merge([directory.file("left.db"), directory.file("right.db")], into: directory.file("all.db"))
            let atOnce = try ResultStore.merge((1...4).map { directory.file("s\($0).db") }, into: directory.file("once.db"))
            #expect(stepwise == atOnce)
            #expect(stepwise.planned == 12 && stepwise.isComplete)
        }
    }
}
