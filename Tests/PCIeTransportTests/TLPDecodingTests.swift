import Testing
import PCIeTransport

@Suite struct TLPDecodingTests {
    /// Malformed or unsupported input, with the error code and the byte at fault.
    @Test(arguments: [
        ([0x40, 0x00, 0x00], TLPFormatError.Code.truncated, 3),
        ([0x40, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0f, 0xfe, 0x40, 0x10, 0x08, 0x78, 0x56], .truncated, 14),
        ([0x40, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0f, 0xfe, 0x40, 0x10, 0x08, 1, 2, 3, 4, 5], .trailingBytes, 16),
        // 0x02: IORd, not modelled.
        ([0x02, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0f, 0x00, 0x00, 0x10, 0x00], .unsupportedType, 0),
        // Byte 1 bit 2: Attr[2], ID-Based Ordering.
        ([0x00, 0x04, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0f, 0x00, 0x00, 0x10, 0x00], .unsupportedField, 1),
        // Completion Status 011 is reserved.
        ([0x0a, 0x00, 0x00, 0x00, 0x01, 0x00, 0x60, 0x04, 0x00, 0x00, 0x00, 0x00], .reservedStatus, 6),
        // MRd64 with address 0x1000, below 4 GiB.
        ([0x20, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00], .addressFormat, 0),
        // MRd of 2 DW at 0xffc: crosses 0x1000.
        ([0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0xff, 0x00, 0x00, 0x0f, 0xfc], .crosses4KiB, 11),
        // 1-DW MRd with Last DW BE 1111.
        ([0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0xff, 0x00, 0x00, 0x10, 0x00], .byteEnables, 7),
        // 3-DW MRd with First DW BE 0001 (not contiguous with the DWs after it).
        ([0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0xf1, 0x00, 0x00, 0x10, 0x00], .byteEnables, 7),
        // 2-DW MRd at a non-QW-aligned address with Last DW BE 1000.
        ([0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x8f, 0x00, 0x00, 0x10, 0x04], .byteEnables, 7),
        // CfgRd0 with TC 1.
        ([0x04, 0x10, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0f, 0x01, 0x00, 0x00, 0x00], .configurationFields, 1),
        // MWr of 17 DW: more than the 64 bytes held inline.
        ([0x40, 0x00, 0x00, 0x11, 0x00, 0x00, 0x00, 0xff, 0x00, 0x00, 0x10, 0x00], .payloadLength, 3),
    ] as [([UInt8], TLPFormatError.Code, Int)])
    func rejects(bytes: [UInt8], code: TLPFormatError.Code, offset: Int) {
        #expect {
            _ = try TLP(decoding: bytes)
        } throws: { error in
            guard let error = error as? TLPFormatError else { return false }
            return error.code == code && error.offset == offset
        }
    }

    @Test func acceptsNonContiguousQuadwordAlignedTwoDWordRequest() throws {
        // Bytes 0 and 7 of the QW at 0x1000: allowed only because the request is QW-aligned.
        let tlp = try TLP(decoding: [0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x81, 0x00, 0x00, 0x10, 0x00] as [UInt8])
        #expect(tlp.firstByteEnables == 0x1 && tlp.lastByteEnables == 0x8)
    }

    @Test func ignoresReservedBits() throws {
        // The reserved Lower Address bit 7 and address bits 1:0 are ignored.
        let completion = try TLP(decoding: [0x0a, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x80] as [UInt8])
        #expect(completion.lowerAddress == 0)
        let read = try TLP(decoding: [0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0f, 0x00, 0x00, 0x10, 0x03] as [UInt8])
        #expect(read.address == 0x1000)
    }

    @Test func errorDescriptionNamesTheByte() {
        let error = TLPFormatError(.byteEnables, at: 7, "bad")
        #expect(error.description == "byte 7: bad")
    }

    /// Random valid TLPs of every kind survive encode → decode unchanged.
    @Test func roundTrip() throws {
        for seed in UInt64(0)..<3000 {
            var random = TestRandom(seed: seed)
            let tlp = Self.randomTLP(&random)
            #expect(throws: Never.self, "seed \(seed): \(tlp)") { try tlp.validate() }
            let decoded = try? TLP(decoding: tlp.bytes)
            #expect(decoded == tlp, "seed \(seed): \(tlp.bytes)")
            if decoded != tlp { return }
        }
    }

    static func randomTLP(_ random: inout TestRandom) -> TLP {
        let requester = PCIAddress(routingID: UInt16(truncatingIfNeeded: random.next()))
        let tag = UInt16(random.next(below: 1024))
        let attributes = TLPAttributes(rawValue: UInt8(random.next(below: 4)))
        let trafficClass = UInt8(random.next(below: 8))
        var tlp: TLP
        switch random.next(below: 6) {
        case 0, 1:
            let high = random.nextBool() ? UInt64(random.next(in: 1...0xffff)) << 32 : 0
            let address = high | UInt64(random.next(below: 1 << 30)) << 2
            let isWrite = random.nextBool()
            let room = (4096 - Int(address & 0xfff)) / 4
            let length = random.next(in: 1...min(room, isWrite ? 16 : 1024))
            var first = UInt8(random.next(below: 16))
            var last: UInt8 = 0
            if length > 1 {
                if length == 2, address & 7 == 0 {
                    first = UInt8(random.next(in: 1...15))
                    last = UInt8(random.next(in: 1...15))
                } else {
                    first = random.pick([0x8, 0xc, 0xe, 0xf])
                    last = random.pick([0x1, 0x3, 0x7, 0xf])
                }
            }
            if isWrite {
                tlp = .memoryWrite(
                    address: address, firstByteEnables: first, lastByteEnables: last,
                    payload: randomPayload(&random, dwords: length), requester: requester, tag: tag,
                    attributes: attributes, trafficClass: trafficClass
                )
            } else {
                tlp = .memoryRead(
                    address: address, length: length, firstByteEnables: first, lastByteEnables: last,
                    requester: requester, tag: tag, attributes: attributes, trafficClass: trafficClass
                )
            }
        case 2:
            let target = PCIAddress(routingID: UInt16(truncatingIfNeeded: random.next()))
            let register = UInt16(random.next(below: 1024))
            let enables = UInt8(random.next(below: 16))
            tlp = random.nextBool()
                ? .configRead(target: target, register: register, firstByteEnables: enables, requester: requester, tag: tag)
                : .configWrite(
                    target: target, register: register, firstByteEnables: enables,
                    value: UInt32(truncatingIfNeeded: random.next()), requester: requester, tag: tag
                )
        case 3:
            let completer = PCIAddress(routingID: UInt16(truncatingIfNeeded: random.next()))
            let byteCount = random.next(in: 1...4096)
            let lowerAddress = UInt8(random.next(below: 128))
            if random.nextBool() {
                tlp = .completion(
                    status: random.pick(CompletionStatus.allCases), completer: completer, requester: requester, tag: tag,
                    byteCount: byteCount, lowerAddress: lowerAddress, attributes: attributes, trafficClass: trafficClass
                )
            } else {
                tlp = .completionWithData(
                    completer: completer, requester: requester, tag: tag, byteCount: byteCount, lowerAddress: lowerAddress,
                    payload: randomPayload(&random, dwords: random.next(in: 1...16)), attributes: attributes,
                    trafficClass: trafficClass
                )
                tlp.byteCountModified = random.nextBool()
            }
        default:
            let routing = random.pick(MessageRouting.allCases)
            tlp = .message(MessageCode(rawValue: UInt8(truncatingIfNeeded: random.next())), routing: routing, requester: requester, tag: tag)
            if random.nextBool() {
                tlp.kind = .messageWithData(routing)
                tlp.payload = randomPayload(&random, dwords: random.next(in: 1...16))
                tlp.length = tlp.payload.dwordCount
            }
            if routing == .byAddress { tlp.address = random.next() & ~3 }
            if routing == .byID { tlp.targetID = PCIAddress(routingID: UInt16(truncatingIfNeeded: random.next())) }
        }
        tlp.isPoisoned = random.next(below: 8) == 0
        if random.next(below: 8) == 0 { tlp.digest = UInt32(truncatingIfNeeded: random.next()) }
        return tlp
    }

    static func randomPayload(_ random: inout TestRandom, dwords: Int) -> TLPPayload {
        TLPPayload(words: SIMD8((0..<8).map { _ in random.next() }), count: dwords * 4)
    }
}
