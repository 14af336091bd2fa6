import Foundation
import Testing
import ArmMemory

@Suite struct AttributeTableTests {
    @Test func barTableForTheKVMPolicies() {
        let table = AttributeTable(policies: [.kvmDevice, .kvmNormalNC, .fwbS1Wins], region: .bar)
        #expect(table.columns.map(\.stage2) == [.type(.deviceNGnRE), .type(.normalNC), .fwb(.stage1)])
        #expect(table.rows.map(\.guest) == MemoryType.allCases)
        #expect(table.rows.map(\.effective) == [
            [.deviceNGnRnE, .deviceNGnRnE, .deviceNGnRnE],
            [.deviceNGnRE, .deviceNGnRE, .deviceNGnRE],
            [.deviceNGnRE, .deviceNGRE, .deviceNGRE],
            [.deviceNGnRE, .deviceGRE, .deviceGRE],
            [.deviceNGnRE, .normalNC, .normalNC],
            [.deviceNGnRE, .normalNC, .normalWT],
            [.deviceNGnRE, .normalNC, .normalWB],
        ])
    }

    @Test func encodesNamesAsJSON() throws {
        let table = AttributeTable(policies: [.vmmMirror], region: .bar, vmmStage1: .normalNC)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(table), as: UTF8.self)
        #expect(json.hasPrefix(#"{"columns":[{"fwb":false,"policy":"vmm-mirror","stage2":"normal-nc"}],"region":"bar","#))
        #expect(json.contains(#"{"effective":["device-ngnrne"],"guest":"device-ngnrne"}"#))
        #expect(json.hasSuffix(#""vmmStage1":"normal-nc"}"#))
    }
}
