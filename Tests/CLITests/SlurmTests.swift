import Foundation
import Testing

/// A campaign run on Slurm (tools/slurm, docs/slurm.md) gives the same results as the campaign
/// run in one piece: a throwaway single-node cluster, a 3-task array and its merge job.
///
/// Reported as skipped only where tools/slurm/single-node.sh cannot have a cluster at all (Slurm
/// missing and not installable: not root, or no apt-get); any other failure fails the test.
@Suite(.serialized) struct SlurmTests {
    /// Whether single-node.sh can have a cluster here: the Slurm and munge commands are
    /// installed, or it may install them (root with apt-get), as its `start` decides.
    static let clusterPossible: Bool = {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/sbin:/sbin"
        func installed(_ command: String) -> Bool {
            path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(command)") }
        }
        let commands = ["munged", "munge", "unmunge", "slurmctld", "slurmd", "sbatch", "squeue", "scontrol", "sinfo", "scancel"]
        return commands.allSatisfy(installed) || (getuid() == 0 && installed("apt-get"))
    }()

    static let slurmTools = CLI.packageRoot.appendingPathComponent("tools/slurm")
    static let spec = "Tests/CLITests/Fixtures/campaigns/slurm-small.yaml"
    /// How long the two jobs may take, from submission.
    static let jobTimeout: TimeInterval = 300

    @Test(.enabled(if: clusterPossible, "no Slurm here and no way to install it (needs root and apt-get)"))
    func shardedRunOnSlurmMatchesTheUnshardedRun() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("mmio-replay-slurm-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        // The test's own cluster, not one someone started by hand (the default directory), at a
        // fixed place: a cluster left behind by a killed run is cleaned up by the next start.
        var environment = ProcessInfo.processInfo.environment
        environment["MMIO_SLURM_DIR"] = FileManager.default.temporaryDirectory.appendingPathComponent("mmio-replay-slurm-test").path
        defer {
            // Always: no daemon outlives the test, whatever happened.
            let stopped = try? Shell.run(Self.slurmTools.appendingPathComponent("single-node.sh").path, ["stop"], environment: environment)
            if stopped?.status != 0 { Issue.record("single-node.sh stop: \(stopped.map(\.transcript) ?? "did not run")") }
            try? FileManager.default.removeItem(at: work)
        }

        let clock = ContinuousClock()
        let t0 = clock.now
        let started = try Shell.run(Self.slurmTools.appendingPathComponent("single-node.sh").path, ["start"], environment: environment)
        try #require(started.status == 0, "single-node.sh start failed:\n\(started.transcript)")
        let confLine = started.stdout.split(separator: "\n").last { $0.hasPrefix("SLURM_CONF=") }
        let conf = try #require(confLine.map { String($0.dropFirst("SLURM_CONF=".count)) }, "no SLURM_CONF= in:\n\(started.transcript)")
        environment["SLURM_CONF"] = conf
        environment["MMIO_REPLAY"] = CLI.binary.path

        let t1 = clock.now
        // Three shards, each into its own database, then the merge.
        let out = work.appendingPathComponent("out")
        let submitted = try Shell.run(Self.slurmTools.appendingPathComponent("submit-campaign.sh").path,
                                      [Self.spec, "3", out.path], environment: environment)
        try #require(submitted.status == 0, "submit-campaign.sh failed:\n\(submitted.transcript)")
        let ids = Dictionary(submitted.stdout.split(separator: "\n").compactMap { line -> (String, String)? in
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            return parts.count == 2 ? (parts[0], parts[1]) : nil
        }, uniquingKeysWith: { $1 })
        let arrayJob = try #require(ids["ARRAY_JOB_ID"], "no ARRAY_JOB_ID in:\n\(submitted.transcript)")
        let mergeJob = try #require(ids["MERGE_JOB_ID"], "no MERGE_JOB_ID in:\n\(submitted.transcript)")

        let outcome = try Self.waitForJobs(array: arrayJob, merge: mergeJob, environment: environment)
        print("slurm: cluster up in \(t1 - t0), array and merge jobs done in \(clock.now - t1) (\(outcome.summary))")
        guard outcome.succeeded else {
            let logs = Self.logs(in: out.appendingPathComponent("logs"))
            let daemons = (try? Shell.run(Self.slurmTools.appendingPathComponent("single-node.sh").path, ["logs"], environment: environment))?.stderr ?? ""
            Issue.record("Slurm jobs did not succeed: \(outcome.summary)\n\(logs)\n\(daemons)")
            return
        }

        // The same campaign in one piece, then the two exports byte for byte.
        let whole = work.appendingPathComponent("whole.db").path
        let merged = out.appendingPathComponent("campaign.db").path
        let run = try CLI.run(["campaign", "run", Self.spec, "--db", whole, "--quiet"])
        try #require(run.status == 0, "campaign run: \(run.stderr)")
        let expected = try CLI.run(["campaign", "export", whole, "--format", "csv"])
        let actual = try CLI.run(["campaign", "export", merged, "--format", "csv"])
        try #require(expected.status == 0 && actual.status == 0, "campaign export: \(expected.stderr)\(actual.stderr)")
        #expect(expected.stdout.split(separator: "\n").count > 1, "the unsharded campaign has no experiments:\n\(expected.stdout)")
        #expect(actual.stdout == expected.stdout, "the merged shards export differently from the unsharded run")
    }

    struct Outcome {
        var succeeded: Bool
        var summary: String
    }

    /// Polls `scontrol show job` (there is no accounting, so no sacct) until the merge job ends,
    /// a task fails, or the timeout passes. Finished jobs stay visible for MinJobAge (600 s).
    static func waitForJobs(array: String, merge: String, environment: [String: String]) throws -> Outcome {
        let terminal: Set = ["COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE", "PREEMPTED"]
        let deadline = Date().addingTimeInterval(jobTimeout)
        var summary = ""
        while Date() < deadline {
            let tasks = try jobStates(array, environment: environment)
            let mergeState = try jobStates(merge, environment: environment)
            summary = "array \(array): \(tasks.map { "\($0.id) \($0.state) \($0.reason)" }); merge \(merge): \(mergeState.map { "\($0.state) \($0.reason)" })"
            if tasks.contains(where: { terminal.contains($0.state) && $0.state != "COMPLETED" }) {
                return Outcome(succeeded: false, summary: summary)
            }
            if let job = mergeState.first {
                if job.state == "COMPLETED" {
                    let allDone = tasks.count == 3 && tasks.allSatisfy { $0.state == "COMPLETED" }
                    return Outcome(succeeded: allDone, summary: summary)
                }
                if terminal.contains(job.state) || job.reason == "DependencyNeverSatisfied" {
                    return Outcome(succeeded: false, summary: summary)
                }
            }
            Thread.sleep(forTimeInterval: 1)
        }
        return Outcome(succeeded: false, summary: "timed out after \(Int(jobTimeout)) s: \(summary)")
    }

    /// One entry per job (an array's tasks each, pending ones possibly as one `ID_[2-3]` entry).
    static func jobStates(_ job: String, environment: [String: String]) throws -> [(id: String, state: String, reason: String)] {
        let shown = try Shell.run("scontrol", ["show", "job", "-o", job], environment: environment)
        guard shown.status == 0 else { return [] }
        return shown.stdout.split(separator: "\n").map { line in
            var fields: [String: String] = [:]
            for field in line.split(separator: " ") {
                let parts = field.split(separator: "=", maxSplits: 1).map(String.init)
                if parts.count == 2 { fields[parts[0]] = parts[1] }
            }
            let id = fields["ArrayTaskId"].map { "\(fields["ArrayJobId"] ?? job)_\($0)" } ?? fields["JobId"] ?? job
            return (id, fields["JobState"] ?? "?", fields["Reason"] ?? "")
        }
    }

    static func logs(in directory: URL) -> String {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()) ?? []
        return names.map { name in
            "----- \(name)\n" + ((try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)) ?? "")
        }.joined(separator: "\n")
    }

    /// Runs a script or a command on PATH from the package root    , its output in files rather than
    /// pipes: daemons a script starts may keep inherited descriptors open long after it exits.
    enum Shell {
        struct Result {
            var status: Int32
            var stdout: String
            var stderr: String
            var transcript: String { "[exit \(status)]\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }
        }

        static func run(_ command: String, _ arguments: [String], environment: [String: String]) throws -> Result {
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("mmio-replay-shell-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: scratch) }
            let outPath = scratch.appendingPathComponent("stdout").path, errPath = scratch.appendingPathComponent("stderr").path
            _ = FileManager.default.createFile(atPath: outPath, contents: nil)
            _ = FileManager.default.createFile(atPath: errPath, contents: nil)
            let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
            let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [command] + arguments
            process.environment = environment
            process.currentDirectoryURL = CLI.packageRoot
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = out
            process.standardError = err
            try process.run()
            process.waitUntilExit()
            try out.close()
            try err.close()
            return Result(status: process.terminationStatus,
                          stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                          stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
        }
    }
}
