import ArmMemory
import Testing
import Verdicts

@Suite struct HazardRulesTests {
    static let flr = DeviceReset(start: 1_000, ready: 101_000, discardsWrites: true)

    static func write(arrival: Int, reset: DeviceReset? = flr, type: MemoryType = .deviceNGnRE) -> ReclaimedWrite {
        ReclaimedWrite(effectiveType: type, arrival: arrival, stage2Unmap: 500, reset: reset,
                       orderingFacts: "ECAM and MMIO not ordered in the interconnect", platform: "split-ecam")
    }

    @Test(arguments: [
        (600, true, Verdict.none, "write-before-reset"),
        (1_000, true, .none, "write-discarded-during-reset"),
        (1_000, false, .postReclaimWrite, "write-after-reset"),
        (101_000, true, .postReclaimWrite, "write-after-reset"),
    ])
    func postReclaimWriteAroundTheReset(arrival: Int, discards: Bool, verdict: Verdict, rule: String) {
        var reset = Self.flr
        reset.discardsWrites = discards
        let derivation = HazardRules.postReclaimWrite(Self.write(arrival: arrival, reset: reset))
        #expect(derivation.verdict == verdict)
        #expect(derivation.evidence.map(\.rule.name) == ["reclaim-completion", rule])
    }

    @Test func postReclaimWriteWithoutReset() {
        #expect(HazardRules.postReclaimWrite(Self.write(arrival: 499, reset: nil)).verdict == .none)
        let late = HazardRules.postReclaimWrite(Self.write(arrival: 500, reset: nil))
        #expect(late.verdict == .postReclaimWrite)
        #expect(late.evidence.last?.rule.name == "write-after-unmap")
    }

    @Test func completionGuaranteeFollowsTheEffectiveType() {
        let strict = HazardRules.postReclaimWrite(Self.write(arrival: 600, type: .deviceNGnRnE)).evidence[0]
        #expect(strict.result == "Device-nGnRnE write complete at the endpoint or ordered onto the link before the reset")
        let nc = HazardRules.postReclaimWrite(Self.write(arrival: 600, type: .normalNC)).evidence[0]
        #expect(nc.inputs.contains("split-ecam: ECAM and MMIO not ordered"))
        #expect(nc.result.contains("maybe merged or reordered"))
    }

    /// Scenario 6, gicv2-vcpu-if: the guest maps the interface Normal-NC; the policy decides.
    @Test(arguments: [("kvm-device", Verdict.none), ("kvm-normal-nc", .none), ("all-normal-nc", .crossGuest)], [false, true])
    func gicv2VCPUInterface(policy: (String, Verdict), isWrite: Bool) throws {
        let attributes = try #require(AttributePolicy.builtIn(named: policy.0))
        let type = attributes.effectiveType(guest: .normalNC, region: .gicv2VCPUInterface)
        let derivation = HazardRules.crossGuest(region: .gicv2VCPUInterface, effectiveType: type, isWrite: isWrite, policy: policy.0)
        #expect(derivation.verdict == policy.1)
        #expect(derivation.evidence.map(\.rule.name) == ["shared-state-region", "shared-state-access"])
    }

    @Test func crossGuestNeedsSharedStateAndARelaxedType() {
        #expect(HazardRules.crossGuest(region: .bar, effectiveType: .normalNC, isWrite: true, policy: "all-normal-nc").verdict == .none)
        #expect(HazardRules.crossGuest(region: .gicv2VCPUInterface, effectiveType: .deviceGRE, isWrite: true, policy: "p").verdict == .crossGuest)
        #expect(HazardRules.crossGuest(region: .gicv2VCPUInterface, effectiveType: .deviceGRE, isWrite: false, policy: "p").verdict == .none)
        #expect(HazardRules.crossGuest(region: .gicv2VCPUInterface, effectiveType: .deviceNGRE, isWrite: true, policy: "p").verdict == .none)
    }

    /// Scenario 7, cacheable-io: the guest maps a BAR Normal-WB (or WT).
    @Test(arguments: [("fwb-s1-wins", Verdict.forbiddenAttribute), ("kvm-normal-nc", .none), ("kvm-device", .none)],
          [MemoryType.normalWB, .normalWT])
    func cacheableIO(policy: (String, Verdict), guest: MemoryType) throws {
        let attributes = try #require(AttributePolicy.builtIn(named: policy.0))
        let type = attributes.effectiveType(guest: guest, region: .bar)
        #expect(HazardRules.forbiddenAttribute(region: .bar, effectiveType: type, policy: policy.0).verdict == policy.1)
    }

    @Test func forbiddenAttributeEvidence() {
        let wb = HazardRules.forbiddenAttribute(region: .bar, effectiveType: .normalWB, policy: "fwb-force-wb")
        #expect(wb.chain == "Normal-WB on device memory: linefills read the device, dirty lines written back at any time "
            + "(after reclaim too), tag access (MTE) ⇒ forbidden-attribute")
        #expect(wb.evidence[0].rule.name == "cacheable-device-memory")
    }
}
