import ArmMemory
import Foundation
import MMIOTrace
import Platforms
import Testing
import Yams
@testable import ReplayEngine
import Verdicts

/// The scenario catalogue (docs/domain.md §7, §10): every `traces/scenarios/NAME.mtrace` with a
/// sidecar `NAME.expected.yaml` is replayed as `mmio-replay replay` would (its `fault` lines
/// included) under each case of the sidecar, and the distinct verdicts must be exactly the
/// expected ones; a case whose schedule is `explore` lists the verdicts possible in some
/// execution, which the explorer must find, completely, and no other.
@Suite struct ScenarioCatalogueTests {
    static let directory = Harness.packageRoot.appendingPathComponent("traces/scenarios")
    static let names: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
        .filter { $0.hasSuffix(".expected.yaml") }.map { String($0.dropLast(".expected.yaml".count)) }.sorted()

    struct Case {
        var policies: [String]
        var platforms: [String]
        /// Schedules; nil stands for `explore`.
        var schedules: [Schedule?]
        var stage1: [String: MemoryType]
        /// The VMM's own stage-1 overrides (`vmm-s1`).
        var vmmStage1: [String: MemoryType]
        var verdicts: Set<Verdict>
        /// The distinct hazard kinds, when the case states them (not under `explore`).
        var hazards: Set<HazardKind>?
        /// Recorded read values the model answered differently, when stated.
        var readDivergences: Int?
        /// Write transactions that left the CPU, when stated.
        var writeTransactions: Int?
    }

    static func cases(of name: String) throws -> [Case] {
        let text = try String(contentsOf: directory.appendingPathComponent("\(name).expected.yaml"), encoding: .utf8)
        let root = try #require(try Yams.load(yaml: text) as? [String: Any])
        let items = try #require(root["cases"] as? [[String: Any]])
        return try items.map { item in
            Case(policies: try #require(item["policies"] as? [String]),
                 platforms: try #require(item["platforms"] as? [String]),
                 schedules: (item["schedules"] as? [String] ?? ["in-order", "adversarial"]).map { $0 == "explore" ? nil : Schedule(name: $0, seed: 1)! },
                 stage1: (item["s1"] as? [String: String] ?? [:]).mapValues { MemoryType(name: $0)! },
                 vmmStage1: (item["vmm-s1"] as? [String: String] ?? [:]).mapValues { MemoryType(name: $0)! },
                 verdicts: Set(try #require(item["verdicts"] as? [String]).map { try #require(Verdict(rawValue: $0), "unknown verdict '\($0)'") }),
                 hazards: try (item["hazards"] as? [String]).map { Set(try $0.map { try #require(HazardKind(rawValue: $0), "unknown hazard '\($0)'") }) },
                 readDivergences: item["read-divergences"] as? Int, writeTransactions: item["write-transactions"] as? Int)
        }
    }

    @Test(arguments: names)
    func scenarioGivesTheExpectedVerdicts(name: String) throws {
        let trace = Self.directory.appendingPathComponent("\(name).mtrace").path
        let cases = try Self.cases(of: name)
        #expect(!cases.isEmpty)
        for c in cases {
            for policy in c.policies {
                for platformName in c.platforms {
                    let platform = platformName.hasSuffix(".yaml")
                        ? try PlatformProfile.resolve(Harness.packageRoot.appendingPathComponent(platformName).path)
                        : Harness.platform(platformName)
                    for schedule in c.schedules {
                        guard let schedule else {
                            let loaded = try LoadedTrace(reading: MTraceReader(path: trace), name: name)
                            var options = ReplayOptions(guestStage1: c.stage1)
                            options.vmmStage1 = c.vmmStage1
                            let result = try Explorer(trace: loaded, policy: Harness.policy(policy), platform: platform, options: options).run()
                            #expect(result.explore.complete, "\(name): \(policy) / \(platformName) / explore")
                            let possible = Set(Verdict.allCases.filter { result.verdictCounts[$0] > 0 })
                            #expect(possible == c.verdicts, "\(name): \(policy) / \(platformName) / explore s1 \(c.stage1)")
                            continue
                        }
                        var options = ReplayOptions(schedule: schedule, guestStage1: c.stage1)
                        options.vmmStage1 = c.vmmStage1
                        let report = try Replay.run(MTraceReader(path: trace), policy: Harness.policy(policy), platform: platform, options: options)
                        let found = Set(report.verdicts.map(\.verdict))
                        #expect(found == c.verdicts, "\(name): \(policy) / \(platformName) / \(schedule.name) s1 \(c.stage1)")
                        if let hazards = c.hazards {
                            #expect(Set(HazardKind.allCases.filter { report.hazardCounts[$0] > 0 }) == hazards,
                                    "\(name): \(policy) / \(platformName) / \(schedule.name) vmm-s1 \(c.vmmStage1): hazards")
                        }
                        if let expected = c.readDivergences {
                            #expect(report.summary.reads.differing == expected && report.summary.reads.compared > 0, "\(name): \(policy) / \(platformName): reads")
                        }
                        if let expected = c.writeTransactions {
                            #expect(report.summary.writeTransactions == expected, "\(name): \(policy) / \(platformName) / \(schedule.name) s1 \(c.stage1): writes")
                        }
                        #expect(report.verdicts.allSatisfy { !$0.evidence.isEmpty && $0.chain.hasSuffix("⇒ \($0.verdict)") })
                    }
                }
            }
        }
    }
}
