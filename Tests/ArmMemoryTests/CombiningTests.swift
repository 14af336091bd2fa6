import Testing
import ArmMemory

// Short names so the tables below read like docs/domain.md §2.
private let nGnRnE = MemoryType.deviceNGnRnE
private let nGnRE = MemoryType.deviceNGnRE
private let nGRE = MemoryType.deviceNGRE
private let GRE = MemoryType.deviceGRE
private let NC = MemoryType.normalNC
private let WT = MemoryType.normalWT
private let WB = MemoryType.normalWB

private let stage1Rows: [MemoryType] = [nGnRnE, nGnRE, nGRE, GRE, NC, WT, WB]

/// One cell of a combining table: stage 1, stage 2, expected effective type.
struct Cell: CustomTestStringConvertible, Sendable {
    let stage1: MemoryType
    let stage2: Stage2Attribute
    let expected: MemoryType
    var testDescription: String { "\(stage1) + \(stage2) = \(expected)" }
}

private func cells(columns: [Stage2Attribute], table: [[MemoryType]]) -> [Cell] {
    zip(stage1Rows, table).flatMap { stage1, row in
        zip(columns, row).map { Cell(stage1: stage1, stage2: $0, expected: $1) }
    }
}

/// docs/domain.md §2, HCR_EL2.FWB = 0, copied cell by cell.
private let fwb0Table = cells(
    columns: [0b0000, 0b0001, 0b0010, 0b0011, 0b0101, 0b1010, 0b1111].map { Stage2Attribute(memAttr: $0, fwb: false)! },
    table: [
        //           0000    0001   0010  0011  0101 1010 1111
        /* nGnRnE */ [nGnRnE, nGnRnE, nGnRnE, nGnRnE, nGnRnE, nGnRnE, nGnRnE],
        /* nGnRE  */ [nGnRnE, nGnRE, nGnRE, nGnRE, nGnRE, nGnRE, nGnRE],
        /* nGRE   */ [nGnRnE, nGnRE, nGRE, nGRE, nGRE, nGRE, nGRE],
        /* GRE    */ [nGnRnE, nGnRE, nGRE, GRE, GRE, GRE, GRE],
        /* NC     */ [nGnRnE, nGnRE, nGRE, GRE, NC, NC, NC],
        /* WT     */ [nGnRnE, nGnRE, nGRE, GRE, NC, WT, WT],
        /* WB     */ [nGnRnE, nGnRE, nGRE, GRE, NC, WT, WB],
    ])

/// docs/domain.md §2, HCR_EL2.FWB = 1: `0xx` Device combined, `101` Normal to NC, `110` WB, `111` S1.
private let fwb1Table = cells(
    columns: [0b000, 0b001, 0b010, 0b011, 0b101, 0b110, 0b111].map { Stage2Attribute(memAttr: $0, fwb: true)! },
    table: [
        //           000     001     010     011     101     110  111
        /* nGnRnE */ [nGnRnE, nGnRnE, nGnRnE, nGnRnE, nGnRnE, WB, nGnRnE],
        /* nGnRE  */ [nGnRnE, nGnRE, nGnRE, nGnRE, nGnRE, WB, nGnRE],
        /* nGRE   */ [nGnRnE, nGnRE, nGRE, nGRE, nGRE, WB, nGRE],
        /* GRE    */ [nGnRnE, nGnRE, nGRE, GRE, GRE, WB, GRE],
        /* NC     */ [nGnRnE, nGnRE, nGRE, GRE, NC, WB, NC],
        /* WT     */ [nGnRnE, nGnRE, nGRE, GRE, NC, WB, WT],
        /* WB     */ [nGnRnE, nGnRE, nGRE, GRE, NC, WB, WB],
    ])

@Suite struct CombiningTests {
    @Test(arguments: fwb0Table)
    func fwb0(cell: Cell) {
        #expect(!cell.stage2.isFWB)
        #expect(MemoryType.combine(stage1: cell.stage1, stage2: cell.stage2) == cell.expected)
    }

    @Test(arguments: fwb1Table)
    func fwb1(cell: Cell) {
        #expect(cell.stage2.isFWB)
        #expect(MemoryType.combine(stage1: cell.stage1, stage2: cell.stage2) == cell.expected)
    }

    @Test func tablesAreComplete() {
        #expect(fwb0Table.count == 49)
        #expect(fwb1Table.count == 49)
    }
}
