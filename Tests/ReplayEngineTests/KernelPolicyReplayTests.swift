import ArmMemory
import Foundation
import MMIOTrace
import Platforms
import Testing
@testable import ReplayEngine
import Verdicts

/// Kernel policies replay as the named rows they match (docs/policies.md, Kernel policies):
/// `linux-6.9` is `kvm-normal-nc` and `linux-6.8` is `kvm-device` on every scenario, platform
/// and schedule (same verdicts at the same places and times, same summary, same device view;
/// only the chains gain the kernel's link).
@Suite struct KernelPolicyReplayTests {
    static let traces: [String] = ScenarioCatalogueTests.names.filter { $0 != "cacheable-device-memory" } + ["../nvme-doorbell", "../gicv2-two-guests"]

    @Test(arguments: traces)
    func kernelsReplayAsTheirNamedRows(_ name: String) throws {
        let path = ScenarioCatalogueTests.directory.appendingPathComponent("\(name).mtrace").path
        for (kernel, named) in [("linux-6.9", "kvm-normal-nc"), ("linux-6.16", "kvm-normal-nc"), ("linux-6.8", "kvm-device")] {
            for platform in PlatformProfile.builtIns {
                for schedule in [Schedule.inOrder, .adversarial] {
                    let options = ReplayOptions(schedule: schedule)
                    let a = try Replay.run(MTraceReader(path: path), policy: Harness.policy(kernel), platform: platform, options: options)
                    let b = try Replay.run(MTraceReader(path: path), policy: Harness.policy(named), platform: platform, options: options)
                    let what = "\(name) \(kernel) vs \(named) on \(platform.name), \(schedule.name)"
                    #expect(a.verdicts.map(\.site) == b.verdicts.map(\.site), "\(what)")
                    #expect(a.verdicts.map(\.verdict) == b.verdicts.map(\.verdict), "\(what)")
                    #expect(a.summary == b.summary, "\(what)")
                    #expect(a.deviceView == b.deviceView, "\(what)")
                }
            }
        }
    }

    /// A region the kernel refuses never sees a guest access; the verdict names the rule.
    @Test func aRefusedRegionIsNeverAccessed() throws {
        let path = ScenarioCatalogueTests.directory.appendingPathComponent("cacheable-device-memory.mtrace").path
        let report = try Replay.run(MTraceReader(path: path), policy: Harness.policy("linux-6.17:cpu=fwb"), platform: Harness.platform("quiet-pcie"))
        #expect(report.verdicts.map(\.verdict) == [.mappingRefused])
        #expect(report.verdicts.first?.origin == .kernel)
        #expect(report.verdicts.first?.evidence.map(\.rule) == [.kvmMemslotCacheablePfnmap])
        #expect(report.deviceView.isEmpty && report.summary.tlps.total == 0)
        let mapped = try Replay.run(MTraceReader(path: path), policy: Harness.policy("linux-6.17:cpu=fwb,dic"), platform: Harness.platform("quiet-pcie"))
        #expect(mapped.verdicts.isEmpty && !mapped.deviceView.isEmpty)
    }
}
