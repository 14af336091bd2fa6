import CampaignStore
import Foundation
import Testing
import Verdicts
@testable import Campaigns

/// Runs the small fixture campaign in several ways that must agree (docs/campaigns.md).
@Suite(.serialized) struct CampaignRunnerTests {
    static let spec = CampaignSpecTests.fixtures.appendingPathComponent("small.yaml").path

    /// A fresh database path in a fresh temporary directory.
    static func temporaryDatabase(_ name: String) -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("campaign-tests-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent("\(name).db").path
    }

    /// Runs the campaign into a new database; returns the database and its CSV export.
    static func run(_ options: CampaignOptions, spec path: String = spec) async throws -> (store: ResultStore, csv: String) {
        let store = try ResultStore(path: temporaryDatabase("run"))
        _ = try await CampaignRunner.run(try CampaignSpec.resolve(path), store: store, options: options)
        return (store, try export(store))
    }

    static func export(_ store: ResultStore) throws -> String {
        let path = store.path + ".csv"
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = FileHandle(forWritingAtPath: path)!
        try store.export(.csv, to: handle)
        try handle.close()
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    @Test func snapshotsDoNotChangeResults() async throws {
        let spec = CampaignSpecTests.fixtures.appendingPathComponent("naive.yaml").path
        let forked = try await Self.run(CampaignOptions(jobs: 2), spec: spec)
        let naive = try await Self.run(CampaignOptions(jobs: 2, snapshots: false), spec: spec)
        #expect(forked.csv == naive.csv)
        #expect(forked.csv.split(separator: "\n").count > 300)
        // Most experiments stop early, and forked runs carry the golden run's step count.
        let rows = try forked.store.experiments()
        #expect(rows.filter(\.stoppedEarly).count * 2 > rows.count)
    }

    /// Under `explore`, each fault's row is the most severe verdict over the explored
    /// executions: never less severe than in-order's or adversarial's for the same fault.
    @Test func exploreRowsAreTheWorstCase() async throws {
        let spec = CampaignSpecTests.fixtures.appendingPathComponent("explore.yaml").path
        let rows = try await Self.run(CampaignOptions(jobs: 2, pruning: false), spec: spec).store.experiments()
        var explored: [String: Verdict] = [:]
        for row in rows where row.schedule == "explore" { explored["\(row.trace) \(row.policy) \(row.platform) \(row.fault)"] = row.verdict }
        #expect(explored.count > 50)
        var compared = 0
        for row in rows where row.schedule != "explore" {
            let key = "\(row.trace) \(row.policy) \(row.platform) \(row.fault)"
            guard let verdict = explored[key] else { Issue.record("no explore row for \(key)"); continue }
            #expect(verdict >= row.verdict, "\(key): explore \(verdict.name), \(row.schedule) \(row.verdict.name)")
            compared += 1
        }
        // Every in-order site is explored (explore plans its sites from the in-order golden run);
        // the adversarial golden run may plan fewer (merged TLPs).
        #expect(rows.filter { $0.schedule == "in-order" }.count == explored.count && compared > explored.count)
    }

    @Test func workerCountDoesNotChangeResults() async throws {
        let one = try await Self.run(CampaignOptions(jobs: 1))
        let two = try await Self.run(CampaignOptions(jobs: 2))
        #expect(one.csv == two.csv)
        #expect(try one.store.goldens() == two.store.goldens())
    }

    /// Early stop changes the counters (they are taken when the experiment stops) but never a
    /// verdict or its evidence.
    @Test func earlyStopKeepsVerdicts() async throws {
        let spec = CampaignSpecTests.fixtures.appendingPathComponent("naive.yaml").path
        let early = try await Self.run(CampaignOptions(jobs: 2), spec: spec).store.experiments()
        let full = try await Self.run(CampaignOptions(jobs: 2, earlyStop: false), spec: spec).store.experiments()
        #expect(early.map(\.id) == full.map(\.id))
        #expect(early.map { [$0.verdict.name, $0.chain] } == full.map { [$0.verdict.name, $0.chain] })
        #expect(early.map(\.evidence) == full.map(\.evidence))
        #expect(full.allSatisfy { !$0.stoppedEarly })
    }

    /// Every fault site's verdict under pruning (its representative's, weighted) agrees with
    /// running it: per golden run, register, request and fault kind, the weighted verdict
    /// counts are equal.
    @Test func pruningAgreesWithRunningEverySite() async throws {
        let pruned = try await Self.run(CampaignOptions(jobs: 2))
        let unpruned = try await Self.run(CampaignOptions(jobs: 2, pruning: false))
        func counts(_ rows: [ExperimentRecord]) -> [String: Int] {
            var counts: [String: Int] = [:]
            for row in rows {
                let register = row.fault.replacing(#/ #\d+$/#, with: "")
                counts["\(row.golden) \(register) → \(row.verdict)", default: 0] += row.weight
            }
            return counts
        }
        let prunedRows = try pruned.store.experiments()
        let unprunedRows = try unpruned.store.experiments()
        #expect(counts(prunedRows) == counts(unprunedRows))
        #expect(unprunedRows.allSatisfy { $0.weight == 1 })
        #expect(prunedRows.count < unprunedRows.count)
        #expect(prunedRows.reduce(0) { $0 + $1.weight } == unprunedRows.count)
    }

    @Test func shardsPartitionTheCampaign() async throws {
        let whole = try await Self.run(CampaignOptions(jobs: 2))
        var shards: [String] = []
        for i in 1...3 {
            let shard = try await Self.run(CampaignOptions(jobs: 2, shard: Shard(index: i, count: 3)))
            #expect(try shard.store.status().isComplete)
            shards.append(shard.store.path)
        }
        let merged = Self.temporaryDatabase("merged")
        let status = try ResultStore.merge(shards, into: merged)
        #expect(status.isComplete)
        #expect(try Self.export(ResultStore.openExisting(path: merged)) == whole.csv)
    }

    @Test func resumeRunsOnlyWhatIsMissing() async throws {
        let whole = try await Self.run(CampaignOptions(jobs: 2))
        let rows = try whole.store.experiments()
        // A database that holds every third experiment, as a killed run would.
        let partial = try ResultStore(path: Self.temporaryDatabase("partial"))
        let spec = try CampaignSpec.resolve(Self.spec)
        try partial.begin(try whole.store.campaign().0, shard: .whole)
        try partial.insert(experiments: rows.enumerated().filter { $0.offset % 3 == 0 }.map(\.element))
        var resumed = 0
        let status = try await CampaignRunner.run(spec, store: partial, options: CampaignOptions(jobs: 2)) { progress in
            resumed = progress.resumed
        }
        #expect(status.isComplete)
        #expect(resumed == (rows.count + 2) / 3)
        #expect(try Self.export(partial) == whole.csv)
    }

    /// The database a run leaves when the process stops (a trap in the engine, or a kill):
    /// experiments in flight with no result. The next run replays each suspect alone first; one
    /// during whose lone run the process stopped twice is recorded as failed, and the campaign
    /// still completes.
    @Test func suspectsRunAloneAndTwiceStoppedOnesFail() async throws {
        let whole = try await Self.run(CampaignOptions(jobs: 2))
        let rows = try whole.store.experiments()
        #expect(rows.count >= 3)
        let partial = try ResultStore(path: Self.temporaryDatabase("stopped"))
        try partial.begin(try whole.store.campaign().0, shard: .whole)
        try partial.insert(experiments: rows.enumerated().filter { $0.offset % 2 == 0 }.map(\.element))
        let (innocent, culprit) = (rows[1], rows[3])
        try partial.markInFlight([innocent.id, culprit.id])
        try partial.markRunningAlone(culprit.id)
        try partial.markRunningAlone(culprit.id)
        #expect(try partial.suspects().map(\.id).sorted() == [innocent.id, culprit.id].sorted())

        let status = try await CampaignRunner.run(try CampaignSpec.resolve(Self.spec), store: partial, options: CampaignOptions(jobs: 2))
        #expect(status.isComplete)
        #expect(status.failed == 1 && status.experiments == rows.count - 1)
        let failures = try partial.failures()
        #expect(failures.map(\.id) == [culprit.id])
        #expect(failures.first?.fault == culprit.fault && failures.first?.golden == culprit.golden)
        #expect(failures.first?.error.contains("stopped twice while this experiment ran alone") == true)
        #expect(try partial.experiments() == rows.filter { $0.id != culprit.id })
        #expect(try partial.suspects().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: partial.path + "-inflight"))
        #expect(try partial.check().isEmpty)

        // Resuming again changes nothing: the failure is kept, not retried.
        let again = try await CampaignRunner.run(try CampaignSpec.resolve(Self.spec), store: partial, options: CampaignOptions(jobs: 2))
        #expect(again == status)

        // Merged shards carry their failures.
        let merged = Self.temporaryDatabase("merged")
        let mergedStatus = try ResultStore.merge([partial.path], into: merged)
        #expect(mergedStatus.failed == 1 && mergedStatus.isComplete)
    }

    @Test func anotherSpecIsRefused() async throws {
        let first = try await Self.run(CampaignOptions(jobs: 2))
        let spec = try CampaignSpec.resolve(Self.spec)
        await #expect(throws: StoreError.self) {
            _ = try await CampaignRunner.run(spec, store: first.store, options: CampaignOptions(jobs: 2, pruning: false))
        }
    }
}
