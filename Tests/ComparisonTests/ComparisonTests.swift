import CampaignStore
import Foundation
import Testing
import Verdicts
@testable import Comparison

/// A campaign with known answers: two policies on one platform, one pruned class that splits
/// under the second policy.
enum KnownCampaign {
    static func database(changing verdict: Verdict? = nil, spec: String = "faults:\n  sites: every\n") throws -> ResultStore {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("compare-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let store = try ResultStore(path: directory.appendingPathComponent("known.db").path)
        try store.begin(CampaignInfo(name: "known", specHash: "0123456789abcdef", spec: spec, engineVersion: "1"), shard: .whole)
        var reclaimed = VerdictCounts(), reordered = HazardCounts()
        reclaimed[.postReclaimWrite] = 2
        reclaimed[.hostHandled] = 1
        reordered[.outOfOrder] = 3
        try store.insert(goldens: [golden("a0", "kvm-device", tlps: 100, cpuWrites: 10, writeTransactions: 10, verdicts: reclaimed),
                                   golden("b0", "kvm-normal-nc", tlps: 80, cpuWrites: 10, writeTransactions: 5, hazards: reordered)])
        try store.insert(experiments: [
            row("a1", "a0", "kvm-device", "UR at bar0+0x0 read #1", .hostPanic, members: "1-3"),
            row("a2", "a0", "kvm-device", "UR at bar0+0x4 write #1", .hostHandled, members: "1"),
            row("b1", "b0", "kvm-normal-nc", "UR at bar0+0x0 read #1", .guestAbort, members: "1-2"),
            row("b2", "b0", "kvm-normal-nc", "UR at bar0+0x0 read #3", .hostPanic, members: "3"),
            row("b3", "b0", "kvm-normal-nc", "UR at bar0+0x4 write #1", verdict ?? .hostHandled, members: "1"),
        ])
        try store.setPlanned(5)
        return store
    }

    static func golden(_ id: String, _ policy: String, tlps: Int, cpuWrites: Int, writeTransactions: Int,
                       verdicts: VerdictCounts = VerdictCounts(), hazards: HazardCounts = HazardCounts()) -> GoldenRecord {
        GoldenRecord(id: id, trace: "t", traceHash: "ffffffffffffffff", policy: policy, platform: "ras-sbsa", schedule: "in-order", seed: nil,
                     events: 50, tlps: tlps, linkBytes: tlps * 10, simulatedNs: 1_000, cpuWrites: cpuWrites, writeTransactions: writeTransactions,
                     writeCombiningRatio: Double(cpuWrites) / Double(writeTransactions), verdicts: verdicts, hazards: hazards, sites: 4, experiments: 2)
    }

    static func row(_ id: String, _ golden: String, _ policy: String, _ fault: String, _ verdict: Verdict, members: String) -> ExperimentRecord {
        let weight = members.split(separator: ",").reduce(0) { sum, part in
            let bounds = part.split(separator: "-").map { Int($0)! }
            return sum + bounds.last! - bounds.first! + 1
        }
        return ExperimentRecord(id: id, golden: golden, trace: "t", policy: policy, platform: "ras-sbsa", schedule: "in-order", seed: nil,
                                fault: fault, kind: "UR", verdict: verdict, chain: "\(policy) chain ⇒ \(verdict)",
                                evidence: [], tlps: 1, linkBytes: 1, simulatedNs: 1, steps: 1, stoppedEarly: true, weight: weight, members: members)
    }
}

@Suite struct ComparisonTests {
    @Test func weightedCountsPerPair() throws {
        let c = try Comparison(store: KnownCampaign.database(), sampled: false)
        #expect(c.cells.map(\.policy) == ["kvm-device", "kvm-normal-nc"])
        #expect(c.cells[0].verdicts == [.hostPanic: 3, .hostHandled: 1])
        #expect(c.cells[1].verdicts == [.guestAbort: 2, .hostPanic: 1, .hostHandled: 1])
        #expect(c.cells.map(\.sites) == [4, 4])
        #expect(c.cells.map(\.uncontained) == [3, 1])
        #expect(c.cells.map(\.contained) == [1, 3])
        #expect(c.cells.allSatisfy { $0.uncontainedRate == nil })
        #expect(c.verdictOrder == [.hostPanic, .hostHandled, .guestAbort])
        #expect(c.hasUncontained)
    }

    @Test func transitionsPairEverySiteOfAClass() throws {
        let c = try Comparison(store: KnownCampaign.database(), sampled: false)
        #expect(c.baseline == "kvm-device")
        #expect(c.matrices.count == 1)
        let m = c.matrices[0]
        #expect(m.other == "kvm-normal-nc" && m.pairedSites == 4)
        #expect(m.transitions.map { "\($0.from)>\($0.to)=\($0.sites)" } == ["host-panic>guest-abort=2", "host-handled>host-handled=1", "host-panic>host-panic=1"])
        #expect(m.transitions[0].examples == ["t, ras-sbsa, in-order: UR at bar0+0x0 read #1", "t, ras-sbsa, in-order: UR at bar0+0x0 read #2"])
        #expect(m.transitions[0].fromChain == "kvm-device chain ⇒ host-panic")
        #expect(m.transitions[0].toChain == "kvm-normal-nc chain ⇒ guest-abort")
    }

    @Test func baselineAndDimension() throws {
        let reversed = try Comparison(store: KnownCampaign.database(), baseline: "kvm-normal-nc", sampled: false)
        #expect(reversed.matrices[0].transitions.first.map { "\($0.from)>\($0.to)=\($0.sites)" } == "guest-abort>host-panic=2")
        #expect(throws: ComparisonError.self) { try Comparison(store: KnownCampaign.database(), baseline: "nope", sampled: false) }
        let byPlatform = try Comparison(store: KnownCampaign.database(), dimension: .platform, sampled: false)
        #expect(byPlatform.baseline == "ras-sbsa" && byPlatform.matrices.isEmpty)
    }

    @Test func costsFromGoldenRuns() throws {
        let c = try Comparison(store: KnownCampaign.database(), sampled: false)
        #expect(c.costs.map(\.name) == ["kvm-device", "kvm-normal-nc"])
        #expect(c.costs.map(\.tlps) == [100, 80])
        #expect(c.costs.map(\.linkBytes) == [1_000, 800])
        #expect(c.costs.map(\.writeCombiningRatio) == [1.0, 2.0])
        #expect(c.costs[0].change == nil)
        #expect(c.costs[1].change == Comparison.CostChange(against: "kvm-device", tlps: -20, linkBytes: -200, simulatedNs: 0, writeCombiningRatio: 1))
        #expect(c.traceCosts.map { "\($0.trace) \($0.cost.name)" } == ["t kvm-device", "t kvm-normal-nc"])
        #expect(c.text(.table).contains("−20 (−20.0%)"))
    }

    /// The answer first: uncontained fault sites and golden-run outcomes per pair, against the
    /// baseline's pair on the same platform.
    @Test func outcomesCountGoldenRunsAndFaults() throws {
        let c = try Comparison(store: KnownCampaign.database(), sampled: false)
        #expect(c.outcomes.map { "\($0.policy) \($0.platform)" } == ["kvm-device ras-sbsa", "kvm-normal-nc ras-sbsa"])
        let (device, normal) = (c.outcomes[0], c.outcomes[1])
        #expect(device.uncontainedSites == 3 && device.faultSites == 4 && device.goldenRuns == 1)
        // host-handled is contained: only the post-reclaim writes count.
        #expect(device.goldenUncontained == [.postReclaimWrite: 2] && device.goldenHazards.isEmpty && device.change == nil)
        #expect(normal.goldenUncontained.isEmpty && normal.goldenHazards == [.outOfOrder: 3])
        #expect(normal.change == Comparison.OutcomeChange(policy: "kvm-device", platform: "ras-sbsa", uncontainedSites: -2, goldenUncontained: -2, goldenHazards: 3,
                                                    tlps: -20, linkBytes: -200, writeCombiningRatio: 1))
        // Golden-run outcomes alone make a campaign uncontained.
        var goldenOnly = c
        for i in goldenOnly.outcomes.indices { goldenOnly.outcomes[i].uncontainedSites = 0 }
        #expect(goldenOnly.hasUncontained)
        goldenOnly.outcomes[0].goldenUncontained = [:]
        #expect(!goldenOnly.hasUncontained)
    }

    @Test func uncontainedSitesGroupedByWhatTheyHit() throws {
        let groups = try Comparison(store: KnownCampaign.database(), sampled: false).uncontainedGroups
        #expect(groups.count == 1)
        let g = groups[0]
        #expect((g.trace, g.kind, g.request, g.register, g.verdict, g.sites) == ("t", "UR", "read", "bar0+0x0", .hostPanic, 4))
        #expect(g.pairs == [Comparison.PairSites(policy: "kvm-device", platform: "ras-sbsa", sites: 3),
                            Comparison.PairSites(policy: "kvm-normal-nc", platform: "ras-sbsa", sites: 1)])
    }

    /// Every text format leads with the outcomes, then the breakdown, the verdict counts, the
    /// transitions and the costs.
    @Test func reportsAnswerFirst() throws {
        let c = try Comparison(store: KnownCampaign.database(), sampled: false)
        for (format, headings) in [
            (ComparisonFormat.table, ["Uncontained outcomes", "Uncontained fault sites by", "Verdicts per fault site", "kvm-device → kvm-normal-nc", "Cost per policy"]),
            (.md, ["## Uncontained outcomes", "## Uncontained fault sites by", "## Verdicts per fault site", "## kvm-device → kvm-normal-nc", "## Cost per policy"]),
            (.html, ["<h2>Uncontained outcomes", "<h2>Uncontained fault sites by", "<h2>Verdicts per policy", "<h2>Transitions from", "<h2>Cost per policy"]),
        ] {
            let text = c.text(format)
            let positions = headings.map { text.range(of: $0)?.lowerBound }
            #expect(positions.allSatisfy { $0 != nil }, "\(format): \(headings) in \(text)")
            #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted(), "\(format) order")
        }
        #expect(c.text(.table).contains("post-reclaim-write 2") && c.text(.table).contains("out-of-order 3"))
    }

    @Test func wilsonIntervals() {
        let p = Proportion(3, of: 4)
        #expect(abs(p.rate - 0.75) < 1e-12)
        #expect(abs(p.low - 0.30064) < 1e-4 && abs(p.high - 0.95442) < 1e-4)
        let none = Proportion(0, of: 10)
        #expect(none.low == 0 && abs(none.high - 0.27753) < 1e-4)
        #expect(Comparison.isSampled(specText: "faults:\n  sites: {sample: 10, seed: 2}\n"))
        #expect(Comparison.isSampled(specText: "faults:\n  sites: {every: 4}\n"))
        #expect(!Comparison.isSampled(specText: "faults:\n  sites: every\n"))
    }

    @Test func sampledCampaignsCarryIntervals() throws {
        let c = try Comparison(store: KnownCampaign.database(spec: "faults:\n  sites: {sample: 4}\n"),
                               sampled: Comparison.isSampled(specText: "faults:\n  sites: {sample: 4}\n"))
        #expect(c.cells[0].uncontainedRate == Proportion(3, of: 4))
        #expect(c.text(.table).contains("75.0% [30.1%, 95.4%]"))
    }

    @Test func csvSchema() throws {
        let csv = try Comparison(store: KnownCampaign.database(), sampled: false).text(.csv)
        #expect(csv == """
            section,policy,platform,verdict,sites,other,to,tlps,link_bytes,simulated_ns,write_combining,uncontained,golden_runs,golden_uncontained,golden_hazards,trace,fault_kind,request,register
            outcome,kvm-device,ras-sbsa,,4,,,,,,,3,1,2,0,,,,
            outcome,kvm-normal-nc,ras-sbsa,,4,,,,,,,1,1,0,3,,,,
            uncontained,kvm-device,ras-sbsa,host-panic,3,,,,,,,,,,,t,UR,read,bar0+0x0
            uncontained,kvm-normal-nc,ras-sbsa,host-panic,1,,,,,,,,,,,t,UR,read,bar0+0x0
            count,kvm-device,ras-sbsa,host-panic,3,,,,,,,,,,,,,,
            count,kvm-device,ras-sbsa,host-handled,1,,,,,,,,,,,,,,
            count,kvm-normal-nc,ras-sbsa,host-panic,1,,,,,,,,,,,,,,
            count,kvm-normal-nc,ras-sbsa,host-handled,1,,,,,,,,,,,,,,
            count,kvm-normal-nc,ras-sbsa,guest-abort,2,,,,,,,,,,,,,,
            transition,kvm-device,,host-panic,2,kvm-normal-nc,guest-abort,,,,,,,,,,,,
            transition,kvm-device,,host-handled,1,kvm-normal-nc,host-handled,,,,,,,,,,,,
            transition,kvm-device,,host-panic,1,kvm-normal-nc,host-panic,,,,,,,,,,,,
            cost,kvm-device,,,,,,100,1000,1000,1.0000,,,,,,,,
            cost,kvm-normal-nc,,,,,,80,800,1000,2.0000,,,,,,,,

            """)
    }

    @Test func jsonSchema() throws {
        let json = try Comparison(store: KnownCampaign.database(), sampled: false).text(.json)
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        #expect(Set(object.keys) == ["baseline", "campaign", "cells", "costs", "dimension", "matrices", "outcomes", "sampled", "traceCosts", "uncontainedGroups", "verdictOrder"])
        let cell = (object["cells"] as! [[String: Any]])[0]
        #expect(Set(cell.keys) == ["contained", "platform", "policy", "sites", "uncontained", "verdicts"])
        let transition = ((object["matrices"] as! [[String: Any]])[0]["transitions"] as! [[String: Any]])[0]
        #expect(Set(transition.keys) == ["examples", "from", "fromChain", "sites", "to", "toChain"])
        #expect(try JSONDecoder().decode(Comparison.self, from: Data(json.utf8)) == Comparison(store: KnownCampaign.database(), sampled: false))
    }

    @Test func regressionListsOnlyChangedSites() throws {
        let r = try Regression(KnownCampaign.database(), KnownCampaign.database(changing: .guestSilent))
        #expect(r.comparedSites == 8 && r.onlyInA == 0 && r.onlyInB == 0)
        #expect(r.changes.map(\.site) == ["t, kvm-normal-nc, ras-sbsa, in-order: UR at bar0+0x4 write #1"])
        #expect(r.changes.map { "\($0.from)>\($0.to)" } == ["host-handled>guest-silent"])
        #expect(r.transitions == ["host-handled → guest-silent": 1])
        #expect(try Regression(KnownCampaign.database(), KnownCampaign.database()).changes.isEmpty)
    }

    @Test func htmlIsSelfContained() throws {
        let html = try Comparison(store: KnownCampaign.database(), sampled: false).text(.html)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(!html.contains("http://") || !html.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").contains("http"))
        #expect(!html.contains("<script") && !html.contains("<link"))
        #expect(html.contains("<h2>Verdicts per policy and platform</h2>") && html.contains("<h2>Transitions from kvm-device</h2>"))
        #expect(html.components(separatedBy: "<svg").count - 1 == 4)
    }
}
