import Foundation
import Testing
import TestSupport

@Suite struct CLIGoldenTests {
    @Test(arguments: [
        ("attrs-all-policies", ["attrs"]),
        ("attrs-gicv2-json", ["attrs", "--policy", "kvm-device", "--policy", "kvm-normal-nc", "--policy", "all-normal-nc",
                              "--region-kind", "gicv2-vcpu-if", "--json"]),
        ("attrs-vmm-mirror", ["attrs", "--policy", "vmm-mirror", "--vmm-s1", "normal-nc"]),
        ("inspect-nvme", ["inspect", "traces/nvme-doorbell.mtrace"]),
        ("inspect-nic-json", ["inspect", "traces/nic-write-combining.mtrace", "--json"]),
        ("inspect-gicv2", ["inspect", "traces/gicv2-two-guests.mtrace"]),
        ("inspect-warnings", ["inspect", "Tests/CLITests/Fixtures/warnings.mtrace"]),
        ("generate-mixed-60", ["generate", "--events", "60", "--workload", "mixed", "--seed", "3", "-o", "-"]),
        ("generate-nic-40", ["generate", "--events", "40", "--workload", "nic", "--seed", "11", "-o", "-"]),
        ("convert-canonical", ["convert", "Tests/CLITests/Fixtures/hand-written.mtrace", "-o", "-"]),
        ("profiles-list", ["profiles", "list"]),
        ("profiles-show-ras-sbsa", ["profiles", "show", "ras-sbsa"]),
        ("profiles-show-user-file", ["profiles", "show", "traces/scenarios/firmware-first-no-ras.yaml"]),
        ("replay-write-combining", ["replay", "traces/scenarios/write-combining.mtrace", "--policy", "kvm-device", "--policy", "kvm-normal-nc"]),
        ("replay-read-pushes-writes-adversarial", ["replay", "traces/scenarios/read-pushes-writes.mtrace", "--policy", "kvm-normal-nc",
                                                   "--schedule", "adversarial"]),
        ("replay-reclaim-split-ecam-json", ["replay", "traces/scenarios/reclaim-after-writes.mtrace", "--policy", "kvm-device",
                                            "--platform", "split-ecam", "--schedule", "adversarial", "--json"]),
        ("replay-random-seed", ["replay", "traces/nic-write-combining.mtrace", "--schedule", "random", "--seed", "7"]),
        ("replay-wrong-size-read-matrix", ["replay", "traces/scenarios/wrong-size-read.mtrace", "--policy", "kvm-device",
                                           "--platform", "quiet-pcie", "--platform", "ras-sbsa", "--platform", "no-ras"]),
        ("replay-faults", ["replay", "traces/nvme-doorbell.mtrace", "--policy", "kvm-device", "--platform", "ras-sbsa",
                           "--fault", "CA at bar0+0x1c read #2", "--fault", "UR at bar0+0x1010 write every", "--fault", "CA at bar0+0x900 read",
                           "--device-view-limit", "0"]),
        ("replay-aer-inject", ["replay", "traces/nvme-doorbell.mtrace", "--faults", "Tests/CLITests/Fixtures/comp-abort.aer",
                               "--platform", "ras-sbsa", "--device-view-limit", "0", "--json"]),
    ])
    func succeeds(name: String, arguments: [String]) throws {
        try CLI.expectGolden(name, arguments)
    }

    @Test(arguments: [
        ("error-bad-trace", ["inspect", "Tests/CLITests/Fixtures/bad.mtrace"], Int32(65)),
        ("error-missing-trace", ["inspect", "no/such/trace.mtrace"], Int32(66)),
        ("error-unknown-policy", ["attrs", "--policy", "kvm-normalnc"], Int32(64)),
        ("error-missing-policy-file", ["attrs", "--policy", "policies/none.yaml"], Int32(66)),
        ("error-bad-policy-file", ["attrs", "--policy", "Tests/CLITests/Fixtures/bad-policy.yaml"], Int32(65)),
        ("error-bad-type", ["attrs", "--s1", "normal-nx", "--s2", "device-ngnre"], Int32(64)),
        ("error-fwb-spelling", ["attrs", "--s1", "normal-nc", "--s2", "fwb-111"], Int32(64)),
        ("error-unknown-subcommand", ["inspekt", "x"], Int32(64)),
        ("error-unknown-platform", ["replay", "traces/nvme-doorbell.mtrace", "--platform", "split-ecm"], Int32(64)),
        ("error-unknown-schedule", ["replay", "traces/nvme-doorbell.mtrace", "--schedule", "adversarail"], Int32(64)),
        ("error-unknown-device-model", ["replay", "Tests/CLITests/Fixtures/unknown-model.mtrace"], Int32(65)),
        ("error-bad-fault", ["replay", "traces/nvme-doorbell.mtrace", "--fault", "CA at bar0+0x1c raed"], Int32(64)),
        ("error-bad-fault-in-trace", ["replay", "Tests/CLITests/Fixtures/bad-fault.mtrace"], Int32(65)),
        ("error-timeline-two-policies", ["replay", "traces/nvme-doorbell.mtrace", "--policy", "kvm-device", "--policy", "kvm-normal-nc",
                                         "--timeline", "t.json"], Int32(64)),
        ("error-convert-in-place", ["convert", "traces/nvme-doorbell.mtrace", "-o", "traces/nvme-doorbell.mtrace"], Int32(64)),
    ])
    func failsWithTheRightStatus(name: String, arguments: [String], status: Int32) throws {
        try CLI.expectGolden(name, arguments, status: status)
    }

    /// Every cell of `attrs --s1 --s2` prints exactly one type name, the same as the table.
    @Test func singleCellsMatchTheTable() throws {
        let cells: [(String, String, [String], String)] = [
            ("normal-nc", "device-ngnre", [], "device-ngnre"),
            ("device-ngnre", "normal-nc", [], "device-ngnre"),
            ("normal-wb", "normal-nc", [], "normal-nc"),
            ("Device-GRE", "Device-nGRE", [], "device-ngre"),
            ("normal-wb", "fwb-111", ["--fwb"], "normal-wb"),
            ("device-ngnre", "fwb-110", ["--fwb"], "normal-wb"),
            ("normal-wt", "fwb-101", ["--fwb"], "normal-nc"),
            ("device-gre", "fwb-101", ["--fwb"], "device-gre"),
        ]
        for (s1, s2, extra, expected) in cells {
            let result = try CLI.run(["attrs", "--s1", s1, "--s2", s2] + extra)
            #expect(result.status == 0 && result.stdout == expected + "\n", "\(s1) x \(s2)")
        }
    }

    @Test func convertRoundTripsCanonicalTextThroughAFile() throws {
        let canonical = try CLI.run(["convert", "traces/nvme-doorbell.mtrace", "-o", "-"]).stdout
        let again = try CLI.run(["convert", "-", "-o", "-"], stdin: canonical)
        #expect(again.status == 0)
        #expect(again.stdout == canonical)
    }

    @Test func generateIsDeterministicAndInspectable() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mmio-replay-cli-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a.mtrace").path, b = dir.appendingPathComponent("b.mtrace").path
        #expect(try CLI.run(["generate", "--events", "20000", "--seed", "9", "-o", a]).status == 0)
        #expect(try CLI.run(["generate", "--events", "20000", "--seed", "9", "-o", b]).status == 0)
        #expect(FileManager.default.contents(atPath: a) == FileManager.default.contents(atPath: b))
        let inspect = try CLI.run(["inspect", a, "--json"])
        let json = try JSONSerialization.jsonObject(with: Data(inspect.stdout.utf8)) as! [String: Any]
        let events = json["events"] as! [String: Any]
        #expect(events["total"] as? Int == 20000)
        #expect((events["byKind"] as! [String: Int])["write"]! > 0)
        #expect((json["regions"] as! [Any]).count == 3)
        #expect((json["warnings"] as! [Any]).isEmpty)
    }

    @Test func everySubcommandHasHelpWithAnExample() throws {
        for command in ["attrs", "inspect", "replay", "generate", "convert", "profiles list", "profiles show"] {
            let result = try CLI.run(command.split(separator: " ").map(String.init) + ["--help"])
            #expect(result.status == 0, "\(command)")
            #expect(result.stdout.contains("Example"), "\(command) --help has no example")
        }
        let version = try CLI.run(["--version"])
        #expect(version.status == 0 && version.stdout.hasPrefix("mmio-replay 0.1.0 (libpcap version "))
    }
}

@Suite struct TLPCaptureTests {
    /// `replay --tlp-pcap` writes the TLPs of the replay; Wireshark (tshark with the bundled Lua
    /// dissector) decodes them field by field.
    @Test func replayWritesTLPsWiresharkDecodes() throws {
        let pcap = FileManager.default.temporaryDirectory.appendingPathComponent("tlps-\(ProcessInfo.processInfo.processIdentifier).pcap").path
        defer { try? FileManager.default.removeItem(atPath: pcap) }
        let result = try CLI.run(["replay", "traces/scenarios/wrong-size-read.mtrace", "--platform", "ras-sbsa", "--tlp-pcap", pcap])
        #expect(result.status == 0)
        let tshark = ["/usr/bin/tshark", "/usr/local/bin/tshark"].first { FileManager.default.isExecutableFile(atPath: $0) }
        try #require(tshark != nil, "tshark is not installed: run tools/install-deps.sh (make test does)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tshark!)
        process.arguments = ["-X", "lua_script:tools/wireshark/mmio-replay.lua", "-r", pcap, "-T", "fields",
                             "-e", "pcietlp.direction", "-e", "pcietlp.fmt_type", "-e", "pcietlp.address", "-e", "pcietlp.completion_status"]
        process.currentDirectoryURL = CLI.packageRoot
        let out = Pipe()
        process.standardOutput = out
        process.standardError = Pipe()
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let rows = text.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        #expect(rows.count == 2)
        #expect(rows.first?.prefix(3).joined(separator: " ") == "0 0x00 0x00000000fe400008")
        #expect(rows.last?.first == "1" && rows.last?.last == "4")
    }

    static func tshark(_ arguments: [String]) throws -> String {
        let tshark = try #require(["/usr/bin/tshark", "/usr/local/bin/tshark"].first { FileManager.default.isExecutableFile(atPath: $0) },
                                  "tshark is not installed: run tools/install-deps.sh (make test does)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tshark)
        process.arguments = ["-2", "-X", "lua_script:tools/wireshark/mmio-replay.lua"] + arguments
        process.currentDirectoryURL = CLI.packageRoot
        let out = Pipe()
        process.standardOutput = out
        process.standardError = Pipe()
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return text
    }

    /// Analyze > Expert Information lists the errors of a replay: error completions, poisoned
    /// TLPs and error messages; completions name the frame of their request and vice versa.
    @Test func expertInformationListsTheErrors() throws {
        let cases: [(arguments: [String], summary: String)] = [
            (["traces/scenarios/wrong-size-read.mtrace", "--platform", "ras-sbsa"], "Response            PCIETLP  CA from 01:00.0"),
            (["traces/scenarios/posted-write-ur.mtrace"], "Protocol            PCIETLP  ERR_NONFATAL from 02:00.0"),
            (["traces/nvme-doorbell.mtrace", "--fault", "poisoned-completion at bar0+0x1c read"], "Malformed            PCIETLP  Poisoned TLP (EP set)"),
            (["traces/nvme-doorbell.mtrace", "--fault", "UR at bar0+0x1c read"], "Response            PCIETLP  UR from 01:00.0"),
            (["traces/nvme-doorbell.mtrace", "--fault", "poisoned-write at bar0+0x14 write"], "Malformed            PCIETLP  Poisoned TLP (EP set)"),
        ]
        for c in cases {
            let pcap = FileManager.default.temporaryDirectory.appendingPathComponent("expert-\(UUID().uuidString).pcap").path
            defer { try? FileManager.default.removeItem(atPath: pcap) }
            #expect(try CLI.run(["replay"] + c.arguments + ["--tlp-pcap", pcap]).status == 0)
            let expert = try Self.tshark(["-r", pcap, "-q", "-z", "expert"])
            #expect(expert.contains(c.summary), "\(c.arguments): \(expert)")
            #expect(!expert.contains("matching no earlier request") && !expert.contains("Lua Error"), "\(expert)")
        }
        let pcap = FileManager.default.temporaryDirectory.appendingPathComponent("pairs-\(UUID().uuidString).pcap").path
        defer { try? FileManager.default.removeItem(atPath: pcap) }
        #expect(try CLI.run(["replay", "traces/nvme-doorbell.mtrace", "--tlp-pcap", pcap]).status == 0)
        let rows = try Self.tshark(["-r", pcap, "-T", "fields", "-e", "frame.number", "-e", "pcietlp.kind", "-e", "pcietlp.request_in", "-e", "pcietlp.response_in"])
            .split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        let completions = rows.filter { $0[1] == "Cpl" || $0[1] == "CplD" }
        #expect(!completions.isEmpty && completions.allSatisfy { !$0[2].isEmpty })
        for completion in completions {
            let request = try #require(rows.first { $0[0] == completion[2] })
            #expect(request[3] == completion[0], "request \(request) does not point back to completion \(completion)")
        }
    }
}

@Suite struct CaptureCLITests {
    static let sample = "traces/captures/x86-q35-nvme-e1000e.mmiotrace"

    /// A real capture is inspected (with a ready-to-edit side file) and replayed under two
    /// policies, read directly in its own format.
    @Test func realCaptureInspectsAndReplays() throws {
        let inspect = try CLI.run(["inspect", Self.sample])
        #expect(inspect.status == 0)
        #expect(inspect.stdout.contains("events 9674"))
        #expect(inspect.stdout.contains("side file (edit and pass with --map):"))
        let replay = try CLI.run(["replay", Self.sample, "--map", "traces/captures/x86-q35-nvme-e1000e.yaml",
                                  "--policy", "kvm-device", "--policy", "kvm-normal-nc", "--device-view-limit", "0", "--json"])
        #expect(replay.status == 0)
        let reports = try JSONSerialization.jsonObject(with: Data(replay.stdout.utf8)) as! [[String: Any]]
        #expect(reports.map { $0["policy"] as? String } == ["kvm-device", "kvm-normal-nc"])
        #expect(reports.allSatisfy { (($0["summary"] as! [String: Any])["events"] as? Int) == 9674 })
        // The side file's models (nvme, e1000e) cover every register the drivers touched.
        #expect(reports.allSatisfy { ($0["verdictCounts"] as? [String: Int]) == [:] })
    }

    /// A real QEMU trace log is read directly and replayed under two policies.
    @Test func qemuLogReplays() throws {
        let replay = try CLI.run(["replay", "traces/captures/x86-q35-nvme.log", "--policy", "kvm-device",
                                  "--policy", "kvm-normal-nc", "--device-view-limit", "0", "--json"])
        #expect(replay.status == 0)
        let reports = try JSONSerialization.jsonObject(with: Data(replay.stdout.utf8)) as! [[String: Any]]
        #expect(reports.count == 2)
        #expect(reports.allSatisfy { (($0["summary"] as! [String: Any])["events"] as? Int) == 3339 })
    }

    /// mtrace → pcap → mtrace gives the canonical text back.
    @Test func pcapRoundTrip() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pcap-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let pcap = dir.appendingPathComponent("t.pcap").path
        #expect(try CLI.run(["convert", "traces/nic-write-combining.mtrace", "-o", pcap]).status == 0)
        let back = try CLI.run(["convert", pcap, "-o", "-"])
        let canonical = try CLI.run(["convert", "traces/nic-write-combining.mtrace", "-o", "-"])
        #expect(back.status == 0 && back.stdout == canonical.stdout)
    }
}

@Suite struct TimelineFileTests {
    /// `replay --timeline` writes the same Chrome trace-event JSON as the golden file, byte for
    /// byte (`RECORD_SNAPSHOTS=1` re-records it); the report on stdout is unchanged by it.
    @Test func replayWritesTheGoldenTimeline() throws {
        let json = FileManager.default.temporaryDirectory.appendingPathComponent("timeline-\(ProcessInfo.processInfo.processIdentifier).json").path
        defer { try? FileManager.default.removeItem(atPath: json) }
        let arguments = ["replay", "traces/scenarios/late-posted-error.mtrace", "--platform", "ras-sbsa", "--schedule", "adversarial"]
        let result = try CLI.run(arguments + ["--timeline", json])
        #expect(result.status == 0)
        #expect(result.stdout == (try CLI.run(arguments)).stdout)
        let written = try String(contentsOfFile: json, encoding: .utf8)
        try Golden.expect(written, matches: CLI.fixtures.appendingPathComponent("timeline-late-posted-error.json").path)
    }
}
