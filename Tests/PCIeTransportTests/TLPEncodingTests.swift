import Testing
import PCIeTransport

/// Hand-computed header vectors: each byte derived in a comment from the PCIe Base Spec layouts.
@Suite struct TLPEncodingTests {
    let rootPort = PCIAddress(bus: 0, device: 0, function: 0)
    let device = PCIAddress(bus: 1, device: 0, function: 0)

    /// Encodes `tlp`, compares with `expected`, and decodes it back.
    func check(_ tlp: TLP, header expected: [UInt8], payload: [UInt8] = [], sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(tlp.header.bytes == expected, sourceLocation: sourceLocation)
        #expect(tlp.bytes == expected + payload, sourceLocation: sourceLocation)
        #expect(tlp.byteCountWithoutFraming == expected.count + payload.count, sourceLocation: sourceLocation)
        let decoded = try TLP(decoding: tlp.bytes)
        #expect(decoded == tlp, sourceLocation: sourceLocation)
    }

    @Test func memoryWrite32() throws {
        // A 32-bit store of 0x12345678 to 0xfe401008 by 00:00.0.
        let tlp = TLP.memoryWrite(
            address: 0xfe40_1008, firstByteEnables: 0xf, lastByteEnables: 0, payload: TLPPayload(dword: 0x1234_5678),
            requester: rootPort
        )
        #expect(tlp.kind == .memoryWrite32 && tlp.category == .posted)
        try check(
            tlp,
            header: [
                0x40,  // Fmt 010 (3DW, data), Type 00000 (MWr)
                0x00,  // T9 0, TC 000, T8 0, Attr[2] 0, LN 0, TH 0
                0x00,  // TD 0, EP 0, Attr[1:0] 00, AT 00, Length[9:8] 00
                0x01,  // Length[7:0]: 1 DW
                0x00, 0x00,  // Requester ID 00:00.0
                0x00,  // Tag 0
                0x0f,  // Last DW BE 0000 (1 DW), First DW BE 1111
                0xfe, 0x40, 0x10, 0x08,  // Address[31:2] 0xfe401008, bits 1:0 reserved 00
            ],
            // The little-endian register bytes, lowest address first.
            payload: [0x78, 0x56, 0x34, 0x12]
        )
    }

    @Test func memoryRead64AboveFourGiBWithTenBitTagAndAttributes() throws {
        // An 8-byte read of 0x8_0000_1000 (a 64-bit BAR above 4 GiB), tag 0x2a5, RO and NS.
        let tlp = TLP.memoryRead(
            address: 0x8_0000_1000, length: 2, firstByteEnables: 0xf, lastByteEnables: 0xf, requester: rootPort,
            tag: 0x2a5, attributes: [.relaxedOrdering, .noSnoop]
        )
        #expect(tlp.kind == .memoryRead64 && tlp.category == .nonPosted)
        try check(
            tlp,
            header: [
                0x20,  // Fmt 001 (4DW, no data), Type 00000 (MRd)
                0x80,  // T9 = tag bit 9 = 1, TC 000, T8 = tag bit 8 = 0
                0x30,  // TD 0, EP 0, Attr[1] RO 1, Attr[0] NS 1, AT 00, Length[9:8] 00
                0x02,  // Length 2 DW
                0x00, 0x00,  // Requester ID 00:00.0
                0xa5,  // Tag[7:0]
                0xff,  // Last DW BE 1111, First DW BE 1111
                0x00, 0x00, 0x00, 0x08,  // Address[63:32] = 0x8
                0x00, 0x00, 0x10, 0x00,  // Address[31:2] = 0x1000
            ]
        )
    }

    @Test func memoryReadOf1024DWordsEncodesLengthZero() throws {
        let tlp = TLP.memoryRead(address: 0x1000, length: 1024, firstByteEnables: 0xf, lastByteEnables: 0xf, requester: rootPort, tag: 0)
        try check(
            tlp,
            header: [
                0x00,  // MRd, 3DW
                0x00,
                0x00,  // Length[9:8] 00 ...
                0x00,  // ... Length[7:0] 00: 1024 DW
                0x00, 0x00, 0x00, 0xff,
                0x00, 0x00, 0x10, 0x00,  // 0x1000: 4 KiB-aligned, so 4096 bytes do not cross
            ]
        )
    }

    @Test func configWrite0() throws {
        // A 16-bit write of 0x8000 to byte offset 0x88 of 01:00.0: register (DW) 0x22, BE 0011.
        let tlp = TLP.configWrite(target: device, register: 0x88 / 4, firstByteEnables: 0x3, value: 0x8000, requester: rootPort, tag: 1)
        #expect(tlp.kind == .configWrite0 && tlp.category == .nonPosted)
        #expect(tlp.payload.dword(0) == 0x8000 && tlp.payload.dwordCount == 1)
        try check(
            tlp,
            header: [
                0x44,  // Fmt 010 (3DW, data), Type 00100 (CfgWr0)
                0x00,  // TC 0 (required)
                0x00,  // Attr 00 (required)
                0x01,  // Length 1 (required)
                0x00, 0x00,  // Requester ID 00:00.0
                0x01,  // Tag 1
                0x03,  // Last DW BE 0000 (required), First DW BE 0011: bytes 0x88 and 0x89
                0x01,  // Bus 1
                0x00,  // Device 0 (bits 7:3), Function 0 (bits 2:0)
                0x00,  // Extended Register Number (register bits 9:6) = 0
                0x88,  // Register Number 0x22 in bits 7:2 = 0x88
            ],
            payload: [0x00, 0x80, 0x00, 0x00]  // 0x8000 little-endian: byte 0x89 = 0x80
        )
    }

    @Test func configRead0OfAnExtendedRegister() throws {
        // Byte offset 0x104 of 02:03.1 (DW 0x41): Extended Register Number 1, Register Number 1.
        let target = PCIAddress(bus: 2, device: 3, function: 1)
        let tlp = TLP.configRead(target: target, register: 0x104 / 4, firstByteEnables: 0xf, requester: rootPort, tag: 2)
        try check(
            tlp,
            header: [
                0x04,  // Fmt 000 (3DW, no data), Type 00100 (CfgRd0)
                0x00, 0x00, 0x01,  // Length 1
                0x00, 0x00, 0x02, 0x0f,  // Requester 00:00.0, Tag 2, BE 0000/1111
                0x02,  // Bus 2
                0x19,  // Device 3 << 3 | Function 1 = 0x18 | 0x01
                0x01,  // Extended Register Number: 0x41 >> 6 = 1
                0x04,  // Register Number: 0x41 & 0x3f = 1, << 2
            ]
        )
    }

    @Test func completionWithDataSC() throws {
        // The answer to the 4-byte read of 0xfe401008: Byte Count 4, Lower Address 0x08.
        let tlp = TLP.completionWithData(
            completer: device, requester: rootPort, tag: 0, byteCount: 4, lowerAddress: 0x08,
            payload: TLPPayload(dword: 0x1234_5678)
        )
        #expect(tlp.category == .completion)
        try check(
            tlp,
            header: [
                0x4a,  // Fmt 010 (3DW, data), Type 01010 (CplD)
                0x00, 0x00,
                0x01,  // Length 1 DW
                0x01, 0x00,  // Completer ID 01:00.0
                0x00,  // Status 000 (SC) bits 7:5, BCM 0, Byte Count[11:8] 0
                0x04,  // Byte Count[7:0] 4
                0x00, 0x00,  // Requester ID 00:00.0
                0x00,  // Tag 0
                0x08,  // Lower Address 0x08 (bit 7 reserved)
            ],
            payload: [0x78, 0x56, 0x34, 0x12]
        )
    }

    @Test func completionUR() throws {
        // A configuration read to a function that does not exist: Cpl with UR, Byte Count 4.
        let tlp = TLP.completion(status: .unsupportedRequest, completer: device, requester: rootPort, tag: 2, byteCount: 4)
        try check(
            tlp,
            header: [
                0x0a,  // Fmt 000 (3DW, no data), Type 01010 (Cpl)
                0x00, 0x00,
                0x00,  // Length reserved: 0
                0x01, 0x00,  // Completer ID 01:00.0
                0x20,  // Status 001 (UR) << 5 = 0x20, BCM 0, Byte Count[11:8] 0
                0x04,  // Byte Count 4
                0x00, 0x00,  // Requester ID 00:00.0
                0x02,  // Tag 2
                0x00,  // Lower Address 0
            ]
        )
    }

    /// Byte 6 of a completion for each status: status << 5.
    @Test(arguments: [
        (CompletionStatus.successful, UInt8(0x00)), (.unsupportedRequest, 0x20), (.configurationRetry, 0x40),
        (.completerAbort, 0x80),
    ])
    func completionStatusBits(status: CompletionStatus, byte6: UInt8) throws {
        let tlp = TLP.completion(status: status, completer: device, requester: rootPort, tag: 0, byteCount: 4)
        #expect(tlp.header[6] == byte6)
        #expect(try TLP(decoding: tlp.bytes).completionStatus == status)
    }

    @Test func namesOfStatusesAndMessages() {
        #expect(CompletionStatus.allCases.map(\.abbreviation) == ["SC", "UR", "CRS", "CA"])
        #expect([MessageCode.errorCorrectable, .errorNonFatal, .errorFatal, MessageCode(rawValue: 0x20)].map(\.description)
            == ["ERR_COR", "ERR_NONFATAL", "ERR_FATAL", "Msg 0x20"])
    }

    @Test func completionByteCount4096EncodesZero() throws {
        let tlp = TLP.completion(status: .completerAbort, completer: device, requester: rootPort, tag: 0, byteCount: 4096)
        #expect(tlp.header[6] == 0x80 && tlp.header[7] == 0x00)  // CA, Byte Count field 0 = 4096
        #expect(try TLP(decoding: tlp.bytes).byteCount == 4096)
    }

    @Test func messageErrNonFatal() throws {
        let tlp = TLP.message(.errorNonFatal, requester: device)
        #expect(tlp.category == .posted)
        try check(
            tlp,
            header: [
                0x30,  // Fmt 001 (4DW, no data), Type 10 000 (Msg, routed to root complex)
                0x00,  // TC 0
                0x00,
                0x00,  // Length reserved: 0
                0x01, 0x00,  // Requester ID 01:00.0 (the function reporting the error)
                0x00,  // Tag 0
                0x31,  // Message Code 0011 0001 (ERR_NONFATAL)
                0x00, 0x00, 0x00, 0x00,  // bytes 8-15 reserved for routing 000
                0x00, 0x00, 0x00, 0x00,
            ]
        )
    }

    @Test(arguments: [(MessageCode.errorCorrectable, UInt8(0x30)), (.errorNonFatal, 0x31), (.errorFatal, 0x33)])
    func errorMessageCodes(code: MessageCode, byte7: UInt8) {
        let tlp = TLP.message(code, requester: device)
        #expect(tlp.header[0] == 0x30 && tlp.header[7] == byte7)
    }

    @Test func poisonedCompletionWithDigest() throws {
        var tlp = TLP.completionWithData(
            completer: device, requester: rootPort, tag: 0, byteCount: 4, lowerAddress: 0, payload: TLPPayload(dword: 0)
        )
        tlp.isPoisoned = true
        tlp.digest = 0xdead_beef
        try check(
            tlp,
            header: [
                0x4a, 0x00,
                0xc0,  // TD 1 (bit 7), EP 1 (bit 6)
                0x01, 0x01, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00,
            ],
            payload: [0, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef]  // the data DW, then the digest DW
        )
    }

    @Test(arguments: [
        (TLPKind.memoryRead32, UInt8(0x00)), (.memoryRead64, 0x20), (.memoryWrite32, 0x40), (.memoryWrite64, 0x60),
        (.configRead0, 0x04), (.configWrite0, 0x44), (.completion, 0x0a), (.completionWithData, 0x4a),
        (.message(.toRootComplex), 0x30), (.message(.gatheredToRootComplex), 0x35),
        (.messageWithData(.toRootComplex), 0x70), (.messageWithData(.gatheredToRootComplex), 0x75),
    ])
    func fmtTypeBytes(kind: TLPKind, byte0: UInt8) {
        #expect(kind.fmtType == byte0)
        #expect(TLPKind(fmtType: byte0) == kind)
    }

    @Test func idDescription() {
        #expect(PCIAddress(bus: 0x3a, device: 0x1f, function: 7).shortDescription == "3a:1f.7")
        #expect(PCIAddress(bus: 0x3a, device: 0x1f, function: 7).routingID == 0x3aff)
    }
}
