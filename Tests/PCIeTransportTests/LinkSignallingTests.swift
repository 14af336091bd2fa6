import Testing
import PCIeTransport

@Suite struct LinkParametersTests {
    let rootPort = PCIAddress(bus: 0, device: 0, function: 0)

    func write(bytes: Int) -> TLP {
        TLP.memoryWrite(
            address: 0xfe40_0000, firstByteEnables: 0xf, lastByteEnables: bytes > 4 ? 0xf : 0,
            payload: TLPPayload([UInt8](repeating: 0, count: bytes)), requester: rootPort
        )
    }

    @Test func wireBytesAddHeaderPayloadDigestAndFraming() {
        let link = LinkSignalling.generation(3, lanes: 4)
        #expect(link.wireBytes(write(bytes: 4)) == 12 + 4 + 8)
        #expect(link.wireBytes(write(bytes: 64)) == 12 + 64 + 8)
        let read64 = TLP.memoryRead(address: 1 << 32, length: 1, firstByteEnables: 0xf, lastByteEnables: 0, requester: rootPort, tag: 0)
        #expect(link.wireBytes(read64) == 16 + 8)
        var digested = write(bytes: 4)
        digested.digest = 0
        #expect(link.wireBytes(digested) == 12 + 4 + 4 + 8)
        #expect(LinkSignalling(lanes: 1, megatransfersPerSecond: 2_500, encoding: .eightTenBit, framingBytes: 12).wireBytes(write(bytes: 4)) == 28)
    }

    /// Picoseconds, worked out by hand: a byte per lane costs 8 × lineBits / dataBits transfers.
    @Test(arguments: [
        // Gen1 x1: 24 bytes × 10 transfers × 400 ps = 96 000 ps.
        (1, 1, 4, 96_000),
        // Gen1 x4: ⌈24 / 4⌉ = 6 byte times × 4000 ps = 24 000 ps.
        (1, 4, 4, 24_000),
        // Gen2 x1: 24 × 10 × 200 ps = 48 000 ps.
        (2, 1, 4, 48_000),
        // Gen3 x4, 64-byte write: 84 bytes, 21 byte times × 8.125 × 125 ps = 21 328.125 → 21 329.
        (3, 4, 64, 21_329),
        // Gen5 x16, 64-byte write: ⌈84 / 16⌉ = 6 byte times × 8.125 × 31.25 ps = 1523.4375 → 1524.
        (5, 16, 64, 1_524),
    ])
    func serializationTime(generation: Int, lanes: Int, payloadBytes: Int, picoseconds: Int) {
        let link = LinkSignalling.generation(generation, lanes: lanes)
        #expect(link.serializationPicoseconds(write(bytes: payloadBytes)) == picoseconds)
    }

    @Test func ratesAndCodesOfEachGeneration() {
        #expect((1...5).map { LinkSignalling.generation($0, lanes: 1).megatransfersPerSecond } == [2_500, 5_000, 8_000, 16_000, 32_000])
        #expect(LinkSignalling.generation(2, lanes: 1).encoding == .eightTenBit)
        #expect(LinkSignalling.generation(4, lanes: 1).encoding == .oneTwentyEightOneThirtyBit)
        #expect(LinkSignalling.generation(4, lanes: 1).framingBytes == 8)
    }
}
