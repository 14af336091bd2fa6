import ArmMemory
import Benchmark
import Foundation
import MMIOTrace
import Platforms
import ReplayEngine
import SeededRandom

/// Linear scaling in regions, devices and agents (issue 17): reading (the `inspect` summary) and
/// replaying a trace with 1,000,000 regions, 1,000,000 devices or 1,000,000 agents, or 1,000,000
/// regions written in a random order, each against the same trace at a quarter of the size as
/// the baseline measured in the same run; linear is a ratio of 4.
let benchmarks: @Sendable () -> Void = {
    /// One write per region or agent, to `regions` regions of `devices` devices, by `agents`
    /// vCPUs (60,000 per VM), in region order or in a random order drawn from a fixed seed.
    func trace(regions: Int, devices: Int, agents: Int, shuffled: Bool = false) -> [UInt8] {
        var text = "mtrace 1\n"
        for d in 0..<devices {
            text += "device d\(d) bdf=\(String(format: "%04x:%02x:%02x.%d", d >> 16, (d >> 8) & 0xff, (d >> 3) & 0x1f, d & 7)) model=generic\n"
        }
        for r in 0..<regions {
            text += "region r\(r) device=d\(r % devices) kind=platform base=0x\(String(0x1_0000_0000 + r * 0x1000, radix: 16)) size=0x1000\n"
        }
        let vms = (agents + 59_999) / 60_000
        for vm in 0..<vms { for r in 0..<regions { text += "map vm\(vm) r\(r) device-ngnre\n" } }
        let events = max(regions, agents)
        var order = Array(0..<events)
        if shuffled {
            var rng = SplitMix64(seed: 17)
            for i in order.indices.dropLast().reversed() { order.swapAt(i, i + Int(rng.next(below: UInt64(order.count - i)))) }
        }
        for (e, target) in order.enumerated() {
            text += "\(100 + e) vm\(e % agents / 60_000).vcpu\(e % agents % 60_000) write r\(target % regions)+0x0 4 0x1\n"
        }
        return Array(text.utf8)
    }
    let policy = AttributePolicy.builtIn(named: "kvm-normal-nc")!
    let platform = PlatformProfile.builtIn(named: "quiet-pcie")!
    let options = ReplayOptions(deviceViewLimit: 0, hazardLimit: 0)

    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .peakMemoryResident], timeUnits: .milliseconds,
                                           warmupIterations: 0, scalingFactor: .one, maxDuration: .seconds(30), maxIterations: 3)

    let million = 1_000_000, quarter = million / 4
    for (name, full, part) in [
        ("regions", { trace(regions: million, devices: 1, agents: 1) }, { trace(regions: quarter, devices: 1, agents: 1) }),
        ("regions in random order", { trace(regions: million, devices: 1, agents: 1, shuffled: true) },
         { trace(regions: quarter, devices: 1, agents: 1, shuffled: true) }),
        ("devices", { trace(regions: million, devices: million, agents: 1) }, { trace(regions: quarter, devices: quarter, agents: 1) }),
        ("agents", { trace(regions: 1, devices: 1, agents: million) }, { trace(regions: 1, devices: 1, agents: quarter) }),
    ] as [(String, () -> [UInt8], () -> [UInt8])] {
        // Built when the benchmark first runs, not when benchmarks are listed.
        nonisolated(unsafe) var fullTrace: [UInt8]?, partTrace: [UInt8]?
        Benchmark("baseline: inspect, a quarter of the \(name)") { _ in
            partTrace = partTrace ?? part()
            blackHole(try TraceSummary.of(MTraceReader(bytes: partTrace!)))
        }
        Benchmark("inspect, all the \(name)") { _ in
            fullTrace = fullTrace ?? full()
            blackHole(try TraceSummary.of(MTraceReader(bytes: fullTrace!)))
        }
        Benchmark("baseline: replay, a quarter of the \(name)") { _ in
            partTrace = partTrace ?? part()
            blackHole(try Replay.run(MTraceReader(bytes: partTrace!), policy: policy, platform: platform, options: options))
        }
        Benchmark("replay, all the \(name)") { _ in
            fullTrace = fullTrace ?? full()
            blackHole(try Replay.run(MTraceReader(bytes: fullTrace!), policy: policy, platform: platform, options: options))
        }
    }
}
