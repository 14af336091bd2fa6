import ArmMemory
import Diagnostics
import Foundation
import MMIOTrace
import Platforms
import SeededRandom
import Testing
import TraceSynthesis
import Verdicts
@testable import ReplayEngine

/// The explorer (docs/explore.md): complete on the catalogue, a superset of what every schedule
/// finds, witnesses that replay to their outcome, and litmus tests whose allowed outcomes are
/// found and whose forbidden ones never are.
@Suite struct ExplorerTests {
    static let policies = ["kvm-device", "kvm-normal-nc", "strict-ngnrne"]

    /// The outcome kinds of one replay.
    static func outcomes(_ report: ReplayReport) -> (verdicts: Set<Verdict>, hazards: Set<HazardKind>) {
        (Set(report.verdicts.map(\.verdict)), Set(HazardKind.allCases.filter { report.hazardCounts[$0] > 0 }))
    }

    /// The explorer's possible outcomes contain those of in-order, adversarial and random runs,
    /// and each witness replays to its outcome.
    static func checkCovers(_ trace: LoadedTrace, policy: String, platform: String, label: String) throws {
        let explorer = Explorer(trace: trace, policy: Harness.policy(policy), platform: Harness.platform(platform))
        let result = try explorer.run()
        #expect(result.explore.complete, "\(label): \(result.explore)")
        let verdicts = Set(Verdict.allCases.filter { result.verdictCounts[$0] > 0 })
        let hazards = Set(HazardKind.allCases.filter { result.hazardCounts[$0] > 0 })
        for schedule in [Schedule.inOrder, .adversarial] + (1...6).map({ Schedule.random(seed: $0) }) {
            let report = try Replay.run(LoadedTraceSource(trace, position: 0), policy: Harness.policy(policy), platform: Harness.platform(platform),
                                        options: ReplayOptions(schedule: schedule))
            let found = outcomes(report)
            #expect(found.verdicts.isSubset(of: verdicts), "\(label) \(schedule.name): \(found.verdicts) not in \(verdicts)")
            #expect(found.hazards.isSubset(of: hazards), "\(label) \(schedule.name): \(found.hazards) not in \(hazards)")
        }
        #expect(result.witnesses.count == verdicts.count + hazards.count)
        for witness in result.witnesses {
            let report = try Replay.run(LoadedTraceSource(trace, position: 0), policy: Harness.policy(policy), platform: Harness.platform(platform),
                                        options: ReplayOptions(schedule: .decided(witness.choices)))
            let found = outcomes(report)
            #expect(witness.verdict.map(found.verdicts.contains) ?? witness.hazard.map(found.hazards.contains) ?? false,
                    "\(label): witness \(witness.outcome) \(witness.choices.spelling) replays to \(found)")
        }
    }

    @Test(arguments: ScenarioCatalogueTests.names)
    func theCatalogueIsExploredCompletely(name: String) throws {
        let trace = try LoadedTrace(reading: MTraceReader(path: ScenarioCatalogueTests.directory.appendingPathComponent("\(name).mtrace").path),
                                    name: name)
        for policy in Self.policies {
            for platform in ["quiet-pcie", "ras-sbsa", "split-ecam", "platform-device"] {
                try Self.checkCovers(trace, policy: policy, platform: platform, label: "\(name) \(policy) \(platform)")
            }
        }
    }

    /// Property: on small generated traces (seed printed on failure), the explorer contains
    /// every schedule's outcomes.
    @Test func generatedTracesAreCovered() throws {
        var random = SplitMix64(seed: 20261207)
        for _ in 0..<6 {
            let seed = random.next() % 1_000
            let workload = [Workload.nvme, .nic, .mixed][Int(random.next() % 3)]
            let generator = WorkloadGenerator(workload: workload, events: 40, seed: seed)
            let trace = LoadedTrace(name: "generated", topology: generator.topology, events: Array(generator))
            for platform in ["split-ecam", "ras-sbsa"] {
                try Self.checkCovers(trace, policy: "kvm-normal-nc", platform: platform, label: "\(workload) seed \(seed) \(platform)")
            }
        }
    }

    @Test func witnessFilesRoundTrip() throws {
        let vector = ChoiceVector([true, false, true], otherwise: true, window: 3...9)
        #expect(vector.spelling == "101/1 @3-9")
        #expect(ChoiceVector(spelling: vector.spelling) == vector)
        #expect(ChoiceVector(spelling: "0110") == ChoiceVector([false, true, true, false]))
        #expect(ChoiceVector(spelling: "012") == nil && ChoiceVector(spelling: "01 @5-2") == nil)
        let witness = Witness(verdict: .postReclaimWrite, hazard: nil, agent: "vcpu0", region: "bar0", offset: 0x1008,
                              choices: vector, baseline: "adversarial", deviations: 1)
        let text = WitnessFile.render(witness, trace: "t.mtrace", policy: "kvm-device", platform: "split-ecam")
        #expect(try WitnessFile.parse(text, file: "w") == vector)
        #expect(throws: InputError.self) { try WitnessFile.parse("choices: 01x\n", file: "w") }
        #expect(throws: InputError.self) { try WitnessFile.parse("# nothing\n", file: "w") }
    }

    @Test func boundsCutTheSearchAndSaySo() throws {
        let trace = try LoadedTrace(reading: MTraceReader(path: ScenarioCatalogueTests.directory.appendingPathComponent("write-combining.mtrace").path),
                                    name: "write-combining")
        let full = try Explorer(trace: trace, policy: Harness.policy("kvm-normal-nc"), platform: Harness.platform("quiet-pcie")).run()
        #expect(full.explore.complete && full.explore.bound == nil && full.explore.executions > 8)
        let json = String(decoding: try JSONEncoder().encode(full.explore), as: UTF8.self)
        #expect(json.contains("\"bound\":null") && json.contains("\"window\":null"), "\(json)")
        let cut = try Explorer(trace: trace, policy: Harness.policy("kvm-normal-nc"), platform: Harness.platform("quiet-pcie"),
                               bounds: ExploreBounds(maxExecutions: 5)).run()
        #expect(!cut.explore.complete && cut.explore.bound == "executions" && cut.explore.executions <= 5)
        let one = try Explorer(trace: trace, policy: Harness.policy("kvm-normal-nc"), platform: Harness.platform("quiet-pcie"),
                               bounds: ExploreBounds(maxExecutions: 1)).run()
        #expect(one.explore.executions == 1 && one.explore.deviations == nil, "only the in-order execution: no level complete")
        let shallow = try Explorer(trace: trace, policy: Harness.policy("kvm-normal-nc"), platform: Harness.platform("quiet-pcie"),
                                   bounds: ExploreBounds(maxDeviations: 1)).run()
        #expect(!shallow.explore.complete && shallow.explore.bound == "deviations" && shallow.explore.deviations == 1)
        let windowed = try Explorer(trace: trace, policy: Harness.policy("kvm-normal-nc"), platform: Harness.platform("quiet-pcie"),
                                    bounds: ExploreBounds(window: 1...2)).run()
        #expect(windowed.explore.complete && windowed.explore.executions < full.explore.executions)
    }

    // MARK: - Litmus tests (docs/domain.md §1, §3, §9)

    /// Explores `body` and returns every execution's device view of memory requests, in arrival order.
    static func arrivals(_ body: String, type: String, policy: String = "kvm-normal-nc", platform: String = "quiet-pcie")
        throws -> [[DeviceObservation]] {
        let trace = try LoadedTrace(reading: MTraceReader(text: Harness.header(guest: type) + body), name: "litmus")
        var views: [[DeviceObservation]] = []
        let result = try Explorer(trace: trace, policy: Harness.policy(policy), platform: Harness.platform(platform)).run { report, _ in
            views.append(report.deviceView.filter { $0.kind == .memoryWrite || $0.kind == .memoryRead })
        }
        #expect(result.explore.complete)
        return views
    }

    /// Two writes to one peripheral: Device-nGnRE arrive in program order in every execution;
    /// Normal-NC may arrive in either order (§1 peripheral arrival order).
    @Test func arrivalOrderByMemoryType() throws {
        let body = "100 vcpu0 write bar0+0x1000 4 0x1\n110 vcpu0 write bar0+0x1040 4 0x2\n200 vcpu0 dsb sy\n"
        let orders = { (views: [[DeviceObservation]]) in Set(views.map { $0.map(\.offset) }) }
        #expect(orders(try Self.arrivals(body, type: "device-ngnre", policy: "kvm-device")) == [[0x1000, 0x1040]])
        #expect(orders(try Self.arrivals(body, type: "normal-nc")) == [[0x1000, 0x1040], [0x1040, 0x1000]])
    }

    /// Eight 8-byte stores to a prefetchable page: Normal-NC gathers them into one 64-byte write
    /// (the platform's write-combining buffer); Device-nGnRE never merges, and keeps every size.
    @Test func gatheringAndSizesByMemoryType() throws {
        let body = (0..<8).map { "\(100 + $0 * 10) vcpu0 write wc+0x\(String($0 * 8, radix: 16)) 8 0x\($0 + 1)" }.joined(separator: "\n")
            + "\n300 vcpu0 dsb sy\n"
        let device = try Self.arrivals(body, type: "device-ngnre", policy: "kvm-device")
        #expect(!device.isEmpty && device.allSatisfy { view in view.count == 8 && view.allSatisfy { $0.size == 8 && $0.accesses == 1 } })
        let normal = try Self.arrivals(body, type: "normal-nc")
        #expect(normal.contains { view in view.count == 1 && view[0].size == 64 && view[0].accesses == 8 })
    }

    /// An unaligned write to a Normal-NC BAR completes without an exception in every execution
    /// (§1: unaligned permitted for Normal memory; §9).
    @Test func unalignedNormalWriteCompletes() throws {
        let trace = try LoadedTrace(reading: MTraceReader(text: Harness.header(guest: "normal-nc") + "100 vcpu0 write wc+0x3 4 0xaabbccdd\n200 vcpu0 dsb sy\n"),
                                    name: "unaligned")
        var arrived = true
        let result = try Explorer(trace: trace, policy: Harness.policy("kvm-normal-nc"), platform: Harness.platform("ras-sbsa")).run { report, _ in
            arrived = arrived && report.deviceView.contains { $0.kind == .memoryWrite }
        }
        #expect(result.explore.complete && result.verdictCounts.total == 0 && arrived)
    }

    /// A read pushes earlier posted writes on its own path, not on another (§3): after a write to
    /// the NVMe controller, a read of it never arrives first, while a read of the NIC may.
    @Test func aReadPushesWritesOnItsPathOnly() throws {
        func readFirst(_ read: String) throws -> [Bool] {
            let body = "100 vcpu0 write bar0+0x1000 4 0x1\n110 vcpu0 read \(read) 4\n200 vcpu0 exit\n"
            return try Self.arrivals(body, type: "device-ngnre", policy: "kvm-device").map { view in
                view.firstIndex { $0.kind == .memoryRead }! < view.firstIndex { $0.kind == .memoryWrite }!
            }
        }
        #expect(try readFirst("bar0+0x1c").allSatisfy { !$0 }, "same path: the write is always first")
        #expect(try readFirst("nicregs+0x8").contains(true), "another path: the read may arrive first")
    }
}
