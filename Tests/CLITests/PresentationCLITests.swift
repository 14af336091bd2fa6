import Foundation
import Testing

/// `replay`'s display options never change a result: text and `--json`, every list limit,
/// `--timeline` and `--tlp-pcap` give the same verdicts (each verdict with its origin and
/// subject) and hazard counts.
@Suite struct PresentationCLITests {
    /// What a replay found, per (policy, platform), read from either output format.
    struct Found: Equatable {
        var verdicts: [String]
        var hazards: Int
    }

    /// From `--json`: every verdict as `verdict origin agent place`, sorted, and the hazard total.
    static func fromJSON(_ text: String) throws -> [Found] {
        let reports = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
        return try reports.map { report in
            let verdicts = try #require(report["verdicts"] as? [[String: Any]]).map { v in
                let place = (v["region"] as? String).map { region in "\(region)+0x\(String((v["offset"] as? Int) ?? 0, radix: 16))" } ?? ""
                return "\(v["verdict"]!) \(v["origin"]!) \(v["agent"]!) \(place)"
            }.sorted()
            let hazards = try #require(report["hazardCounts"] as? [String: Int]).values.reduce(0, +)
            return Found(verdicts: verdicts, hazards: hazards)
        }
    }

    /// From the text output: the header counts of each pair (`verdicts: N`, `hazards: N`).
    static func counts(_ text: String) -> [(verdicts: Int, hazards: Int)] {
        func number(after prefix: String, in line: Substring) -> Int? {
            line.hasPrefix(prefix) ? Int(line.dropFirst(prefix.count).prefix { $0.isNumber }) : nil
        }
        var result: [(Int, Int)] = []
        var verdicts = 0
        for line in text.split(separator: "\n") {
            if let n = number(after: "verdicts: ", in: line) { verdicts = n }
            if let n = number(after: "hazards: ", in: line) { result.append((verdicts, n)) }
        }
        return result
    }

    static let replays: [[String]] = [
        ["replay", "traces/scenarios/wrong-size-read.mtrace", "--policy", "kvm-device", "--platform", "ras-sbsa"],
        ["replay", "traces/scenarios/reclaim-after-writes.mtrace", "--policy", "kvm-normal-nc", "--platform", "split-ecam", "--schedule", "adversarial"],
        ["replay", "traces/scenarios/read-pushes-writes.mtrace", "--policy", "kvm-normal-nc", "--schedule", "adversarial"],
        ["replay", "traces/captures/x86-q35-nvme.log", "--policy", "kvm-device", "--platform", "ras-sbsa"],
    ]

    @Test(arguments: replays)
    func displayOptionsDoNotChangeResults(_ replay: [String]) throws {
        let reference = try CLI.run(replay + ["--json"])
        #expect(reference.status == 0, "\(reference.stderr)")
        let found = try Self.fromJSON(reference.stdout)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("presentation-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let variants: [[String]] = [
            ["--device-view-limit", "0"], ["--device-view-limit", "1", "--hazard-limit", "0"], ["--hazard-limit", "1"],
            ["--device-view-limit", "1000000000", "--hazard-limit", "1000000000"],
            ["--timeline", directory.appendingPathComponent("t.json").path, "--tlp-pcap", directory.appendingPathComponent("t.pcap").path],
        ]
        for variant in variants {
            let json = try CLI.run(replay + variant + ["--json"])
            #expect(json.status == 0)
            #expect(try Self.fromJSON(json.stdout) == found, "\(variant) --json")
            for limit in ["0", "1", "1000"] {
                let text = try CLI.run(replay + variant + ["--verdict-limit", limit])
                #expect(text.status == 0)
                let counts = Self.counts(text.stdout)
                #expect(counts.map(\.verdicts) == found.map(\.verdicts.count), "\(variant) --verdict-limit \(limit)")
                #expect(counts.map(\.hazards) == found.map(\.hazards), "\(variant) --verdict-limit \(limit)")
            }
        }
    }
}
