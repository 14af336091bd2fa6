import SeededRandom
import Testing
@testable import ReplayEngine

/// Arrival order at a device (docs/domain.md §1, §3), on random traces of mixed memory types,
/// barriers, config accesses, agents and devices, under every schedule, checked on the device
/// view against the rules rather than against the link's FIFO:
///
/// - forbidden: two accesses of one agent to one device through non-reordering Device types
///   (nGnRnE, nGnRE) arrive out of program order, or writes through them merge;
/// - permitted: reordering types (nGRE, GRE, Normal-NC) may arrive out of program order; the
///   adversarial schedule must find such passes on some traces, so the check can see them.
@Suite struct LinkOrderingPropertyTests {
    struct Arrival {
        var order: UInt64
        var kind: ObservationKind
        var accesses: Int
    }

    static func randomTrace(seed: Int) -> (trace: String, type: String) {
        var rng = SplitMix64(seed: UInt64(seed))
        let types = ["device-ngnrne", "device-ngnre", "device-ngre", "device-gre", "normal-nc"]
        let type = types[seed % types.count]
        var trace = Harness.header + "map vm0 bar0 \(type)\nmap vm0 nicregs \(type)\nmap vm0 wc \(type)\n"
        var time: UInt64 = 0
        for _ in 0..<80 {
            time += 1 + rng.below(20)
            let agent = rng.pick(["vcpu0", "vcpu1"])
            let region = rng.pick(["bar0+0x10", "bar0+0x24", "nicregs+0x3818", "nicregs+0x8", "wc+0x40", "wc+0x48"])
            switch rng.below(8) {
            case 0, 1, 2, 3: trace += "\(time) \(agent) write \(region) 4 0x\(String(rng.below(1 << 16), radix: 16))\n"
            case 4, 5: trace += "\(time) \(agent) read \(region) 4\n"
            case 6: trace += "\(time) \(agent) \(rng.pick(["dmb oshst", "dsb sy", "dmb ish"]))\n"
            default: trace += "\(time) vmm cfg-\(rng.pick(["read nvme0 0x4 2", "write nvme0 0x4 2 0x6"]))\n"
            }
        }
        return (trace, type)
    }

    /// Program-ordered arrivals of each (agent, device), memory accesses only.
    static func arrivals(_ report: ReplayReport) -> [String: [Arrival]] {
        var streams: [String: [Arrival]] = [:]
        for o in report.deviceView where o.kind == .memoryWrite || o.kind == .memoryRead {
            streams["\(o.agent) \(o.device)", default: []].append(Arrival(order: o.programOrder, kind: o.kind, accesses: o.accesses))
        }
        return streams
    }

    @Test(arguments: 0..<90)
    func arrivalOrderFollowsTheMemoryType(seed: Int) throws {
        let (trace, type) = Self.randomTrace(seed: seed)
        let schedule = [Schedule.inOrder, .adversarial, .random(seed: UInt64(seed))][seed % 3]
        // kvm-normal-nc keeps the guest's type; strict-ngnrne forces nGnRnE on every type.
        for policy in ["kvm-normal-nc", "strict-ngnrne"] {
            let report = try Harness.replay(text: trace, policy: policy, platform: seed % 2 == 0 ? "quiet-pcie" : "split-ecam", schedule: schedule)
            let ordered = policy == "strict-ngnrne" || type == "device-ngnrne" || type == "device-ngnre"
            for (stream, arrivals) in Self.arrivals(report) {
                #expect(!arrivals.isEmpty)
                for (i, later) in arrivals.enumerated() {
                    for earlier in arrivals[..<i] where earlier.order > later.order {
                        // `later` arrived after `earlier` but comes first in program order: a pass.
                        #expect(!ordered, "seed \(seed) \(policy) \(type): \(stream) access #\(later.order) passed #\(earlier.order)")
                    }
                }
                if ordered { #expect(arrivals.allSatisfy { $0.accesses <= 1 }, "seed \(seed) \(policy): nG writes merged") }
            }
        }
    }

    /// The permitted passes happen: across the seeds, the adversarial schedule delivers some
    /// reordering-type accesses out of program order (and the engine reports it as a hazard).
    @Test func reorderingTypesArriveOutOfOrderUnderTheAdversary() throws {
        var passes = 0
        for seed in 0..<150 where seed % 5 >= 2 {  // device-ngre, device-gre and normal-nc traces
            let (trace, _) = Self.randomTrace(seed: seed)
            let report = try Harness.replay(text: trace, policy: "kvm-normal-nc", schedule: .adversarial)
            let found = Self.arrivals(report).values.contains { arrivals in
                arrivals.indices.contains { i in arrivals[..<i].contains { $0.order > arrivals[i].order } }
            }
            if found {
                passes += 1
                #expect(report.hazardCounts[.outOfOrder] > 0, "seed \(seed): a pass without an out-of-order hazard")
            }
        }
        #expect(passes > 0, "no reordering-type access ever arrived out of program order")
    }
}

extension SplitMix64 {
    mutating func below(_ n: UInt64) -> UInt64 { next() % n }
    mutating func pick<T>(_ items: [T]) -> T { items[Int(below(UInt64(items.count)))] }
}
