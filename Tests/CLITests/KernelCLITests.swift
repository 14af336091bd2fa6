import Foundation
import Testing

/// Kernel policies from the command line (docs/policies.md, Kernel policies).
@Suite struct KernelCLITests {
    static func json(_ arguments: [String]) throws -> [String: Any] {
        let result = try CLI.run(arguments)
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    @Test func attrsGivesTheStage2TypeOrTheRefusal() throws {
        let wb = try Self.json(["attrs", "--kernel", "6.17", "--vma", "cacheable", "--cpu", "fwb,dic", "--json"])
        #expect(wb["stage2"] as? String == "normal-wb" && wb["encoding"] as? String == "fwb-110" && wb["rule"] as? String == "kvm-s2-cacheable-pfnmap")
        let refused = try Self.json(["attrs", "--kernel", "6.17", "--vma", "cacheable", "--cpu", "fwb", "--json"])
        let refusal = try #require(refused["refused"] as? [String: Any])
        #expect(refusal["errno"] as? String == "EINVAL" && refusal["rule"] as? String == "kvm-memslot-cacheable-pfnmap" && refused["stage2"] == nil)
        let mte = try Self.json(["attrs", "--kernel", "6.9", "--vma", "vfio-pci", "--cpu", "mte", "--json"])
        #expect((mte["refused"] as? [String: Any])?["rule"] as? String == "kvm-memslot-mte")
        let nc = try Self.json(["attrs", "--kernel", "6.9", "--json"])
        #expect(nc["stage2"] as? String == "normal-nc" && (nc["effective"] as? [String: String])?["normal-wb"] == "normal-nc")
        let old = try Self.json(["attrs", "--kernel", "6.8", "--json"])
        #expect(old["stage2"] as? String == "device-ngnre")
        let fetch = try Self.json(["attrs", "--kernel", "6.9", "--fetch", "--json"])
        #expect((fetch["refused"] as? [String: Any])?["errno"] as? String == "ENOEXEC")
    }

    @Test func badKernelArgumentsAreUsageErrors() throws {
        for arguments in [["attrs", "--kernel", "5.4"], ["attrs", "--kernel", "6.9", "--cpu", "sve"], ["attrs", "--vma", "cacheable"],
                          ["replay", "traces/nvme-doorbell.mtrace", "--policy", "linux-6.9:cpu=sve"],
                          ["replay", "traces/nvme-doorbell.mtrace", "--kernel", "6.x"],
                          ["replay", "traces/nvme-doorbell.mtrace", "--cpu", "fwb"]] {
            let result = try CLI.run(arguments)
            #expect(result.status == 64, "\(arguments): \(result.stderr)")
        }
    }

    /// `--kernel` is the kernel policy; a 6.19 VMM that took KVM_CAP_ARM_SEA_TO_USER handles the SEA.
    @Test func replayUnderAKernel() throws {
        let result = try CLI.run(["replay", "traces/scenarios/wrong-size-read.mtrace", "--kernel", "6.19", "--kernel", "6.9",
                                  "--kvm-cap", "sea-to-user", "--platform", "ras-aderr", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let reports = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        let byPolicy = Dictionary(uniqueKeysWithValues: reports.map { ($0["policy"] as? String ?? "", ($0["verdicts"] as? [[String: Any]])?.compactMap { $0["verdict"] as? String } ?? []) })
        #expect(byPolicy == ["linux-6.19:kvm-cap=sea-to-user": ["vmm-handled"], "linux-6.9:kvm-cap=sea-to-user": ["guest-abort"]])
    }

    /// A side file says what backs a captured region; the kernel reads it.
    @Test func aSideFileStatesTheVMA() throws {
        let side = FileManager.default.temporaryDirectory.appendingPathComponent("vma-\(UUID().uuidString).yaml").path
        try "regions:\n  - {name: r, device: d, base: 0xfee00000, size: 0x1000}\n  - {name: s, device: e, base: 0xc0004000, size: 0x1000}\nvma: {r: cacheable, s: ram}\n"
            .write(toFile: side, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: side) }
        let trace = "Tests/ImportersTests/Fixtures/ftrace/kvm-mmio.ftrace"
        let refused = try CLI.run(["replay", trace, "--map", side, "--kernel", "6.17"])
        #expect(refused.status == 0 && refused.stdout.contains("mapping-refused"), "\(refused.stdout)")
        #expect(refused.stdout.contains("memslot creation fails with -EINVAL"), "\(refused.stdout)")
        let mapped = try CLI.run(["replay", trace, "--map", side, "--kernel", "6.17", "--cpu", "fwb,dic"])
        #expect(mapped.status == 0 && !mapped.stdout.contains("mapping-refused"), "\(mapped.stdout)")
        try "vma: {r: cached}\n".write(toFile: side, atomically: true, encoding: .utf8)
        let typo = try CLI.run(["replay", trace, "--map", side])
        #expect(typo.status == 65 && typo.stderr.contains(side + ":1:") && typo.stderr.contains("cacheable"), "\(typo.stderr)")
    }

    /// A campaign varies kernels as policies; `compare --by kernel` pairs the versions of one CPU
    /// and capability set, with the oldest kernel as the baseline.
    @Test func campaignsCompareKernels() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kernels-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let db = directory + "/kernels.db"
        let run = try CLI.run(["campaign", "run", "Tests/CLITests/Fixtures/campaigns/kernels.yaml", "--db", db, "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("linux-6.19:kvm-cap=sea-to-user") && run.stdout.contains("vmm-handled"))
        let byKernel = try CLI.run(["compare", db, "--by", "kernel"])
        #expect(byKernel.status == 0, "\(byKernel.stderr)")
        #expect(byKernel.stdout.contains("kernels compared with linux-6.8"))
        #expect(byKernel.stdout.contains("linux-6.8 → linux-6.19: 48 paired fault sites"), "\(byKernel.stdout)")
        #expect(!byKernel.stdout.contains("kvm-device →"))
        let byPolicy = try CLI.run(["compare", db, "--baseline", "linux-6.19", "--format", "json"])
        #expect(byPolicy.status == 0 && byPolicy.stdout.contains("vmm-handled"))
        #expect(try CLI.run(["compare", db, "--by", "kernel", "--baseline", "linux-9.9"]).status == 64)

        // campaign shrink: one vmm-handled row, cut down to the read its fault hits.
        let csv = try CLI.run(["campaign", "export", db, "--format", "csv"]).stdout
        let row = try #require(csv.split(separator: "\n").dropFirst().first { $0.split(separator: ",", omittingEmptySubsequences: false)[9] == "vmm-handled" })
        let id = String(row.split(separator: ",")[0])
        let output = directory + "/min.mtrace"
        let shrink = try CLI.run(["campaign", "shrink", db, id, "--spec", "Tests/CLITests/Fixtures/campaigns/kernels.yaml", "-o", output])
        #expect(shrink.status == 0 && shrink.stderr.contains("→ 1 events"), "\(shrink.stderr)")
        let replay = try CLI.run(["replay", output, "--policy", "linux-6.19:kvm-cap=sea-to-user", "--platform", "ras-aderr"])
        #expect(replay.stdout.contains("vmm-handled"), "\(replay.stdout)")
        #expect(try CLI.run(["campaign", "shrink", db, "0000000000000000", "-o", output]).status == 65)
        let bad = directory + "/bad.yaml"
        try "campaign: x\ntraces: [\(CLI.packageRoot.path)/traces/nvme-doorbell.mtrace]\npolicies: [linux-6.9:cpu=sve]\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let refused = try CLI.run(["campaign", "run", bad, "--db", directory + "/bad.db"])
        #expect(refused.status == 65 && refused.stderr.contains(bad + ":3:12: error: expected a comma-separated list"), "\(refused.stderr)")
    }
}
