import Foundation
import Diagnostics
import Testing
import TestSupport
@testable import MMIOTrace

@Suite struct MTraceErrorTests {
    static let header = """
        mtrace 1
        device nvme0 bdf=0000:01:00.0 model=nvme
        region bar0 device=nvme0 kind=bar base=0xfe400000 size=0x4000

        """

    /// One bad input per kind of mistake, named for the golden file.
    static let cases: [(name: String, text: String)] = [
        ("missing header", "device d model=x\n"),
        ("empty file", ""),
        ("only comments", "# nothing here\n\n"),
        ("signed pci address", "mtrace 1\ndevice d bdf=+1:00.0\n"),
        ("wrong version", "mtrace 2\n"),
        ("misspelled directive", "mtrace 1\ndevcie d\n"),
        ("unknown region key", "mtrace 1\ndevice d\nregion r device=d kind=bar base=0x0 size=0x10 prefetchible=yes\n"),
        ("misspelled region kind", "mtrace 1\ndevice d\nregion r device=d kind=baar base=0x0 size=0x10\n"),
        ("bar index out of range", "mtrace 1\ndevice d\nregion r device=d kind=bar base=0x0 size=0x10 bar=6\n"),
        ("region missing keys", "mtrace 1\ndevice d\nregion r device=d kind=bar\n"),
        ("overlapping regions", header + "region bar1 device=nvme0 kind=bar base=0xfe402000 size=0x4000\n"),
        ("device declared twice", "mtrace 1\ndevice d\ndevice e\ndevice d model=nvme\n"),
        ("region declared twice", header + "region bar0 device=nvme0 kind=bar base=0xfe500000 size=0x10\n"),
        ("misspelled memory type", header + "map vm0 bar0 device-ngnr\n"),
        ("bad pci address", "mtrace 1\ndevice d bdf=01:20.0\n"),
        ("misspelled event kind", header + "10 vcpu0 wrte bar0+0x0 4 0x1\n"),
        ("bad timestamp", header + "1o vcpu0 write bar0+0x0 4 0x1\n"),
        ("bad agent", header + "10 vpcu0 write bar0+0x0 4 0x1\n"),
        ("unknown region", header + "10 vcpu0 write bra0+0x0 4 0x1\n"),
        ("bad size", header + "10 vcpu0 write bar0+0x0 3x 0x1\n"),
        ("size too large", header + "10 vcpu0 write bar0+0x0 128 0x1\n"),
        ("value too wide", header + "10 vcpu0 write bar0+0x0 1 0x100\n"),
        ("decimal value", header + "10 vcpu0 write bar0+0x0 4 17\n"),
        ("missing value", header + "10 vcpu0 write bar0+0x0 4\n"),
        ("read without arrow", header + "10 vcpu0 read bar0+0x0 4 0x1\n"),
        ("trailing junk", header + "10 vcpu0 isb now\n"),
        ("bad barrier option", header + "10 vcpu0 dmb ishh\n"),
        ("exit by host", header + "10 host exit\n"),
        ("unmap by vcpu", header + "10 vcpu0 unmap bar0\n"),
        ("bad tlbi op", header + "10 host tlbi ipas2e1\n"),
        ("config offset too large", header + "10 vmm cfg-write nvme0 0x1000 4 0x0\n"),
        ("config size", header + "10 vmm cfg-read nvme0 0x0 8\n"),
        ("misspelled reset", header + "10 host reset flrr nvme0\n"),
        ("directive after events", header + "10 vcpu0 isb\nregion late device=nvme0 kind=bar base=0x0 size=0x10\n"),
        ("address overflow", header + "10 vcpu0 read 0x10000000000000000 4\n"),
        ("timestamp overflow", header + "99999999999999999999 vcpu0 isb\n"),
        ("binary garbage", header + "10 vcpu0 \u{1}\u{7f}\u{e9}\n"),
    ]

    @Test func everyBadInputGetsALocatedMessage() throws {
        var transcript = ""
        for (name, text) in Self.cases {
            transcript += "== \(name)\n"
            do {
                let (_, events) = try readAll(text, fileName: "bad.mtrace")
                transcript += "accepted \(events.count) events (expected an error)\n"
                Issue.record("\(name): accepted")
            } catch let error as InputError {
                transcript += "\(error)\n"
                #expect(error.location.file == "bad.mtrace" && error.location.line >= 1 && error.location.column >= 1, "\(name)")
            }
        }
        try Golden.expect(transcript, matches: Fixtures.path("errors.golden"))
    }

    @Test func lineNumbersCountCommentsAndBlankLines() throws {
        let text = "# c\n\nmtrace 1\n# c\n\n  \nfoo\n"
        #expect(throws: InputError.self) { try readAll(text) }
        do { _ = try readAll(text) } catch let error as InputError {
            #expect(error.location.line == 7 && error.location.column == 1)
        }
    }

    @Test func overlongLinesAreRejectedNotBuffered() throws {
        let text = Self.header + "10 vcpu0 mark " + String(repeating: "x", count: 1 << 21) + "\n"
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("long-\(UInt32.random(in: 0...UInt32.max)).mtrace").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = #expect(throws: InputError.self) {
            let reader = try MTraceReader(path: path)
            while try reader.next() != nil {}
        }
        #expect(error?.location.line == 4)
        #expect(error?.message == "line longer than 1048576 bytes")
    }

    @Test func missingFilesAreReportedAsUnavailable() {
        #expect(throws: InputUnavailableError.self) { _ = try MTraceReader(path: "/nonexistent/trace.mtrace") }
        #expect(throws: InputUnavailableError.self) { _ = try MTraceReader(path: "/") }
    }

    /// Random printable (and some non-printable) input never crashes the reader: it either
    /// parses or throws a located error. Mutations of valid text reach deep into the grammar.
    @Test(arguments: 0..<200)
    func arbitraryInputNeverCrashes(seed: Int) throws {
        var rng = TestRandom(seed: UInt64(seed) &* 7919)
        let valid = Array(try Fixtures.text("canonical.mtrace").utf8)
        var bytes: [UInt8]
        if seed % 2 == 0 {
            bytes = valid
            for _ in 0..<(1 + Int(rng.below(12))) {
                let at = Int(rng.below(UInt64(bytes.count)))
                switch rng.below(4) {
                case 0: bytes[at] = UInt8(0x20 + rng.below(0x5f))
                case 1: bytes.insert(UInt8(0x20 + rng.below(0x5f)), at: at)
                case 2: bytes.remove(at: at)
                default: bytes[at] = UInt8(truncatingIfNeeded: rng.next())
                }
            }
        } else {
            let alphabet = Array(" \t\n#+-=>.0123456789abcdefxvcpumhostwrite".utf8)
            bytes = Array("mtrace 1\n".utf8) + (0..<Int(rng.below(2000))).map { _ in
                rng.below(10) == 0 ? UInt8(0x20 + rng.below(0x5f)) : alphabet[Int(rng.below(UInt64(alphabet.count)))]
            }
        }
        do {
            let reader = try MTraceReader(bytes: bytes, fileName: "fuzz")
            while try reader.next() != nil {}
        } catch let error as InputError {
            #expect(error.location.line >= 1, "seed \(seed)")
        }
    }
}
