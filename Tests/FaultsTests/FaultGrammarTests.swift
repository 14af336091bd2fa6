import Diagnostics
import Faults
import MMIOTrace
import PCIeTransport
import Testing

let cli = SourceLocation(file: "<command line>", line: 1, column: 1)

@Suite struct FaultGrammarTests {
    /// The grammar's examples (docs/faults.md) and the faults they denote.
    static let examples: [(String, Fault)] = [
        ("CA at bar0+0x44 read",
         Fault(kind: .ca, site: .tlp(TLPMatch(.region("bar0", offsets: 0x44...0x44), request: .memoryRead), .first), location: cli)),
        ("UR at bar0+0x40..0x4f write every",
         Fault(kind: .ur, site: .tlp(TLPMatch(.region("bar0", offsets: 0x40...0x4f), request: .memoryWrite), .every), location: cli)),
        ("poisoned-completion at bar0+0x1c read #3",
         Fault(kind: .poisonedCompletion, site: .tlp(TLPMatch(.region("bar0", offsets: 0x1c...0x1c), request: .memoryRead), .nth(3)),
               location: cli)),
        ("UR at bar0 write every 4",
         Fault(kind: .ur, site: .tlp(TLPMatch(.named("bar0"), request: .memoryWrite), .everyNth(4)), location: cli)),
        ("completion-timeout at nvme0 read",
         Fault(kind: .completionTimeout, site: .tlp(TLPMatch(.named("nvme0"), request: .memoryRead), .first), location: cli)),
        ("UR at event 12", Fault(kind: .ur, site: .event(12), location: cli)),
        ("link-down at 5us for 2ms", Fault(kind: .linkDown, site: .time(nanoseconds: 5_000), duration: 2_000_000, location: cli)),
        ("DPC at 1500ns", Fault(kind: .dpc, site: .time(nanoseconds: 1_500), location: cli)),
        ("CA at cfg nvme0 cfg-read",
         Fault(kind: .ca, site: .tlp(TLPMatch(.config(device: "nvme0", offsets: nil), request: .configRead), .first), location: cli)),
        ("ECRC at 0000:01:00.0",
         Fault(kind: .ecrc, site: .tlp(TLPMatch(bdf: PCIAddress(bus: 1, device: 0, function: 0)), .first), location: cli)),
        ("link-down at nvme0 write #2 for 1s",
         Fault(kind: .linkDown, site: .tlp(TLPMatch(.named("nvme0"), request: .memoryWrite), .nth(2)), duration: 1_000_000_000,
               location: cli)),
        ("malformed at cfg nvme0+0x4..0x7", Fault(kind: .malformed,
                                                  site: .tlp(TLPMatch(.config(device: "nvme0", offsets: 0x4...0x7)), .first),
                                                  location: cli)),
    ]

    @Test(arguments: examples)
    func examplesParse(text: String, fault: Fault) throws {
        let parsed = try Fault.parse(text, location: cli)
        #expect(parsed == fault)
        #expect(parsed.location == cli)
    }

    @Test(arguments: examples.map(\.1))
    func canonicalTextRoundTrips(fault: Fault) throws {
        #expect(try Fault.parse(fault.description, location: cli) == fault)
    }

    /// Kinds, keywords, requests and units in any case and with extra blanks; canonical output.
    @Test(arguments: [
        ("ca AT bar0+0X44 READ", "CA at bar0+0x44 read"),
        ("Poisoned-Completion   at\tbar0+0x1C  Read  #03", "poisoned-completion at bar0+0x1c read #3"),
        ("Link-Down at 5000NS For 2000US", "link-down at 5us for 2ms"),
        ("dpc at EVENT 7 for 1500ms", "DPC at event 7 for 1500ms"),
        ("ur at bar0 first", "UR at bar0"),
        ("UR at bar0 every 1", "UR at bar0 every 1"),
        ("CA at nvme0 # flaky register", "CA at nvme0"),
        ("DPC at 0s", "DPC at 0ns"),
        ("UR at 1:0.3", "UR at 0000:01:00.3"),
    ])
    func spellingsAreCanonicalised(text: String, canonical: String) throws {
        #expect(try Fault.parse(text, location: cli).description == canonical)
    }

    /// Bad specs and the exact error each gives; the location says where the text started.
    @Test(arguments: [
        ("XA at bar0+0x44 read",
         "<trace>:3:7: error: expected a fault kind (UR, CA, poisoned-completion, poisoned-write, poisoned, completion-timeout, "
            + "ECRC, malformed, unexpected-completion, link-down, DPC, decode-miss, correctable), found 'XA'; did you mean 'CA'?"),
        ("", "<trace>:3:7: error: expected a fault kind (UR, CA, poisoned-completion, poisoned-write, poisoned, completion-timeout, "
            + "ECRC, malformed, unexpected-completion, link-down, DPC, decode-miss, correctable), found end of line"),
        ("CA bar0+0x44", "<trace>:3:10: error: expected 'at', found 'bar0+0x44'"),
        ("CA ta bar0", "<trace>:3:10: error: expected 'at', found 'ta'; did you mean 'at'?"),
        ("CA at", "<trace>:3:12: error: expected a site (REGION+0xOFFSET, REGION+0xLOW..0xHIGH, REGION or DEVICE, cfg DEVICE, "
            + "a PCI address like 0000:01:00.0, or event N), found end of line"),
        ("CA at evnt 3", "<trace>:3:13: error: expected a site (REGION+0xOFFSET, REGION+0xLOW..0xHIGH, REGION or DEVICE, cfg DEVICE, "
            + "a PCI address like 0000:01:00.0, or event N), found 'evnt'; did you mean 'event'?"),
        ("CA at bar0+0x44 raed",
         "<trace>:3:23: error: expected a request (read, write, cfg-read, cfg-write), an occurrence (first, every, every N, #N) "
            + "or end of line, found 'raed'; did you mean 'read'?"),
        ("CA at bar0+zz read", "<trace>:3:18: error: expected an offset like 0x44 or a range like 0x40..0x4f, found 'zz'"),
        ("CA at bar0+0x4f..0x40", "<trace>:3:18: error: expected an offset range LOW..HIGH with LOW <= HIGH, found '0x4f..0x40'"),
        ("UR at 5us", "<trace>:3:13: error: expected a TLP or event site for UR (only link-down and DPC take a time), found '5us'"),
        ("UR at bar0 write for 2ms",
         "<trace>:3:24: error: expected an occurrence (first, every, every N, #N) or end of line "
            + "(only link-down and DPC take a duration), found 'for'"),
        ("poisoned-completion at bar0 write",
         "<trace>:3:35: error: expected a request for poisoned-completion at bar0 (read, cfg-read), found 'write'"),
        ("UR at event 0", "<trace>:3:19: error: expected an event number (a decimal integer from 1), found '0'"),
        ("link-down at 5us for 0ms", "<trace>:3:28: error: expected a positive duration, found '0ms'"),
        ("link-down at 5us for", "<trace>:3:27: error: expected a duration like 2ms (an integer and ns, us, ms or s), found end of line"),
        ("link-down at 5usec", "<trace>:3:20: error: expected a time like 5us (an integer and ns, us, ms or s), found '5usec'; did you mean '5us'?"),
        ("link-down at 5 us",
         "<trace>:3:20: error: expected a time like 5us (an integer and ns, us, ms or s), found '5'"),
        ("DPC at 18446744074s", "<trace>:3:14: error: expected a time of at most 18446744073709551615ns, found '18446744074s'"),
        ("UR at bar0 #0", "<trace>:3:19: error: expected a match number after '#' (a decimal integer from 1), found '0'"),
        ("UR at bar0 every 4x", "<trace>:3:24: error: expected a match interval (a decimal integer from 1), found '4x'"),
        ("UR at bar0 every 4 read", "<trace>:3:26: error: expected end of line, found 'read'"),
        ("UR at cfg nvme0 read", "<trace>:3:23: error: expected a request for UR at cfg nvme0 (cfg-read, cfg-write), found 'read'"),
        ("UR at cfg nvme0+0x1000", "<trace>:3:23: error: expected a configuration-space offset 0x0...0xfff, found '0x1000'"),
        ("poisoned-write at cfg nvme0",
         "<trace>:3:25: error: expected a site for poisoned-write (it applies to write only), found 'cfg nvme0'"),
        ("UR at 0000:01:20.0",
         "<trace>:3:13: error: expected a PCI address like 0000:01:00.0 (device below 0x20, function below 8), found '0000:01:20.0'"),
        ("UR at event 12 read", "<trace>:3:22: error: expected end of line, found 'read'"),
        ("DPC at 1500ns fro 2ms", "<trace>:3:21: error: expected 'for DURATION' or end of line, found 'fro'; did you mean 'for'?"),
        ("UR at 3bar", "<trace>:3:13: error: expected a TLP or event site for UR (only link-down and DPC take a time), found '3bar'"),
        ("CA at cgf nvme0 cfg-read", "<trace>:3:13: error: expected a site (REGION+0xOFFSET, REGION+0xLOW..0xHIGH, REGION or DEVICE, "
            + "cfg DEVICE, a PCI address like 0000:01:00.0, or event N), found 'cgf'; did you mean 'cfg'?"),
        ("UR at bar.0", "<trace>:3:13: error: expected a site (REGION+0xOFFSET, REGION+0xLOW..0xHIGH, REGION or DEVICE, cfg DEVICE, "
            + "a PCI address like 0000:01:00.0, or event N), found 'bar.0'"),
    ])
    func badSpecs(text: String, message: String) {
        let header = SourceLocation(file: "<trace>", line: 3, column: 7)
        #expect(throws: InputError.self) { try Fault.parse(text, location: header) }
        do {
            _ = try Fault.parse(text, location: header)
        } catch {
            #expect(error.description == message)
        }
    }
}
