import Foundation
import Testing

/// `compare` on a real campaign: exit statuses, formats, and the HTML report rendered in
/// headless Chromium.
@Suite(.serialized) struct CompareCLITests {
    /// The small Slurm fixture campaign, run once into a temporary database.
    static let database = campaign("Tests/CLITests/Fixtures/campaigns/slurm-small.yaml")

    /// The demo campaign (traces/campaigns/demo.yaml), run once into a temporary database.
    static let demoDatabase = campaign("traces/campaigns/demo.yaml")

    /// The database of a `campaign run` of `spec`, in a directory of its own.
    static func campaign(_ spec: String) -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("compare-cli-\(UUID().uuidString)").path
        try! FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let db = directory + "/campaign.db"
        let result = try! CLI.run(["campaign", "run", spec, "--db", db, "--quiet"])
        precondition(result.status == 0, result.stderr)
        return db
    }

    @Test func failOnUncontained() throws {
        let plain = try CLI.run(["compare", Self.database])
        #expect(plain.status == 0)
        #expect(plain.stdout.contains("kvm-device → kvm-normal-nc:"))
        #expect(plain.stdout.contains("Cost per policy (golden runs)"))
        // ras-sbsa makes some loads host-panic: uncontained.
        #expect(try CLI.run(["compare", Self.database, "--fail-on", "uncontained"]).status == 1)
        // The same database compared with itself changes nothing.
        let same = try CLI.run(["compare", Self.database, Self.database, "--fail-on", "uncontained"])
        #expect(same.status == 0)
        #expect(same.stdout.contains("0 changed verdict"))
        #expect(try CLI.run(["compare", Self.database, "--baseline", "nope"]).status == 64)
        #expect(try CLI.run(["compare", Self.database, "--format", "xml"]).status == 64)
    }

    @Test func formats() throws {
        let json = try CLI.run(["compare", Self.database, "--format", "json"])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["baseline"] as? String == "kvm-device")
        let csv = try CLI.run(["compare", Self.database, "--format", "csv"]).stdout
        #expect(csv.hasPrefix("section,policy,platform,verdict,sites,other,to,tlps,link_bytes,simulated_ns,write_combining,"
            + "uncontained,golden_runs,golden_uncontained,golden_hazards,trace,fault_kind,request,register\n"))
        let md = try CLI.run(["compare", Self.database, "--format", "md", "--by", "platform"]).stdout
        #expect(md.hasPrefix("# Campaign slurm-small: platform comparison"))
        #expect(md.contains("## quiet-pcie → ras-sbsa"))
    }

    /// The demo's report renders in headless Chromium: the PNG is not blank, and the DOM
    /// Chromium built opens with the uncontained outcomes, golden runs' included (the
    /// post-reclaim writes split-ecam lets through), with the cost against the baseline beside
    /// them, before the breakdown, the verdict counts, the transitions and the costs.
    @Test func htmlRendersInChromium() throws {
        guard let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first(where: FileManager.default.isExecutableFile) else {
            Issue.record("chromium is not installed (tools/install-deps.sh installs it)")
            return
        }
        let directory = (Self.demoDatabase as NSString).deletingLastPathComponent
        let html = directory + "/report.html", png = directory + "/report.png"
        #expect(try CLI.run(["compare", Self.demoDatabase, "--format", "html", "-o", html]).status == 0)
        let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--user-data-dir=\(directory)/chromium"]
        _ = try run(chromium, flags + ["--window-size=1200,1600", "--screenshot=\(png)", "file://\(html)"])
        let image = try Data(contentsOf: URL(fileURLWithPath: png))
        #expect(image.starts(with: [0x89, 0x50, 0x4e, 0x47]))
        // A blank 1200×1600 page compresses to a few kilobytes; the report's bars, tables and text do not.
        #expect(image.count > 40_000, "the PNG is \(image.count) bytes: blank?")
        let dom = try run(chromium, flags + ["--dump-dom", "file://\(html)"])
        let headings = ["Campaign demo", "Uncontained outcomes", "Uncontained fault sites by trace", "Verdicts per policy and platform",
                        "Transitions from kvm-device", "Cost per policy", "Fault details"]
        let positions = headings.map { dom.range(of: $0)?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil }, "missing headings: \(zip(headings, positions).filter { $1 == nil }.map(\.0))")
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted(), "headings out of order")
        let opening = String(dom[..<(dom.range(of: "Uncontained fault sites by trace")?.lowerBound ?? dom.endIndex)])
        #expect(opening.contains("golden uncontained") && opening.contains("post-reclaim-write 3"))
        #expect(opening.contains("TLPs Δ") && opening.contains("write-combining"))
        // The NIC's descriptor pushes merge under kvm-normal-nc: fewer TLPs than under kvm-device.
        #expect(opening.contains("−708 (−2.5%)"))
        #expect(dom.components(separatedBy: "<svg").count > 4)
    }

    /// Runs a program; its standard output (standard error goes to a file: Chromium is chatty).
    private func run(_ program: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-\(UUID().uuidString).out")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        let handle = try FileHandle(forWritingTo: out)
        process.standardOutput = handle
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try handle.close()
        return try String(contentsOf: out, encoding: .utf8)
    }
}

/// `compare A.db B.db` groups the changed sites in every format (issue 16).
@Suite struct RegressionCLITests {
    @Test func changedSitesAreGroupedInEveryFormat() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("regression-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for side in ["a", "b"] {
            let run = try CLI.run(["campaign", "run", "Tests/CLITests/Fixtures/campaigns/regression-\(side).yaml", "--db", "\(directory)/\(side).db", "--quiet"])
            #expect(run.status == 0, "\(run.stderr)")
        }
        let (a, b) = ("\(directory)/a.db", "\(directory)/b.db")
        let table = try CLI.run(["compare", a, b])
        #expect(table.stdout.hasPrefix("50 fault sites in both (regression-a → regression-b); 18 changed verdict"), "\(table.stdout)")
        #expect(table.stdout.contains("Changed sites by trace, fault kind, register and change (12 groups)"))
        #expect(table.stdout.contains("nvme-doorbell.mtrace    CA                  CA at bar0+0x1c read   guest-abort → host-panic      4"))
        #expect(try CLI.run(["compare", a, b, "--fail-on", "uncontained"]).status == 1)

        let json = try CLI.run(["compare", a, b, "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let groups = try #require(object["groups"] as? [[String: Any]])
        #expect(groups.count == 12 && groups.reduce(0) { $0 + ($1["sites"] as? Int ?? 0) } == (object["changes"] as? [Any])?.count)

        let csv = try CLI.run(["compare", a, b, "--format", "csv"]).stdout.split(separator: "\n")
        #expect(csv.first == "trace,kind,register,from,to,sites,examples" && csv.count == 13)
        let md = try CLI.run(["compare", a, b, "--format", "md"]).stdout
        #expect(md.hasPrefix("# Regression: regression-a → regression-b") && md.contains("| nvme-doorbell.mtrace | CA | CA at bar0+0x1c read | guest-abort → host-panic | 4 |"))
        let html = try CLI.run(["compare", a, b, "--format", "html"]).stdout
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("<h2>Changed sites by trace, fault kind, register and change</h2>"))
    }
}
