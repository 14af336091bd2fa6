import MMIOTrace
import SeededRandom
import Testing
@testable import TraceSynthesis

@Suite struct WorkloadGeneratorTests {
    @Test(arguments: Workload.allCases)
    func sameSeedGivesTheSameTrace(workload: Workload) {
        let a = Array(WorkloadGenerator(workload: workload, events: 20_000, seed: 42))
        let b = Array(WorkloadGenerator(workload: workload, events: 20_000, seed: 42))
        #expect(a == b)
    }

    @Test(arguments: Workload.allCases)
    func differentSeedsGiveDifferentTraces(workload: Workload) {
        let a = Array(WorkloadGenerator(workload: workload, events: 2_000, seed: 1))
        let b = Array(WorkloadGenerator(workload: workload, events: 2_000, seed: 2))
        #expect(a != b)
    }

    @Test(arguments: Workload.allCases, [0, 1, 5, 13, 40, 41, 200, 100_000])
    func yieldsExactlyTheRequestedNumberOfValidEvents(workload: Workload, events: Int) {
        #expect(problem(in: workload, events: events, seed: 7) == nil)
        #expect(WorkloadGenerator(workload: workload, events: events, seed: 7).underestimatedCount == events)
    }

    @Test(arguments: Workload.allCases)
    func aShortTraceIsAPrefixOfTheBareReclaim(workload: Workload) {
        let tail = WorkloadGenerator(workload: workload, events: 0, seed: 3).reclaimCount
        let full = Array(WorkloadGenerator(workload: workload, events: tail, seed: 3))
        #expect(full.first?.kind == .mark("reclaim"))
        for events in 0..<tail {
            #expect(Array(WorkloadGenerator(workload: workload, events: events, seed: 3)) == Array(full.prefix(events)))
        }
    }

    @Test func theMixedWorkloadContainsEveryCategory() {
        var generator = WorkloadGenerator(workload: .mixed, events: 100_000, seed: 11)
        var checker = TraceChecker(topology: generator.topology)
        while let event = generator.next() { checker.check(event) }
        #expect(checker.problem == nil)
        #expect(Set(EventKind.Category.allCases).subtracting(checker.categories).isEmpty)
    }

    @Test(arguments: Workload.allCases, [60, 100_000])
    func theTraceEndsWithTheReclaimInDomainOrder(workload: Workload, events: Int) {
        let generator = WorkloadGenerator(workload: workload, events: events, seed: 5)
        let topology = generator.topology
        let tail = Array(generator).suffix(generator.reclaimCount).map { render($0, in: topology).split(separator: " ", maxSplits: 1)[1] }

        func name(_ region: Region) -> String { "\(topology.devices[Int(region.device)].name).\(region.name)" }
        let mapped = topology.regions.filter { region in
            topology.mappings.contains { topology.regions[Int($0.region)] == region && $0.addressSpace == .guest(vm: 0) }
        }
        var expected = ["host mark reclaim", "vcpu0 exit", "vcpu1 exit"]
        expected += mapped.map { "host unmap vm0 \(name($0))" }
        expected += ["host dsb ishst"]
        expected += mapped.map { "host tlbi ipas2e1is 0x\(String($0.base, radix: 16))" }
        expected += ["host dsb ish", "host tlbi vmalle1is", "host dsb ish", "host isb"]
        for device in topology.devices {
            expected += ["host reset flr \(device.name)", "host cfg-read \(device.name) 0x4 4 = 0x100000", "vmm cfg-write \(device.name) 0x4 2 0x406"]
        }
        expected += ["host teardown vm0"]
        #expect(tail.map(String.init) == expected)
    }

    @Test(arguments: Workload.allCases)
    func phasesAreMarkedInOrder(workload: Workload) {
        let marks = WorkloadGenerator(workload: workload, events: 10_000, seed: 9).compactMap { event -> String? in
            if case .mark(let mark) = event.kind { mark.text } else { nil }
        }
        #expect(marks == ["init", "io", "reclaim"])
    }

    @Test func topologiesDeclareTheDevicesAndMappings() {
        let nvme = WorkloadGenerator(workload: .nvme, events: 0, seed: 0).topology
        #expect(nvme.devices.map(\.name) == ["nvme0"])
        #expect(nvme.devices[0].bdf?.description == "0000:01:00.0")
        #expect(nvme.regions.map(\.base) == [0xfe40_0000])
        #expect(nvme.stage1Type(of: 0, in: .guest(vm: 0)) == .deviceNGnRE)
        #expect(nvme.stage1Type(of: 0, in: .vmm(vm: 0)) == .deviceNGnRnE)

        let mixed = WorkloadGenerator(workload: .mixed, events: 0, seed: 0).topology
        #expect(mixed.devices.map(\.model) == ["nvme", "nic"])
        let bar2 = mixed.regions[2]
        #expect((bar2.name, bar2.base, bar2.size, bar2.prefetchable) == ("nic0-bar2", 0xfe30_0000, 0x1_0000, true))
        #expect(mixed.stage1Type(of: 2, in: .guest(vm: 0)) == .normalNC)
        #expect(mixed.stage1Type(of: 1, in: .guest(vm: 0)) == .deviceNGnRE)
    }

    /// Per vCPU in the I/O phase: every doorbell is a `writel` (dmb oshst, then the store) to the
    /// vCPU's own queue, and each SQ tail moves forward by 1–4 modulo the queue depth.
    @Test func nvmeDoorbellsFollowTheDriver() {
        let generator = WorkloadGenerator(workload: .nvme, events: 50_000, seed: 21)
        let trace = Array(generator)
        let io = trace.drop { $0.kind != .mark("io") }.dropLast(generator.reclaimCount)
        for vcpu in 0..<UInt16(2) {
            let own = io.filter { $0.agent == .vcpu(vcpu) }.map(\.kind)
            let sqTail = 0xfe40_1000 + 8 * UInt64(vcpu + 1)
            var tail: UInt64 = 0, doorbells = 0
            for (i, kind) in own.enumerated() {
                guard case .write(let access) = kind else { continue }
                doorbells += 1
                #expect(access.address == sqTail || access.address == sqTail + 4, "vCPU \(vcpu) rang \(access.address)")
                #expect(i > 0 && own[i - 1] == .barrier(.dmb(.outerShareable, .stores)))
                if access.address == sqTail {
                    #expect((1...4).contains((access.value.low64 + 1024 - tail) % 1024))
                    tail = access.value.low64
                }
            }
            #expect(doorbells > 1_000)
        }
    }

    /// Per vCPU in the I/O phase: every store to the write-combining BAR belongs to a push of one
    /// aligned 64-byte slot in its own page: dmb oshst, eight 8-byte stores, dsb st, tail doorbell.
    /// (The I/O phase may stop inside a push: the last one of a vCPU is left unchecked.)
    @Test func nicPushesWholeDescriptorSlots() {
        let generator = WorkloadGenerator(workload: .nic, events: 50_000, seed: 22)
        let io = Array(generator).drop { $0.kind != .mark("io") }.dropLast(generator.reclaimCount)
        let bar2 = generator.topology.regionID(named: "nic0-bar2")
        for vcpu in 0..<UInt16(2) {
            let own = Array(io.filter { $0.agent == .vcpu(vcpu) }.map(\.kind))
            var pushes = 0, i = 0
            while i + 9 < own.count {
                guard case .write(let first) = own[i], first.region == bar2 else { i += 1; continue }
                pushes += 1
                #expect(own[i - 1] == .barrier(.dmb(.outerShareable, .stores)))
                #expect(first.address % 64 == 0 && (first.address - 0xfe30_0000) / 0x1000 == UInt64(vcpu))
                for k in 0..<8 {
                    guard case .write(let store) = own[i + k] else { Issue.record("store \(k) missing"); break }
                    #expect(store.address == first.address + UInt64(8 * k) && store.size == 8)
                }
                #expect(own[i + 8] == .barrier(.dsb(.fullSystem, .stores)))
                guard case .write(let doorbell) = own[i + 9] else { Issue.record("no doorbell"); break }
                #expect(doorbell.address == 0xfe20_3818 + 0x100 * UInt64(vcpu) && doorbell.size == 4)
                i += 10
            }
            #expect(pushes > 1_000)
        }
    }

    @Test func propertiesHoldForManySeeds() {
        for seed in UInt64(0)..<50 {
            var sizes = SplitMix64(seed: seed)
            for workload in Workload.allCases {
                let events = Int(sizes.next() % 30_000)
                if let problem = problem(in: workload, events: events, seed: seed) {
                    Issue.record("seed \(seed), \(workload), \(events) events: \(problem)")
                    return
                }
            }
        }
    }
}
