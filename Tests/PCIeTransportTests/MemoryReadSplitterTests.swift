import Testing
import PCIeTransport

@Suite struct MemoryReadSplitterTests {
    let rootPort = PCIAddress(bus: 0, device: 0, function: 0)

    func split(_ address: UInt64, _ byteCount: Int, limits: TransferLimits = TransferLimits()) -> [TLP] {
        var tlps: [TLP] = []
        var tag: UInt16 = 0
        MemoryReadSplitter.split(address: address, byteCount: byteCount, limits: limits, requester: rootPort, nextTag: {
            defer { tag += 1 }
            return tag
        }) { tlps.append($0) }
        return tlps
    }

    /// (address, length, first BE, last BE, tag) of each TLP.
    func shape(_ tlps: [TLP]) -> [[UInt64]] {
        tlps.map { [$0.address, UInt64($0.length), UInt64($0.firstByteEnables), UInt64($0.lastByteEnables), UInt64($0.tag)] }
    }

    @Test(arguments: [
        // A 32-bit register read.
        (UInt64(0xfe40_1008), 4, [[0xfe40_1008, 1, 0xf, 0, 0]] as [[UInt64]]),
        // A 16-bit read of bytes 1-2 of a DW.
        (0xfe40_1009, 2, [[0xfe40_1008, 1, 0b0110, 0, 0]]),
        // A 64-byte line.
        (0xfe40_1000, 64, [[0xfe40_1000, 16, 0xf, 0xf, 0]]),
        // 6 bytes from 0x1002: bytes 2-3 of DW 0x1000, all of DW 0x1004.
        (0x1002, 6, [[0x1000, 2, 0xc, 0xf, 0]]),
        // 3 bytes from 0x1003: byte 3 of DW 0x1000, bytes 0-1 of DW 0x1004.
        (0x1003, 3, [[0x1000, 2, 0x8, 0x3, 0]]),
        // 16 bytes across 0x1000: split at the 4 KiB boundary, one tag each.
        (0xff8, 16, [[0xff8, 2, 0xf, 0xf, 0], [0x1000, 2, 0xf, 0xf, 1]]),
        // Zero-length read: 1 DW, no bytes enabled.
        (0x1000, 0, [[0x1000, 1, 0, 0, 0]]),
    ])
    func reads(address: UInt64, byteCount: Int, expected: [[UInt64]]) {
        #expect(shape(split(address, byteCount)) == expected)
    }

    @Test func splitsAtMaxReadRequestSize() {
        #expect(shape(split(0, 1024)) == [[0, 128, 0xf, 0xf, 0], [512, 128, 0xf, 0xf, 1]])
        #expect(shape(split(0, 1024, limits: TransferLimits(maxReadRequestSize: 128))).count == 8)
        #expect(shape(split(0, 4096, limits: TransferLimits(maxReadRequestSize: 4096))) == [[0, 1024, 0xf, 0xf, 0]])
    }

    @Test func aboveFourGiBUsesMRd64() {
        #expect(split(0x1_0000_0000, 8).map(\.kind) == [.memoryRead64])
        #expect(split(0xffff_fffc, 8).map(\.kind) == [.memoryRead32, .memoryRead64])
    }

    /// Oracle: the TLPs are legal, within MRRS, in order, and enable exactly the requested bytes.
    @Test func randomReadsCoverExactlyTheRange() {
        for seed in UInt64(0)..<2000 {
            var random = TestRandom(seed: seed)
            let address = UInt64(random.next(below: 1 << 20))
            let byteCount = random.next(in: 1...9000)
            let limits = TransferLimits(maxReadRequestSize: 128 << random.next(below: 6))
            var next = address
            var ok = true
            for tlp in split(address, byteCount, limits: limits) {
                ok = ok && (try? tlp.validate()) != nil && tlp.length * 4 <= limits.maxReadRequestSize
                for dw in 0..<tlp.length {
                    let enables = tlp.length == 1 ? tlp.firstByteEnables
                        : dw == 0 ? tlp.firstByteEnables : dw == tlp.length - 1 ? tlp.lastByteEnables : 0xf
                    for byte in 0..<4 where enables >> byte & 1 == 1 {
                        ok = ok && tlp.address + UInt64(dw * 4 + byte) == next
                        next += 1
                    }
                }
            }
            #expect(ok && next == address + UInt64(byteCount), "seed \(seed)")
            if !(ok && next == address + UInt64(byteCount)) { return }
        }
    }
}
