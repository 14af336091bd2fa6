import Testing
import ArmMemory

@Suite struct Stage2AttributeTests {
    @Test func linuxEncodings() {
        #expect(Stage2Attribute(memAttr: 0x1, fwb: false) == .type(.deviceNGnRE))
        #expect(Stage2Attribute(memAttr: 0x5, fwb: false) == .type(.normalNC))
        #expect(Stage2Attribute(memAttr: 0xf, fwb: false) == .type(.normalWB))
        #expect(Stage2Attribute(memAttr: 1, fwb: true) == .fwb(.deviceNGnRE))
        #expect(Stage2Attribute(memAttr: 5, fwb: true) == .fwb(.normalNC))
        #expect(Stage2Attribute(memAttr: 6, fwb: true) == .fwb(.forceWriteBack))
    }

    @Test func fwb0DecodesEveryValue() {
        let decoded = (0...15).map { Stage2Attribute(memAttr: UInt8($0), fwb: false)?.name }
        #expect(decoded == [
            "device-ngnrne", "device-ngnre", "device-ngre", "device-gre",
            nil, "normal-nc", "normal-nc", "normal-nc",
            nil, "normal-nc", "normal-wt", "normal-wt",
            nil, "normal-nc", "normal-wt", "normal-wb",
        ])
        #expect(Stage2Attribute(memAttr: 0x10, fwb: false) == nil)
    }

    @Test func fwb1ReservesOneHundred() {
        let decoded = (0...8).map { Stage2Attribute(memAttr: UInt8($0), fwb: true)?.name }
        #expect(decoded == ["fwb-000", "fwb-001", "fwb-010", "fwb-011", nil, "fwb-101", "fwb-110", "fwb-111", nil])
    }

    @Test(arguments: Stage2Attribute.allCases)
    func encodingRoundTrips(attribute: Stage2Attribute) {
        #expect(Stage2Attribute(memAttr: attribute.memAttr, fwb: attribute.isFWB) == attribute)
        #expect(Stage2Attribute(name: attribute.name) == attribute)
        #expect(Stage2Attribute(name: attribute.name.uppercased()) == attribute)
    }

    @Test func spellings() {
        #expect(Stage2Attribute(spelling: "Normal-NC", fwb: false) == .type(.normalNC))
        #expect(Stage2Attribute(spelling: "0b0101", fwb: false) == .type(.normalNC))
        #expect(Stage2Attribute(spelling: "0x5", fwb: true) == .fwb(.normalNC))
        #expect(Stage2Attribute(spelling: "0b110", fwb: true) == .fwb(.forceWriteBack))
        #expect(Stage2Attribute(spelling: "fwb-111", fwb: false) == .fwb(.stage1))
        #expect(Stage2Attribute(spelling: "0x4", fwb: true) == nil)
        #expect(Stage2Attribute(spelling: "0b", fwb: false) == nil)
        #expect(Stage2Attribute(spelling: "0x1ff", fwb: false) == nil)
        #expect(Stage2Attribute(spelling: "fwb-100", fwb: true) == nil)
    }
}
