import Foundation
import Testing

/// One convention across commands (issue 16): what is missing is exit 66, a fault at a name the
/// trace does not have is a usage error with a suggestion.
@Suite struct CLIConventionTests {
    @Test func aMissingDatabaseIsMissingInput() throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("missing-\(UUID().uuidString).db").path
        for arguments in [["campaign", "status", missing], ["compare", missing], ["campaign", "export", missing],
                          ["campaign", "shrink", missing, "0000000000000000", "-o", missing + ".mtrace"]] {
            let result = try CLI.run(arguments)
            #expect(result.status == 66 && result.stderr.contains("no such database"), "\(arguments): \(result.status) \(result.stderr)")
        }
    }

    @Test func aFaultAtAnUndeclaredNameIsAUsageError() throws {
        for (fault, suggestion) in [("CA at bar9+0x1c read", "did you mean 'bar0'?"), ("UR at cfg nvme1+0x4", "did you mean 'nvme0'?"),
                                    ("UR at nvme9", "did you mean 'nvme0'?")] {
            for command in ["replay", "shrink"] {
                var arguments = [command, "traces/nvme-doorbell.mtrace", "--fault", fault]
                if command == "shrink" { arguments += ["--verdict", "guest-abort", "-o", "/dev/null"] }
                let result = try CLI.run(arguments)
                #expect(result.status == 64 && result.stderr.contains(suggestion), "\(arguments): \(result.stderr)")
            }
        }
        #expect(try CLI.run(["replay", "traces/nvme-doorbell.mtrace", "--fault", "CA at nvme0"]).status == 0)
    }

    @Test func dataCommandsPrintJSON() throws {
        let list = try CLI.run(["profiles", "list", "--json"])
        let lists = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: [[String: String]]])
        #expect(lists["policies"]?.count == 7 && lists["platforms"]?.count == 6 && (lists["models"]?.count ?? 0) >= 5)

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("status-json-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let db = directory + "/k.db"
        #expect(try CLI.run(["campaign", "run", "Tests/CLITests/Fixtures/campaigns/kernels.yaml", "--db", db, "--quiet"]).status == 0)
        let status = try CLI.run(["campaign", "status", db, "--json", "--check"])
        #expect(status.status == 0, "\(status.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        #expect(object["campaign"] as? String == "kernels" && object["complete"] as? Bool == true && object["failed"] as? Int == 0)
        #expect((object["problems"] as? [String])?.isEmpty == true && ((object["verdicts"] as? [Any])?.count ?? 0) > 0)
    }

    /// `replay` answers first (verdicts by kind, uncontained first, with chains), then the
    /// summary; hazards and the device view are counted, and listed only on request.
    @Test func replayLeadsWithTheAnswer() throws {
        let plain = try CLI.run(["replay", "traces/scenarios/mismatched-alias.mtrace"])
        let lines = plain.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count >= 3 && lines[1].hasPrefix("verdicts: "), "\(plain.stdout)")
        #expect(plain.stdout.contains("hazards: 1: mismatched-alias 1 (--hazards all lists them)"))
        #expect(plain.stdout.contains("device view: 2 observations (--device-view lists them)") && !plain.stdout.contains("  MWr  "))
        let all = try CLI.run(["replay", "traces/scenarios/mismatched-alias.mtrace", "--hazards", "all", "--device-view"])
        #expect(all.stdout.contains("vmm  mismatched-alias  nic0 wc+0x8") && all.stdout.contains("  MWr  vcpu0  wc+0x0"))
        #expect(try CLI.run(["replay", "traces/scenarios/mismatched-alias.mtrace", "--hazards", "some"]).status == 64)
        // Uncontained verdicts come first.
        let faults = try CLI.run(["replay", "traces/nvme-doorbell.mtrace", "--platform", "ras-sbsa",
                                  "--fault", "UR at bar0+0x1010 write every", "--fault", "CA at bar0+0x1c read #2"])
        let verdictLines = faults.stdout.split(separator: "\n").filter { $0.hasPrefix("  ") && !$0.hasPrefix("    ") && $0.contains(" at ") && $0.contains(" ns") }
        #expect(verdictLines.first?.contains("(UNCONTAINED)") == true, "\(faults.stdout)")
    }
}
