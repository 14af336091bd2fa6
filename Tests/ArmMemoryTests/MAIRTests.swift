import Testing
import ArmMemory

@Suite struct MAIRTests {
    @Test(arguments: MemoryType.allCases)
    func encodeDecodeRoundTrips(type: MemoryType) {
        #expect(MemoryType(mair: type.mairByte) == type)
    }

    @Test func canonicalBytes() {
        #expect(MemoryType.allCases.map(\.mairByte) == [0x00, 0x04, 0x08, 0x0c, 0x44, 0xbb, 0xff])
    }

    @Test func everyByteDecodesWithoutCrashing() {
        let decoded = (0...255).compactMap { MemoryType(mair: UInt8($0)) }
        // Device: 4 dd00 + 4 dd01 (FEAT_XS). Normal: 15 x 15 nibble pairs, plus 0x40, 0xa0, 0xf0.
        #expect(decoded.count == 8 + 225 + 3)
    }

    @Test(arguments: [
        (0x05, MemoryType.deviceNGnRE), (0x0d, .deviceGRE), (0x40, .normalNC), (0xa0, .normalWT),
        (0xf0, .normalWB), (0x4f, .normalNC), (0xf4, .normalNC), (0xaa, .normalWT), (0x77, .normalWB),
        (0x11, .normalWT), (0xbf, .normalWT), (0xee, .normalWB),
    ] as [(UInt8, MemoryType)])
    func spotChecks(byte: UInt8, expected: MemoryType) {
        #expect(MemoryType(mair: byte) == expected)
    }

    @Test(arguments: [0x02, 0x03, 0x06, 0x0e, 0x0f, 0x10, 0x50, 0x80, 0xb0, 0xc0] as [UInt8])
    func reservedBytesDecodeToNil(byte: UInt8) {
        #expect(MemoryType(mair: byte) == nil)
    }
}
