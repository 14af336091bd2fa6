import MMIOTrace
import PCIeTransport
import SeededRandom
import Testing
@testable import ReplayEngine

/// The replay's per-event lookups and byte extractions agree with the plain versions they
/// replace: `IntegerKeyMap` with `Dictionary`, `extremes(selectedBy:)` and `AccessValue(bytesOf:)`
/// with loops over single bytes, on random keys, masks and lines; and simulation events stay
/// small.
@Suite struct HotPathStructureTests {
    @Test(arguments: UInt64(1)...20)
    func anIntegerKeyMapHoldsWhatADictionaryHolds(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        var map = IntegerKeyMap<UInt64>(filler: 0)
        var reference: [UInt64: UInt64] = [:]
        // Few distinct keys at first (collisions, updates), then many (growth); some far apart.
        for step in 0..<5000 {
            let key = random.oneIn(4) ? random.next() : random.next(below: UInt64(step / 8 + 2))
            switch random.next(below: 3) {
            case 0:
                let value = random.next()
                map.set(value, for: key)
                reference[key] = value
            case 1:
                let candidate = random.next(below: 1000)
                let before = map.update(key, default: 0) { value -> UInt64 in
                    defer { value = max(value, candidate) }
                    return value
                }
                #expect(before == reference[key, default: 0])
                reference[key] = max(reference[key, default: 0], candidate)
            default:
                #expect(map.value(for: key) == reference[key])
            }
            #expect(map.count == reference.count)
        }
        for (key, value) in reference { #expect(map.value(for: key) == value) }
    }

    @Test func distinctAgentsHaveDistinctKeys() {
        let agents = [Agent.host, .vmm(vm: 0), .vmm(vm: 1), .vcpu(0), .vcpu(1), .vcpu(0, vm: 1), .vcpu(65535, vm: 65535), .vmm(vm: 65535)]
        #expect(Set(agents.map(\.replayKey)).count == agents.count)
    }

    @Test(arguments: UInt64(1)...10)
    func extremesAreThoseOfTheSelectedLanes(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        for _ in 0..<500 {
            var lanes = SIMD64<UInt8>()
            for i in 0..<64 { lanes[i] = UInt8(truncatingIfNeeded: random.next()) }
            let masks: [UInt64] = [.max, 1, 1 << 63, random.next() | 1, random.next() & 0xff00 | 0x100]
            for mask in masks {
                let selected = (0..<64).filter { mask >> UInt64($0) & 1 == 1 }.map { lanes[$0] }
                let (lowest, highest) = lanes.extremes(selectedBy: mask)
                #expect(lowest == selected.min() && highest == selected.max())
            }
        }
    }

    @Test(arguments: UInt64(1)...10)
    func bytesOfALineAreTheBytesFromTheFirst(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        for _ in 0..<500 {
            let data = SIMD8<UInt64>((0..<8).map { _ in random.next() })
            let first = Int(random.next(below: 64))
            let count = Int(random.next(in: 1...UInt64(64 - first)))
            let value = AccessValue(bytesOf: data, from: first, count: count)
            let expected = (0..<64).map { i -> UInt8 in
                guard i < count else { return 0 }
                let byte = first + i
                return UInt8(truncatingIfNeeded: data[byte >> 3] >> UInt64((byte & 7) * 8))
            }
            #expect((0..<64).map { value.byte($0) } == expected)
        }
    }

    /// The event queue moves whole entries at every level of its heap: each event's largest
    /// payload (a write's arrival: a mask and three 32-bit fields) is laid out without padding.
    @Test func aSimulationEventFitsInTwentyFourBytes() {
        #expect(MemoryLayout<SimEvent>.stride <= 24)
    }
}
