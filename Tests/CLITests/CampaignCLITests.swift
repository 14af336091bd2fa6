import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `campaign run` killed with SIGKILL at any moment, then run again, finishes the campaign with
/// no experiment lost or duplicated (docs/campaigns.md, "Resume").
@Suite(.serialized) struct CampaignCLITests {
    static let spec = "traces/campaigns/demo.yaml"

    static func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("campaign-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Starts `campaign run` in the background.
    static func start(_ db: String) throws -> Process {
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = ["campaign", "run", spec, "--db", db, "--quiet", "--jobs", "2"]
        process.currentDirectoryURL = CLI.packageRoot
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// The experiments a database holds, from `campaign status` (nil before it has a campaign).
    static func storedExperiments(_ db: String) throws -> Int? {
        guard FileManager.default.fileExists(atPath: db) else { return nil }
        let status = try CLI.run(["campaign", "status", db])
        guard status.status == 0, let match = status.stdout.firstMatch(of: #/(\d+) experiments standing/#) else { return nil }
        return Int(match.1)
    }

    static func kill(_ process: Process) {
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    @Test func killedRunsResumeToTheSameDatabase() throws {
        let directory = try Self.temporaryDirectory()
        let reference = directory + "/reference.db", resumed = directory + "/resumed.db"
        #expect(try CLI.run(["campaign", "run", Self.spec, "--db", reference, "--quiet"]).status == 0)

        // Killed during the golden runs: nothing or the campaign row only.
        var process = try Self.start(resumed)
        usleep(300_000)
        Self.kill(process)
        #expect(process.terminationReason == .uncaughtSignal)

        // Killed during the experiments, once some batches are in.
        process = try Self.start(resumed)
        var stored = 0
        for _ in 0..<1_200 where stored == 0 {
            usleep(50_000)
            stored = try Self.storedExperiments(resumed) ?? 0
        }
        Self.kill(process)
        let status = try CLI.run(["campaign", "status", resumed])
        #expect(stored > 0)
        #expect(status.stdout.contains("run it again to resume"), "the kill came too late: \(status.stdout)")

        let finished = try CLI.run(["campaign", "run", Self.spec, "--db", resumed, "--quiet"])
        #expect(finished.status == 0)
        #expect(finished.stdout.contains("shard 1/1: complete"))
        let a = try CLI.run(["campaign", "export", reference, "--format", "csv"])
        let b = try CLI.run(["campaign", "export", resumed, "--format", "csv"])
        #expect(a.stdout.split(separator: "\n").count > 10_000)
        #expect(a.stdout == b.stdout)
        let jsonA = try CLI.run(["campaign", "export", reference, "--format", "json"]).stdout
        #expect(jsonA == (try CLI.run(["campaign", "export", resumed, "--format", "json"]).stdout))
    }

    @Test func badSpecIsLocated() throws {
        let directory = try Self.temporaryDirectory()
        let spec = directory + "/bad.yaml"
        try "campaign: x\ntraces: [nope.mtrace]\nfaults: {kinds: [UR]}\n".write(toFile: spec, atomically: true, encoding: .utf8)
        let result = try CLI.run(["campaign", "run", spec, "--db", directory + "/x.db"])
        #expect(result.status == 65)
        #expect(result.stderr.hasPrefix("\(spec):2:10: error: expected the path of a trace file, found 'nope.mtrace', which does not exist"))
        #expect(!FileManager.default.fileExists(atPath: directory + "/x.db"))
    }

    /// Whether `chattr +i` works here (root with CAP_LINUX_IMMUTABLE): the only way to make a
    /// file unwritable for root.
    static let canMakeImmutable: Bool = {
        let probe = FileManager.default.temporaryDirectory.appendingPathComponent("immutable-probe-\(UUID().uuidString)").path
        FileManager.default.createFile(atPath: probe, contents: Data())
        defer { _ = chattr("-i", probe); try? FileManager.default.removeItem(atPath: probe) }
        return chattr("+i", probe)
    }()

    @discardableResult
    static func chattr(_ flag: String, _ path: String) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/chattr")
        process.arguments = [flag, path]
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    /// An archived database (file and directory unwritable, even for root) is still read by
    /// `status`, `export` and `compare`, and left as it was.
    @Test(.enabled(if: canMakeImmutable, "chattr +i is not available"))
    func anArchivedDatabaseIsRead() throws {
        let directory = try Self.temporaryDirectory()
        let db = directory + "/archived.db"
        #expect(try CLI.run(["campaign", "run", "Tests/CLITests/Fixtures/campaigns/slurm-small.yaml", "--db", db, "--quiet"]).status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        let listing = try FileManager.default.contentsOfDirectory(atPath: directory)
        #expect(Self.chattr("+i", db) && Self.chattr("+i", directory))
        defer { Self.chattr("-i", db); Self.chattr("-i", directory) }
        let status = try CLI.run(["campaign", "status", db])
        #expect(status.status == 0 && status.stdout.contains("complete"), "\(status.stderr)")
        let export = try CLI.run(["campaign", "export", db, "--format", "csv"])
        #expect(export.status == 0 && export.stdout.split(separator: "\n").count > 100, "\(export.stderr)")
        let compare = try CLI.run(["compare", db])
        #expect(compare.status == 0, "\(compare.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == listing)
    }

    @Test func aTraceListedTwiceIsASpecError() throws {
        let directory = try Self.temporaryDirectory()
        try FileManager.default.copyItem(atPath: CLI.packageRoot.appendingPathComponent("traces/scenarios/wrong-size-read.mtrace").path,
                                         toPath: directory + "/copy.mtrace")
        let spec = directory + "/dup.yaml"
        try "campaign: dup\ntraces:\n  - \(CLI.packageRoot.path)/traces/scenarios/wrong-size-read.mtrace\n  - copy.mtrace\nfaults: {kinds: [UR]}\n"
            .write(toFile: spec, atomically: true, encoding: .utf8)
        let result = try CLI.run(["campaign", "run", spec, "--db", directory + "/d.db"])
        #expect(result.status == 65)
        #expect(result.stderr.hasPrefix("\(spec):4:5: error: expected each trace once, found 'copy.mtrace' with the same content"), "\(result.stderr)")
    }

    @Test func mismatchedShardsAreRefused() throws {
        let directory = try Self.temporaryDirectory()
        let small = "Tests/CLITests/Fixtures/campaigns/slurm-small.yaml"
        #expect(try CLI.run(["campaign", "run", small, "--db", directory + "/a.db", "--shard", "1/2", "--quiet"]).status == 0)
        #expect(try CLI.run(["campaign", "run", small, "--db", directory + "/b.db", "--shard", "2/2", "--quiet", "--no-pruning"]).status == 0)
        let merged = try CLI.run(["campaign", "merge", directory + "/a.db", directory + "/b.db", "-o", directory + "/m.db"])
        #expect(merged.status == 65)
        #expect(merged.stderr.contains("a.db") && merged.stderr.contains("b.db"))
        // Shards of different plans overlap and leave gaps.
        #expect(try CLI.run(["campaign", "run", small, "--db", directory + "/c.db", "--shard", "2/3", "--quiet"]).status == 0)
        let plans = try CLI.run(["campaign", "merge", directory + "/a.db", directory + "/c.db", "-o", directory + "/n.db"])
        #expect(plans.status == 65)
        #expect(plans.stderr.contains("holds shard 2/3, but") && plans.stderr.contains("only shards of one plan"), "\(plans.stderr)")
        let shard = try CLI.run(["campaign", "run", small, "--shard", "3/2"])
        #expect(shard.status == 64)
        #expect(shard.stderr.contains("expected --shard I/N with 1 ≤ I ≤ N"))
    }
}
