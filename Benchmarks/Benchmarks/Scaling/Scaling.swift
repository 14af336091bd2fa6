import ArmMemory
import Benchmark
import Foundation
import MMIOTrace
import Platforms
import ReplayEngine

/// Linear scaling in regions, devices and agents (issue 17): reading and replaying a trace with
/// 65,536 regions (the most region ids allow), 65,536 devices, or 50,000 agents, each against the
/// same trace at a quarter of the size as the baseline measured in the same run; linear is a
/// ratio of 4.
let benchmarks: @Sendable () -> Void = {
    /// One write per region, to `regions` regions of `devices` devices, by `agents` vCPUs.
    func trace(regions: Int, devices: Int, agents: Int) -> [UInt8] {
        var text = "mtrace 1\n"
        for d in 0..<devices { text += "device d\(d) bdf=\(String(format: "%04x:%02x:00.0", d >> 8, d & 0xff)) model=generic\n" }
        for r in 0..<regions {
            text += "region r\(r) device=d\(r % devices) kind=bar base=0x\(String(0x1_0000_0000 + r * 0x1000, radix: 16)) size=0x1000\n"
        }
        for r in 0..<regions { text += "map vm0 r\(r) device-ngnre\n" }
        let events = max(regions, agents)
        for e in 0..<events { text += "\(100 + e) vcpu\(e % agents) write r\(e % regions)+0x0 4 0x1\n" }
        return Array(text.utf8)
    }
    let policy = AttributePolicy.builtIn(named: "kvm-normal-nc")!
    let platform = PlatformProfile.builtIn(named: "quiet-pcie")!
    let options = ReplayOptions(deviceViewLimit: 0, hazardLimit: 0)

    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .peakMemoryResident], timeUnits: .milliseconds,
                                           warmupIterations: 1, scalingFactor: .one, maxDuration: .seconds(30), maxIterations: 5)

    for (name, full, quarter) in [
        ("regions", trace(regions: 65_536, devices: 1, agents: 1), trace(regions: 16_384, devices: 1, agents: 1)),
        ("devices", trace(regions: 65_536, devices: 65_536, agents: 1), trace(regions: 16_384, devices: 16_384, agents: 1)),
        ("agents", trace(regions: 1, devices: 1, agents: 50_000), trace(regions: 1, devices: 1, agents: 12_500)),
    ] {
        Benchmark("baseline: replay, a quarter of the \(name)") { _ in
            blackHole(try Replay.run(MTraceReader(bytes: quarter), policy: policy, platform: platform, options: options))
        }
        Benchmark("replay, all the \(name)") { _ in
            blackHole(try Replay.run(MTraceReader(bytes: full), policy: policy, platform: platform, options: options))
        }
    }
}
