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
}
