import PCIeTransport
import SeededRandom
import Testing

@Suite struct MemoryWriteSplitterTests {
    let rootPort = PCIAddress(bus: 0, device: 0, function: 0)
    let line: UInt64 = 0xfe40_0000
    /// Byte `i` of the line is `i + 1`, so every byte is distinguishable.
    let data = TLPPayload((1...64).map { UInt8($0) }).words

    func split(_ mask: UInt64, at address: UInt64? = nil, limits: TransferLimits = TransferLimits()) -> [TLP] {
        var tlps: [TLP] = []
        MemoryWriteSplitter.split(address: address ?? line, byteMask: mask, data: data, limits: limits, requester: rootPort) {
            tlps.append($0)
        }
        return tlps
    }

    /// (address, length in DW, first BE, last BE) of each TLP.
    func shape(_ tlps: [TLP]) -> [Shape] {
        tlps.map { Shape(address: $0.address, length: $0.length, first: $0.firstByteEnables, last: $0.lastByteEnables) }
    }

    struct Shape: Equatable, CustomStringConvertible {
        var address: UInt64, length: Int, first: UInt8, last: UInt8
        var description: String { "0x\(String(address, radix: 16)) \(length) DW \(first)/\(last)" }
    }

    @Test func fullLineIsOneTLPOf16DWords() {
        let tlps = split(~0)
        #expect(shape(tlps) == [Shape(address: line, length: 16, first: 0xf, last: 0xf)])
        #expect(tlps.first?.kind == .memoryWrite32)
        #expect(tlps.first?.payload.words == data)
    }

    @Test func eightMergedEightByteStoresAreOneTLP() {
        var mask: UInt64 = 0
        for store in 0..<8 { mask |= 0xff << UInt64(store * 8) }
        #expect(shape(split(mask)) == [Shape(address: line, length: 16, first: 0xf, last: 0xf)])
    }

    @Test func missingFirstByteOfAMiddleDWordSplitsInTwo() {
        // Byte 20 is byte 0 of DW 5: DW 5 (BE 1110) can start a TLP but not end one.
        #expect(shape(split(~(1 << 20))) == [
            Shape(address: line, length: 5, first: 0xf, last: 0xf),
            Shape(address: line + 20, length: 11, first: 0xe, last: 0xf),
        ])
    }

    @Test func holeInsideAMiddleDWordIsolatesIt() {
        // Byte 21 is byte 1 of DW 5: BE 1101 is legal only in a 1-DW TLP.
        let tlps = split(~(1 << 21))
        #expect(shape(tlps) == [
            Shape(address: line, length: 5, first: 0xf, last: 0xf),
            Shape(address: line + 20, length: 1, first: 0xd, last: 0),
            Shape(address: line + 24, length: 10, first: 0xf, last: 0xf),
        ])
        #expect(tlps[1].payload.bytes == [21, 0, 23, 24])  // the disabled byte goes as zero
    }

    @Test func twoMiddleBytesOfOneDWord() {
        let tlps = split(0b0110)
        #expect(shape(tlps) == [Shape(address: line, length: 1, first: 0b0110, last: 0)])
        #expect(tlps[0].payload.bytes == [0, 2, 3, 0])
    }

    @Test func nonContiguousBytesOfOneDWord() {
        #expect(shape(split(0b1001)) == [Shape(address: line, length: 1, first: 0b1001, last: 0)])
    }

    @Test func alternatingDWordsAreOneTLPEach() {
        let tlps = split(0x0f0f_0f0f_0f0f_0f0f)
        #expect(shape(tlps) == (0..<8).map { Shape(address: line + UInt64($0 * 8), length: 1, first: 0xf, last: 0) })
    }

    @Test(arguments: [128, 256, 4096])
    func anyLegalMaxPayloadSizeHoldsALine(maxPayloadSize: Int) {
        let tlps = split(~0, limits: TransferLimits(maxPayloadSize: maxPayloadSize))
        #expect(shape(tlps) == [Shape(address: line, length: 16, first: 0xf, last: 0xf)])
    }

    @Test func windowCrossing4KiBSplitsAtTheBoundary() {
        let tlps = split(~0, at: 0xfe40_0fe0)
        #expect(shape(tlps) == [
            Shape(address: 0xfe40_0fe0, length: 8, first: 0xf, last: 0xf),
            Shape(address: 0xfe40_1000, length: 8, first: 0xf, last: 0xf),
        ])
    }

    @Test func nonContiguousQuadwordIsAPlatformChoice() {
        // Bytes 0 and 7: one QW-aligned 2-DW TLP if the root complex uses the exception.
        #expect(shape(split(0x81, limits: TransferLimits(nonContiguousQuadwordWrites: true))) == [
            Shape(address: line, length: 2, first: 0x1, last: 0x8)
        ])
        #expect(shape(split(0x81)) == [
            Shape(address: line, length: 1, first: 0x1, last: 0), Shape(address: line + 4, length: 1, first: 0x8, last: 0),
        ])
        // Bytes 4 and 11 (DW 1 BE 0001, DW 2 BE 1000) are not QW-aligned: no exception.
        #expect(split(0x810, limits: TransferLimits(nonContiguousQuadwordWrites: true)).count == 2)
        // Bytes 7 and 8 (DW 1 BE 1000, DW 2 BE 0001) are contiguous: one TLP either way.
        #expect(split(0x180).count == 1)
    }

    @Test func aboveFourGiBUsesMWr64() {
        let tlps = split(0xff, at: 0x8_0000_0040)
        #expect(tlps.map(\.kind) == [.memoryWrite64])
        #expect(tlps[0].address == 0x8_0000_0040 && tlps[0].length == 2)
    }

    @Test func emptyMaskSendsNothing() {
        #expect(split(0).isEmpty)
    }

    /// Oracle: every TLP is legal, the TLPs write exactly the masked bytes with the right data in
    /// address order, and their number is the minimum a dynamic program over all splits finds.
    @Test(arguments: [false, true])
    func randomMasksMatchTheOracle(nonContiguousQuadword: Bool) {
        let limits = TransferLimits(nonContiguousQuadwordWrites: nonContiguousQuadword)
        for seed in UInt64(0)..<2000 {
            var random = TestRandom(seed: seed)
            let mask = Self.randomMask(&random)
            let address = random.nextBool() ? line : 0xfe40_0f00 + UInt64(random.next(below: 64)) * 4
            let tlps = split(mask, at: address, limits: limits)
            var written: UInt64 = 0
            var previousEnd = address
            var ok = true
            for tlp in tlps {
                ok = ok && (try? tlp.validate()) != nil && tlp.address >= previousEnd
                previousEnd = tlp.address + UInt64(tlp.length * 4)
                for dw in 0..<tlp.length {
                    let enables = dw == 0 ? tlp.firstByteEnables : dw == tlp.length - 1 ? tlp.lastByteEnables : 0xf
                    for byte in 0..<4 {
                        let offset = Int(tlp.address - address) + dw * 4 + byte
                        let enabled = enables >> byte & 1 == 1
                        if enabled { written |= 1 << UInt64(offset) }
                        let expected = enabled ? UInt8(offset + 1) : 0
                        ok = ok && tlp.payload[dw * 4 + byte] == expected
                    }
                }
            }
            let minimum = Self.minimumTLPs(mask: mask, address: address, nonContiguousQuadword: nonContiguousQuadword)
            #expect(ok && written == mask && tlps.count == minimum, "seed \(seed): mask \(String(mask, radix: 16)), \(shape(tlps)), minimum \(minimum)")
            if !(ok && written == mask && tlps.count == minimum) { return }
        }
    }

    /// Whole random words, a full line with a few holes, or a few aligned stores.
    static func randomMask(_ random: inout TestRandom) -> UInt64 {
        switch random.next(below: 3) {
        case 0: return random.next()
        case 1:
            var mask = UInt64.max
            for _ in 0..<random.next(in: 1...3) { mask &= ~(1 << UInt64(random.next(below: 64))) }
            return mask
        default:
            var mask: UInt64 = 0
            for _ in 0..<random.next(in: 1...6) {
                let size = random.pick([1, 2, 4, 8])
                let offset = random.next(below: 64 / size) * size
                mask |= (size == 8 ? 0xff : (1 << UInt64(size * 8)) - 1) << UInt64(offset)
            }
            return mask
        }
    }

    /// The fewest legal TLPs, by dynamic programming over every split (MPS 128 ≥ 64 bytes, so
    /// only the 4 KiB boundary limits a run).
    static func minimumTLPs(mask: UInt64, address: UInt64, nonContiguousQuadword: Bool) -> Int {
        let enables = (0..<16).map { UInt8(truncatingIfNeeded: mask >> UInt64($0 * 4)) & 0xf }
        func legal(_ first: Int, _ last: Int) -> Bool {
            let start = address + UInt64(first * 4)
            if (start & 0xfff) + UInt64((last - first + 1) * 4) > 0x1000 { return false }
            if (first...last).contains(where: { enables[$0] == 0 }) { return false }
            if first == last { return true }
            if nonContiguousQuadword, last == first + 1, start % 8 == 0 { return true }
            return [0x8, 0xc, 0xe, 0xf].contains(enables[first]) && [0x1, 0x3, 0x7, 0xf].contains(enables[last])
                && (first + 1..<last).allSatisfy { enables[$0] == 0xf }
        }
        var best = [Int](repeating: 0, count: 17)
        for first in stride(from: 15, through: 0, by: -1) {
            if enables[first] == 0 {
                best[first] = best[first + 1]
                continue
            }
            best[first] = (first..<16).filter { legal(first, $0) }.map { 1 + best[$0 + 1] }.min()!
        }
        return best[0]
    }
    /// The pieces describe the TLPs exactly: the same count and order, kind, bytes on the wire,
    /// and bytes written (from the TLP's byte enables), for random masks, places and limits.
    @Test func piecesDescribeTheTLPs() {
        var random = SplitMix64(seed: 17)
        for _ in 0..<5000 {
            var mask = random.next()
            if random.next(below: 2) == 0 { mask &= random.next() }
            if random.next(below: 4) == 0 { mask = mask >> random.next(below: 64) }
            let bases: [UInt64] = [line, 0xffff_ffc0, 0x1_0000_0000, 0x7_ffff_f000 + 64 * random.next(below: 64)]
            let address = bases[Int(random.next(below: UInt64(bases.count)))]
            let limits = TransferLimits(maxPayloadSize: [128, 256, 4096][Int(random.next(below: 3))],
                                        nonContiguousQuadwordWrites: random.next(below: 2) == 0)
            var pieces: [MemoryWriteSplitter.Piece] = []
            MemoryWriteSplitter.pieces(address: address, byteMask: mask, limits: limits) { pieces.append($0) }
            let tlps = split(mask, at: address, limits: limits)
            #expect(pieces.count == tlps.count)
            for (piece, tlp) in zip(pieces, tlps) {
                var written: UInt64 = 0
                for dw in 0..<tlp.length {
                    let enables = dw == 0 ? tlp.firstByteEnables : dw == tlp.length - 1 ? tlp.lastByteEnables : 0xf
                    written |= UInt64(enables) << (tlp.address - address + UInt64(dw * 4))
                }
                #expect(piece.kind == tlp.kind)
                #expect(piece.byteCountWithoutFraming == tlp.byteCountWithoutFraming)
                #expect(piece.byteMask == written, "mask 0x\(String(mask, radix: 16)) at 0x\(String(address, radix: 16))")
                #expect(address + UInt64(piece.firstDW * 4) == tlp.address && piece.lastDW - piece.firstDW + 1 == tlp.length)
            }
        }
    }
}
