import Faults
import Foundation
import MMIOTrace
import Platforms
import ReplayEngine
import ArmMemory
import PCIeTransport
import Testing
@testable import Campaigns

/// The fault space over a golden run's sites: selections, fault texts, fork points, pruning.
@Suite struct FaultSpacePlanTests {
    /// The golden run of the read-pushes-writes scenario (2 writes, 2 reads under kvm-device).
    static func golden() throws -> (log: SiteLog, topology: Topology, errors: ErrorParameters) {
        let path = CampaignSpecTests.fixtures.appendingPathComponent("../../../traces/scenarios/read-pushes-writes.mtrace").path
        let trace = try LoadedTrace(reading: MTraceReader(path: path), name: "read-pushes-writes")
        let platform = PlatformProfile.builtIn(named: "ras-sbsa")!
        var replay = try SteppedReplay(trace: trace, policy: AttributePolicy.builtIn(named: "kvm-device")!, platform: platform,
                                       options: ReplayOptions(traceFaults: false))
        replay.recordSites()
        _ = try replay.finish()
        return (replay.takeSiteLog(), trace.topology, platform.errors)
    }

    func space(_ kinds: [FaultKind], _ sites: CampaignSpec.Sites) -> CampaignSpec.FaultSpace {
        CampaignSpec.FaultSpace(kinds: kinds, sites: sites, match: nil, requests: nil)
    }

    @Test func everySiteOncePerApplicableKind() throws {
        let (log, topology, errors) = try Self.golden()
        #expect(log.sites.map(\.request) == [.memoryWrite, .memoryRead, .memoryWrite, .memoryRead])
        let plan = space([.ur, .poisonedWrite], .every).plan(log: log, topology: topology, errors: errors, pruning: false)
        #expect(plan.experiments.map(\.fault.description) == [
            "UR at bar0+0x1008 write #1", "poisoned-write at bar0+0x1008 write #1", "UR at bar0+0x1c read #1",
            "UR at bar0+0x24 write #1", "poisoned-write at bar0+0x24 write #1", "UR at bar0+0x24 read #1",
        ])
        #expect(plan.sites == 6)
        // Each experiment forks just before the step that sends its TLP, with no earlier match.
        #expect(plan.experiments.map(\.forkStep) == [log.sites[0].step, log.sites[0].step, log.sites[1].step,
                                                     log.sites[2].step, log.sites[2].step, log.sites[3].step])
        #expect(plan.experiments.allSatisfy { $0.matchesSoFar == 0 && $0.weight == 1 })
    }

    @Test func everyNthAndSamples() throws {
        let (log, topology, errors) = try Self.golden()
        let every = space([.ur, .poisonedWrite], .everyNth(2)).plan(log: log, topology: topology, errors: errors, pruning: false)
        #expect(every.experiments.map(\.fault.description) == [
            "poisoned-write at bar0+0x1008 write #1", "UR at bar0+0x24 write #1", "UR at bar0+0x24 read #1",
        ])
        let a = space([.ur, .poisonedWrite], .sample(3, seed: 7)).plan(log: log, topology: topology, errors: errors, pruning: false)
        let b = space([.ur, .poisonedWrite], .sample(3, seed: 7)).plan(log: log, topology: topology, errors: errors, pruning: false)
        #expect(a.experiments.count == 3 && a.sites == 3)
        #expect(a.experiments.map(\.fault) == b.experiments.map(\.fault))
        #expect(CampaignSpec.FaultSpace.sample(3, of: 10, seed: 1) == CampaignSpec.FaultSpace.sample(3, of: 10, seed: 1))
        #expect(Set((1...20).map { CampaignSpec.FaultSpace.sample(3, of: 10, seed: $0) }).count > 5)
        #expect(CampaignSpec.FaultSpace.sample(30, of: 10, seed: 1) == Array(0..<10))
    }

    @Test func listedSitesCrossedWithApplicableKinds() throws {
        let (log, topology, errors) = try Self.golden()
        let listed = try Fault.parse("UR at bar0+0x1c read", location: .campaign)
        let plan = space([.ur, .poisonedWrite, .ca], .list([listed])).plan(log: log, topology: topology, errors: errors, pruning: true)
        #expect(plan.experiments.map(\.fault.description) == ["UR at bar0+0x1c read", "CA at bar0+0x1c read"])
        #expect(plan.experiments.allSatisfy { $0.forkStep == log.sites[1].step })
    }

    @Test func pruningWeightsAddUp() throws {
        let (log, topology, errors) = try Self.golden()
        let full = space([.ur, .ca, .poisoned], .every).plan(log: log, topology: topology, errors: errors, pruning: false)
        let pruned = space([.ur, .ca, .poisoned], .every).plan(log: log, topology: topology, errors: errors, pruning: true)
        #expect(pruned.experiments.reduce(0) { $0 + $1.weight } == full.experiments.count)
        #expect(pruned.experiments.allSatisfy { !$0.membersText.isEmpty })
    }

    @Test func membersAsRanges() {
        var experiment = PlannedExperiment(fault: try! Fault.parse("UR at bar0 read", location: .campaign), forkStep: 0, matchesSoFar: 0,
                                           members: [3, 5, 6, 7, 9])
        #expect(experiment.membersText == "3,5-7,9")
        experiment.members = [1]
        #expect(experiment.membersText == "1" && experiment.weight == 1)
    }
}
