import Diagnostics
import Foundation
import PCIeTransport
import SeededRandom
import Testing
@testable import MMIOTrace

/// Reads a whole trace into memory (tests only: real consumers stream).
func readAll(_ text: String, fileName: String = "<input>") throws -> (Topology, [TraceEvent]) {
    let reader = try MTraceReader(text: text, fileName: fileName)
    var events: [TraceEvent] = []
    while let event = try reader.next() { events.append(event) }
    return (reader.topology, events)
}

func writeAll(_ topology: Topology, _ events: [TraceEvent]) throws -> String {
    let writer = MTraceWriter(topology: topology)
    for event in events { try writer.write(event) }
    return writer.text
}

@Suite struct MTraceRoundTripTests {
    @Test func canonicalTextRoundTripsByteForByte() throws {
        let text = try Fixtures.text("canonical.mtrace")
        let (topology, events) = try readAll(text)
        #expect(events.count == 38)
        #expect(try writeAll(topology, events) == text)
    }

    @Test func readerStreamsFromAFileAsFromMemory() throws {
        let reader = try MTraceReader(path: Fixtures.path("canonical.mtrace"))
        var fromFile: [TraceEvent] = []
        while let e = try reader.next() { fromFile.append(e) }
        #expect(fromFile == (try readAll(try Fixtures.text("canonical.mtrace"))).1)
    }

    @Test func decodesEveryKindAsWritten() throws {
        let (topology, events) = try readAll(try Fixtures.text("canonical.mtrace"))
        #expect(topology.devices.map(\.name) == ["nvme0", "gic", "wdt"])
        #expect(topology.directives.map(\.text) == ["CA at bar0+0x1c read", "link-down at 5us for 2ms"])
        #expect(topology.directives.first?.location == SourceLocation(file: "<input>", line: 15, column: 7))
        #expect(topology.devices[0].bdf == PCIAddress(bus: 1, device: 0, function: 0))
        #expect(topology.devices[1].bdf == nil)
        #expect(topology.regions[1].prefetchable)
        #expect(topology.stage1Type(of: 1, in: .guest(vm: 0)) == .normalNC)
        #expect(topology.stage1Type(of: 1, in: .vmm(vm: 1)) == .deviceNGnRnE)
        #expect(topology.stage1Type(of: 3, in: .guest(vm: 0)) == .deviceNGnRE)
        #expect(events[3] == TraceEvent(time: TraceTime(nanoseconds: 100), agent: .vcpu(0),
                                        kind: .write(MemoryAccess(address: 0xfe40_0014, region: 0, size: 4, value: AccessValue(0x46_0001)))))
        #expect(events[5].kind == .read(MemoryAccess(address: 0xfe40_001c, region: 0, size: 4, hasValue: false)))
        #expect(events[6].kind == .barrier(.dmb(.outerShareable, .stores)))
        #expect(events[8].kind == .barrier(.dmb(.fullSystem, .loads)))
        if case .write(let wide) = events[13].kind {
            #expect(wide.size == 64)
            #expect(wide.value.byte(0) == 0x44 && wide.value.byte(63) == 0x11 && wide.value.significantBytes == 64)
        } else { Issue.record("expected a 64-byte write") }
        #expect(events[16].kind == .read(MemoryAccess(address: 0xfe60_0000, region: nil, size: 2, value: AccessValue(0xabcd))))
        #expect(events[17].agent == .vcpu(3, vm: 1))
        #expect(events[20].kind == .mark("step 13: reset via sysfs # not a comment"))
        #expect(events[24].kind == .unmap(region: 1, vm: 1))
        #expect(events[27].kind == .tlbi(TLBInvalidation(operation: .ipas2e1is, vm: 1, address: 0xfe50_1000, region: 1)))
        #expect(events[0].kind == .configRead(ConfigAccess(device: 0, offset: 0, size: 4, value: 0x101b36)))
        #expect(events[35].kind == .reset(.controller, device: 2))
        #expect(events[37].kind == .teardown(vm: 0))
    }

    @Test func nonCanonicalInputIsNormalised() throws {
        let text = """
            # a hand-written trace
            mtrace 1
            device d  model=generic   # trailing comment
            region r kind=BAR device=d size=0x100 base=0X1000 prefetchable=no
            map vm0 r Device-nGnRE

              5   vcpu0   write   r+0x04   4   0XABCD   # comment
            6 vcpu0 read 0x1008 4 -> 0x00000001\r
            7 vcpu0 DMB placeholder
            """.replacingOccurrences(of: "7 vcpu0 DMB placeholder", with: "7 vcpu0 dsb SY")
        let (topology, events) = try readAll(text)
        #expect(try writeAll(topology, events) == """
            mtrace 1
            device d model=generic
            region r device=d kind=bar base=0x1000 size=0x100
            map vm0 r device-ngnre
            5 vcpu0 write r+0x4 4 0xabcd
            6 vcpu0 read r+0x8 4 -> 0x1
            7 vcpu0 dsb sy

            """)
    }

    /// Random traces built from the model (not from text) survive write → read → write.
    @Test(arguments: 0..<40)
    func randomEventsRoundTrip(seed: Int) throws {
        var rng = TestRandom(seed: UInt64(seed))
        let topology = try readAll(try Fixtures.text("canonical.mtrace")).0
        var events: [TraceEvent] = []
        var time: UInt64 = 0
        for _ in 0..<200 {
            time += rng.below(1000)
            let kind = rng.kind(topology)
            events.append(TraceEvent(time: TraceTime(nanoseconds: time), agent: rng.agent(for: kind.category), kind: kind))
        }
        let text = try writeAll(topology, events)
        let (readTopology, readEvents) = try readAll(text)
        #expect(readTopology == topology)
        let mismatch = zip(readEvents, events).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        #expect(readEvents.count == events.count && mismatch == nil, "seed \(seed): first mismatch at event \(mismatch ?? -1)")
        #expect(try writeAll(readTopology, readEvents) == text)
    }
}

/// Reproducible random test inputs, drawn from SplitMix64.
struct TestRandom {
    var random: SplitMix64
    init(seed: UInt64) { random = SplitMix64(seed: seed) }
    mutating func next() -> UInt64 { random.next() }
    mutating func below(_ n: UInt64) -> UInt64 { next() % n }
    mutating func pick<T>(_ items: [T]) -> T { items[Int(below(UInt64(items.count)))] }

    /// An agent the reader accepts for `category`.
    mutating func agent(for category: EventKind.Category) -> Agent {
        switch category {
        case .exit, .entry: return .vcpu(UInt16(below(4)), vm: UInt16(below(3)))
        case .teardown, .unmap, .tlbi: return .host
        case .reset: return below(2) == 0 ? .host : .vmm(vm: UInt16(below(3)))
        default: return agent()
        }
    }

    mutating func agent() -> Agent {
        switch below(3) {
        case 0: .host
        case 1: .vmm(vm: UInt16(below(3)))
        default: .vcpu(UInt16(below(4)), vm: UInt16(below(3)))
        }
    }

    mutating func value(size: Int) -> AccessValue {
        var v = AccessValue.zero
        for i in 0..<size where below(4) != 0 { v.setByte(i, UInt8(truncatingIfNeeded: next())) }
        return v
    }

    mutating func kind(_ topology: Topology) -> EventKind {
        let region = RegionID(below(UInt64(topology.regions.count)))
        let r = topology.regions[Int(region)]
        let size = pick([1, 2, 4, 8, 16, 32, 64, 3])
        let recorded = below(2) == 0
        let outside = below(8) == 0
        let access = MemoryAccess(address: outside ? 0xdead_0000_0000 + below(0x1000) : r.base + below(r.size), region: outside ? nil : region,
                                  size: UInt8(size), value: recorded ? value(size: size) : .zero, hasValue: recorded)
        let device = DeviceID(below(UInt64(topology.devices.count)))
        let cfgSize = pick([1, 2, 4])
        let cfgRecorded = below(2) == 0
        let cfg = ConfigAccess(device: device, offset: UInt16(below(0x1000)), size: UInt8(cfgSize),
                               value: cfgRecorded ? UInt32(truncatingIfNeeded: value(size: cfgSize).low64) : 0, hasValue: cfgRecorded)
        switch below(12) {
        case 0: return .read(access)
        case 1: var w = access; w.hasValue = true; w.value = value(size: size); return .write(w)
        case 2:
            let d = pick(BarrierDomain.allCases), a = pick(BarrierAccesses.allCases)
            return .barrier(pick([.dmb(d, a), .dsb(d, a), .isb]))
        case 3: return .guestExit
        case 4: return .guestEntry
        case 5: return .teardown(vm: UInt16(below(3)))
        case 6: return .unmap(region: region, vm: UInt16(below(3)))
        case 7:
            let op = pick(TLBInvalidation.Operation.allCases)
            return .tlbi(TLBInvalidation(operation: op, vm: UInt16(below(3)), address: op == .ipas2e1is ? access.address : nil,
                                         region: op == .ipas2e1is ? access.region : nil))
        case 8: return .configRead(cfg)
        case 9: var w = cfg; w.hasValue = true; w.value = UInt32(truncatingIfNeeded: value(size: cfgSize).low64); return .configWrite(w)
        case 10: return .reset(pick(ResetKind.allCases), device: device)
        default: return .mark(MarkText(pick(["", "init", "io phase 2", "x: y=z"])))
        }
    }
}
