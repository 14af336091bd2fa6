import Testing
@testable import ReplayEngine
import Verdicts

/// Who reclaims (docs/domain.md §10): only a reset that is part of a reclaim (requested by the
/// host kernel, or by anyone after the host unmapped the VM or tore it down) makes a late guest
/// write `post-reclaim-write`; the guest's own FLR, or the VMM's reset with the mappings in place,
/// leaves a driver hazard at most.
@Suite struct WhoReclaimsTests {
    /// A doorbell with no barrier after it, then `resetLines` on the ECAM path.
    static func trace(_ resetLines: String) -> String {
        """
        mtrace 1
        device nvme0 bdf=0000:01:00.0 model=nvme
        region bar0 device=nvme0 kind=bar base=0xfe400000 size=0x4000 bar=0
        map vm0 bar0 normal-nc
        map vmm bar0 device-ngnrne

        100 vcpu0 write bar0+0x1008 4 0x7
        \(resetLines)
        """
    }

    static func replay(_ resetLines: String, policy: String = "kvm-normal-nc") throws -> ReplayReport {
        try Harness.replay(text: trace(resetLines), policy: policy, platform: "split-ecam", schedule: .adversarial)
    }

    @Test(arguments: [
        ("the guest's own Initiate FLR", "120 vcpu0 cfg-write nvme0 0x88 2 0x8000"),
        ("the VMM's reset, mappings in place", "120 vmm reset flr nvme0"),
    ])
    func ownerResetsAreNotReclaims(_ name: String, _ resetLines: String) throws {
        for policy in ["kvm-device", "kvm-normal-nc"] {
            let report = try Self.replay(resetLines, policy: policy)
            let doorbell = try #require(report.observations(.memoryWrite).first)
            #expect(doorbell.afterReset, "\(name), \(policy): the doorbell still lands after the reset")
            #expect(report.verdicts.isEmpty, "\(name), \(policy): \(report.verdicts.map(\.chain))")
            #expect(report.hazards.map(\.kind) == [.afterOwnReset], "\(name), \(policy)")
        }
    }

    @Test(arguments: [
        ("the host kernel's FLR", "120 host reset flr nvme0"),
        ("the VMM's reset after the host unmapped the VM", "110 host unmap bar0\n120 vmm reset flr nvme0"),
        ("the guest's own FLR after the host unmapped the VM", "110 host unmap bar0\n120 vcpu0 cfg-write nvme0 0x88 2 0x8000"),
    ])
    func reclaimResetsAre(_ name: String, _ resetLines: String) throws {
        let report = try Self.replay(resetLines)
        #expect(report.verdicts.map(\.verdict) == [.postReclaimWrite], "\(name)")
        #expect(report.verdicts.first?.evidence.last?.rule == .writeAfterReset, "\(name)")
        #expect(report.hazardCounts[.afterOwnReset] == 0)
    }

    /// Without any unmap, a late write after the guest's own reset is decided by `reset-by-owner`.
    @Test func theOwnerRuleDecides() throws {
        let report = try Self.replay("120 vcpu0 cfg-write nvme0 0x88 2 0x8000")
        #expect(report.verdictCounts.total == 0)
        let host = try Self.replay("120 host reset flr nvme0")
        #expect(host.verdictCounts[.postReclaimWrite] == 1)
    }
}
