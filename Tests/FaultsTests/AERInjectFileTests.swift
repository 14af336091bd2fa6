import Diagnostics
import Faults
import MMIOTrace
import PCIeTransport
import Testing

@Suite struct AERInjectFileTests {
    static let device = PCIAddress(bus: 1, device: 0, function: 0)
    static let here = SourceLocation(file: "a.txt", line: 1, column: 1)

    static func next(_ kind: FaultKind, _ address: PCIAddress = device) -> Fault {
        Fault(kind: kind, site: .tlp(TLPMatch(bdf: address), .first), location: here)
    }

    /// Every error name and the fault it becomes, located at the name.
    @Test(arguments: [
        ("UNCOR_STATUS", "TRAIN", FaultKind.linkDown), ("UNCOR_STATUS", "DLP", .linkDown), ("UNCOR_STATUS", "SURPDN", .linkDown),
        ("UNCOR_STATUS", "POISON_TLP", .poisoned), ("UNCOR_STATUS", "FCP", .malformed), ("UNCOR_STATUS", "COMP_TIME", .completionTimeout),
        ("UNCOR_STATUS", "COMP_ABORT", .ca), ("UNCOR_STATUS", "UNX_COMP", .unexpectedCompletion), ("UNCOR_STATUS", "RX_OVER", .malformed),
        ("UNCOR_STATUS", "MALF_TLP", .malformed), ("UNCOR_STATUS", "ECRC", .ecrc), ("UNCOR_STATUS", "UNSUP", .ur),
        ("COR_STATUS", "RCVR", .correctable), ("COR_STATUS", "BAD_TLP", .correctable), ("COR_STATUS", "BAD_DLLP", .correctable),
        ("COR_STATUS", "REP_ROLL", .correctable), ("COR_STATUS", "REP_TIMER", .correctable),
    ])
    func everyName(statement: String, name: String, kind: FaultKind) throws {
        let faults = try AERInjectFile.parse(text: "AER\nPCI_ID 0000:01:00.0\n\(statement) \(name)\n", file: "a.txt")
        #expect(faults == [Self.next(kind)])
        #expect(faults.first?.location == SourceLocation(file: "a.txt", line: 3, column: statement.utf8.count + 2))
        #expect(faults.first?.duration == nil)
    }

    @Test(arguments: [
        ("PCI_ID 0000:01:00.0", PCIAddress(bus: 1, device: 0, function: 0)),
        ("PCI_ID 01:00.0", PCIAddress(bus: 1, device: 0, function: 0)),
        ("pci_id 0001:0a:1f.7", PCIAddress(domain: 1, bus: 0xa, device: 0x1f, function: 7)),
        ("DOMAIN 1 BUS 2 DEV 3 FN 4", PCIAddress(domain: 1, bus: 2, device: 3, function: 4)),
        ("BUS 2 DEV 3 FN 4", PCIAddress(bus: 2, device: 3, function: 4)),
        ("domain 0x10 bus 010 dev 31 fn 0", PCIAddress(domain: 16, bus: 8, device: 31, function: 0)),
        ("BUS 0XFF DEV 0x1F FN 07", PCIAddress(bus: 255, device: 31, function: 7)),
    ])
    func deviceForms(line: String, address: PCIAddress) throws {
        #expect(try AERInjectFile.parse(text: "AER\n\(line)\nUNCOR UNSUP\n", file: "a.txt") == [Self.next(.ur, address)])
    }

    @Test func listsCommentsNumbersAndBlocks() throws {
        let faults = try AERInjectFile.parse(text: """
            # inject two errors into the NVMe controller
            aer   # keywords in any case
            PCI_ID 0000:01:00.0
            UNCORRECTABLE COMP_TIME | unsup|ECRC MALF_TLP FCP
            RX_OVER#a comment glued to a name
            CORRECTABLE BAD_TLP|REP_ROLL
            HL 0xffffffff 017 0 4294967295

            AER BUS 2 DEV 0 FN 1 UNCOR POISON_TLP HEADER_LOG 0 0 0 0
            """, file: "a.txt")
        #expect(faults == [Self.next(.completionTimeout), Self.next(.ur), Self.next(.ecrc), Self.next(.malformed),
                           Self.next(.correctable), Self.next(.poisoned, PCIAddress(bus: 2, device: 0, function: 1))])
        #expect(faults.map(\.location.description) == ["a.txt:4:15", "a.txt:4:27", "a.txt:4:33", "a.txt:4:38", "a.txt:6:13", "a.txt:9:28"])
        #expect(faults.map(\.description) == [
            "completion-timeout at 0000:01:00.0", "UR at 0000:01:00.0", "ECRC at 0000:01:00.0", "malformed at 0000:01:00.0",
            "correctable at 0000:01:00.0", "poisoned at 0000:02:00.1",
        ])
    }

    /// Bad files and the exact error each gives.
    @Test(arguments: [
        ("", "a.txt:1:1: error: expected 'AER', found end of file"),
        ("# nothing\n", "a.txt:2:1: error: expected 'AER', found end of file"),
        ("PCI_ID 01:00.0\n", "a.txt:1:1: error: expected 'AER' to start an injection, found 'PCI_ID'"),
        ("AER\nAER\n", "a.txt:2:1: error: expected a statement (AER, PCI_ID, DOMAIN, BUS, UNCOR_STATUS, COR_STATUS, HEADER_LOG), found 'AER'"),
        ("AER\nPCI_ID 01:00.0\nUNCOR_STATS UNSUP\n",
         "a.txt:3:1: error: expected a statement (AER, PCI_ID, DOMAIN, BUS, UNCOR_STATUS, COR_STATUS, HEADER_LOG), "
            + "found 'UNCOR_STATS'; did you mean 'UNCOR_STATUS'?"),
        ("AER\nPCI_ID 01:00.0\nUNCOR_STATUS COMP_TIMR\n",
         "a.txt:3:14: error: expected an uncorrectable error name (TRAIN, DLP, SURPDN, POISON_TLP, FCP, COMP_TIME, COMP_ABORT, "
            + "UNX_COMP, RX_OVER, MALF_TLP, ECRC, UNSUP), found 'COMP_TIMR'; did you mean 'COMP_TIME'?"),
        ("AER\nPCI_ID 01:00.0\nUNCOR_STATUS BAD_TLP\n",
         "a.txt:3:14: error: expected an uncorrectable error name (TRAIN, DLP, SURPDN, POISON_TLP, FCP, COMP_TIME, COMP_ABORT, "
            + "UNX_COMP, RX_OVER, MALF_TLP, ECRC, UNSUP) (BAD_TLP belongs under COR_STATUS), found 'BAD_TLP'"),
        ("AER\nPCI_ID 01:00.0\nUNCOR_STATUS UNSUP |\n",
         "a.txt:4:1: error: expected an uncorrectable error name (TRAIN, DLP, SURPDN, POISON_TLP, FCP, COMP_TIME, COMP_ABORT, "
            + "UNX_COMP, RX_OVER, MALF_TLP, ECRC, UNSUP), found end of file"),
        ("AER\nPCI_ID 01:20.0\nUNCOR UNSUP\n",
         "a.txt:2:8: error: expected a PCI address [WWWW:]BB:DD.F like 0000:01:00.0 (device below 0x20, function below 8), found '01:20.0'"),
        ("AER\nPCI_ID 01.00.0\nUNCOR UNSUP\n",
         "a.txt:2:8: error: expected a PCI address [WWWW:]BB:DD.F like 0000:01:00.0 (device below 0x20, function below 8), found '01.00.0'"),
        ("AER\nBUS 1 DEV 0 FUN 0\nUNCOR UNSUP\n", "a.txt:2:13: error: expected 'FN', found 'FUN'; did you mean 'FN'?"),
        ("AER\nBUS 08 DEV 0 FN 0\n", "a.txt:2:5: error: expected a bus number, a C-style number 0...255 (0x1f, 017 or 15), found '08'"),
        ("AER\nDOMAIN 0x10000 BUS 0 DEV 0 FN 0\n",
         "a.txt:2:8: error: expected a PCI domain, a C-style number 0...65535 (0x1f, 017 or 15), found '0x10000'"),
        ("AER\nPCI_ID 01:00.0\nHL 1 2 3\n",
         "a.txt:4:1: error: expected a header log word (32 bits), a C-style number 0...0xffffffff (0x1f, 017 or 15), found end of file"),
        ("AER\nUNCOR_STATUS UNSUP\n", "a.txt:1:1: error: expected a device (PCI_ID, DOMAIN or BUS) in this AER block, found none"),
        ("AER\nPCI_ID 01:00.0\nHL 0 0 0 0\n",
         "a.txt:1:1: error: expected an error name under UNCOR_STATUS or COR_STATUS in this AER block, found none"),
        ("AER\nPCI_ID 01:00.0\nPCI_ID 02:00.0\nUNCOR UNSUP\n", "a.txt:3:1: error: expected one device per AER block, found 'PCI_ID'"),
    ])
    func badFiles(text: String, message: String) {
        #expect(throws: InputError.self) { try AERInjectFile.parse(text: text, file: "a.txt") }
        do {
            _ = try AERInjectFile.parse(text: text, file: "a.txt")
        } catch {
            #expect(error.description == message)
        }
    }
}
