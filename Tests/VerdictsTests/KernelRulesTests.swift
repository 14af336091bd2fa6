import ArmMemory
import Testing
@testable import Verdicts

/// Every decision a kernel policy can make names a rule of the chain vocabulary.
@Suite struct KernelRulesTests {
    @Test func everyKernelRuleIsARule() {
        var names = Set<String>()
        for minor in 0...20 {
            for mapping in HostMapping.allCases {
                for bits in 0..<32 {
                    for access in KernelStage2.Access.allCases {
                        let decision = KernelStage2.decide(kernel: KernelVersion(6, minor), mapping: mapping,
                                                           cpu: CPUFeatures(rawValue: UInt8(bits)), access: access)
                        names.insert(decision.rule)
                        #expect(Rule(rawValue: decision.rule) != nil, "\(decision.rule)")
                    }
                }
            }
        }
        #expect(names.count == 8)
    }

    @Test func aRefusalIsMappingRefusedAndAMapIsNot() {
        let refused = KernelStage2.decide(kernel: KernelVersion(6, 17), mapping: .cacheable, cpu: [.fwb])
        #expect(KernelRules.refused(refused, region: "mem", mapping: .cacheable, policy: "linux-6.17").verdict == .mappingRefused)
        #expect(KernelRules.refused(refused, region: "mem", mapping: .cacheable, policy: "linux-6.17").chain.contains("-EINVAL"))
        let mapped = KernelStage2.decide(kernel: KernelVersion(6, 17), mapping: .cacheable, cpu: [.fwb, .dic])
        #expect(KernelRules.refused(mapped, region: "mem", mapping: .cacheable, policy: "linux-6.17").verdict == .none)
    }
}
