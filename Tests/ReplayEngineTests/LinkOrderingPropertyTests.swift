import SeededRandom
import Testing
@testable import ReplayEngine

/// PCIe ordering on the downstream link (DOMAIN.md §3): no posted write is ever passed by a
/// later read, non-posted write or posted write on the same path. Random traces of mixed types,
/// agents and devices under every schedule; the property is checked on the device view.
@Suite struct LinkOrderingPropertyTests {
    @Test(arguments: 0..<60)
    func nothingPassesAPostedWrite(seed: Int) throws {
        var rng = SplitMix64(seed: UInt64(seed))
        let types = ["device-ngnrne", "device-ngnre", "device-ngre", "device-gre", "normal-nc"]
        var trace = Harness.header + "map vm0 bar0 \(rng.pick(types))\nmap vm0 nicregs \(rng.pick(types))\nmap vm0 wc \(rng.pick(types))\n"
        var time: UInt64 = 0
        for _ in 0..<80 {
            time += 1 + rng.below(200)
            let agent = rng.pick(["vcpu0", "vcpu1"])
            let region = rng.pick(["bar0+0x10", "bar0+0x24", "nicregs+0x3818", "nicregs+0x8", "wc+0x40", "wc+0x48"])
            switch rng.below(6) {
            case 0, 1, 2: trace += "\(time) \(agent) write \(region) 4 0x\(String(rng.below(1 << 16), radix: 16))\n"
            case 3: trace += "\(time) \(agent) read \(region) 4\n"
            case 4: trace += "\(time) \(agent) \(rng.pick(["dmb oshst", "dsb sy", "dmb ish"]))\n"
            default: trace += "\(time) vmm cfg-\(rng.pick(["read nvme0 0x4 2", "write nvme0 0x4 2 0x6"]))\n"
            }
        }
        let schedule = [Schedule.inOrder, .adversarial, .random(seed: UInt64(seed))][seed % 3]
        let report = try Harness.replay(text: trace, policy: rng.pick(["kvm-device", "kvm-normal-nc", "strict-ngnrne"]),
                                        platform: rng.pick(["quiet-pcie", "split-ecam"]), schedule: schedule)
        let onLink = report.deviceView.filter { $0.linkSequence != nil }
        #expect(!onLink.isEmpty, "seed \(seed)")
        // Arrival order at the far end is the order on the link: nothing passed anything.
        let sequence = onLink.map { $0.linkSequence! }
        #expect(sequence == sequence.sorted(), "seed \(seed): TLPs arrived out of link order")
        #expect(Set(sequence).count == sequence.count, "seed \(seed)")
    }
}

extension SplitMix64 {
    mutating func below(_ n: UInt64) -> UInt64 { next() % n }
    mutating func pick<T>(_ items: [T]) -> T { items[Int(below(UInt64(items.count)))] }
}
