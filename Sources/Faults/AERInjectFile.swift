import Diagnostics
import MMIOTrace
import PCIeTransport

/// aer-inject error files (docs/importers.md §5) read as faults on a device's next TLP.
///
/// ```
/// AER
/// PCI_ID 0000:01:00.0              # or DOMAIN n BUS n DEV n FN n, or BUS n DEV n FN n
/// UNCOR_STATUS COMP_TIME | UNSUP   # also UNCOR, UNCORRECTABLE
/// COR_STATUS BAD_TLP               # also COR, CORRECTABLE
/// HEADER_LOG 0 1 2 3               # also HL
/// ```
///
/// As in aer-inject's own lexer and grammar, line breaks are blanks, `#` starts a comment to the
/// end of the line, keywords are case-insensitive, numbers are C-style (`0x1f`, `017`, `15`),
/// and each `AER` starts a new injection. Names in a status list are separated by blanks or `|`.
///
/// Each uncorrectable name becomes a fault on the next TLP of the device the kind applies to
/// (`.tlp(TLPMatch(bdf:), .first)`), located at the name (`docs/faults.md` has the table):
/// `UNSUP` → UR, `COMP_ABORT` → CA, `COMP_TIME` → completion-timeout, `POISON_TLP` → poisoned
/// (a poisoned completion on a read, a poisoned write on a write), `MALF_TLP`, `FCP`, `RX_OVER`
/// → malformed (a fatal error that loses the TLP), `ECRC` → ECRC, `UNX_COMP` →
/// unexpected-completion, `DLP`, `TRAIN` and `SURPDN` (not in aer-inject; accepted) → link-down
/// until the end. The correctable names give one ``FaultKind/correctable`` fault per block.
/// Names that map to the same kind give one fault. `HEADER_LOG` is checked and not used: the
/// engine logs the header of the TLP it injects into.
public enum AERInjectFile {
    /// The uncorrectable error names, in aer-inject's order, and the fault kind each becomes.
    static let uncorrectable: [(name: String, kind: FaultKind)] = [
        ("TRAIN", .linkDown), ("DLP", .linkDown), ("SURPDN", .linkDown), ("POISON_TLP", .poisoned), ("FCP", .malformed),
        ("COMP_TIME", .completionTimeout), ("COMP_ABORT", .ca), ("UNX_COMP", .unexpectedCompletion), ("RX_OVER", .malformed),
        ("MALF_TLP", .malformed), ("ECRC", .ecrc), ("UNSUP", .ur),
    ]
    /// The correctable error names.
    static let correctable = ["RCVR", "BAD_TLP", "BAD_DLLP", "REP_ROLL", "REP_TIMER"]

    /// Reads the faults of an aer-inject file.
    ///
    /// - Parameters:
    ///   - text: The file's text.
    ///   - file: The file name to put in locations.
    /// - Returns: The faults of every `AER` block, in file order.
    /// - Throws: ``InputError`` at `file:line:column` for an unknown keyword or error name (with
    ///   a did-you-mean), a bad number or PCI address, a missing `AER`, a block with no device,
    ///   two devices, or no error name, and an empty file.
    public static func parse(text: String, file: String) throws(InputError) -> [Fault] {
        var parser = AERInjectParser(text: text, file: file)
        return try parser.faults()
    }
}

/// A word of an aer-inject file: a keyword, name, number or PCI address, or a `|`.
private struct AERWord {
    var text: String
    var location: SourceLocation
    var upper: String { text.uppercased() }
}

private struct AERInjectParser {
    static let statements = ["AER", "PCI_ID", "DOMAIN", "BUS", "UNCOR_STATUS", "UNCOR", "UNCORRECTABLE",
                             "COR_STATUS", "COR", "CORRECTABLE", "HEADER_LOG", "HL"]
    static let statementList = "a statement (AER, PCI_ID, DOMAIN, BUS, UNCOR_STATUS, COR_STATUS, HEADER_LOG)"

    private let words: [AERWord]
    private var index = 0
    private let end: SourceLocation

    init(text: String, file: String) {
        var line = 1
        var lineStart = 0
        var start: Int?
        var found: [AERWord] = []
        let bytes = Array(text.utf8)
        var i = 0
        func flush(_ upTo: Int) {
            guard let s = start else { return }
            found.append(AERWord(text: String(decoding: bytes[s..<upTo], as: UTF8.self),
                                 location: SourceLocation(file: file, line: line, column: s - lineStart + 1)))
            start = nil
        }
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x09, 0x0d:
                flush(i)
            case 0x0a:
                flush(i)
                line += 1
                lineStart = i + 1
            case UInt8(ascii: "#"):
                flush(i)
                while i + 1 < bytes.count, bytes[i + 1] != 0x0a { i += 1 }
            case UInt8(ascii: "|"):
                flush(i)
                found.append(AERWord(text: "|", location: SourceLocation(file: file, line: line, column: i - lineStart + 1)))
            default:
                if start == nil { start = i }
            }
            i += 1
        }
        flush(bytes.count)
        words = found
        end = SourceLocation(file: file, line: line, column: bytes.count - lineStart + 1)
    }

    private mutating func next() -> AERWord? {
        guard index < words.count else { return nil }
        defer { index += 1 }
        return words[index]
    }

    private func peek() -> AERWord? { index < words.count ? words[index] : nil }

    private func error(_ word: AERWord?, expected: String, choices: [String] = []) -> InputError {
        guard let word else { return InputError(end, "expected \(expected), found end of file") }
        return InputError(word.location, expected: expected, found: word.text, choices: choices)
    }

    mutating func faults() throws(InputError) -> [Fault] {
        var faults: [Fault] = []
        guard peek() != nil else { throw error(nil, expected: "'AER'") }
        while let aer = next() {
            guard aer.upper == "AER" else { throw error(aer, expected: "'AER' to start an injection", choices: ["AER"]) }
            faults += try block(aer)
        }
        return faults
    }

    /// The statements after one `AER`, up to the next `AER` or the end, as faults.
    private mutating func block(_ aer: AERWord) throws(InputError) -> [Fault] {
        var device: PCIAddress?
        var named: [(kind: FaultKind, location: SourceLocation)] = []
        var statements = 0
        while let word = peek(), word.upper != "AER" {
            _ = next()
            statements += 1
            switch word.upper {
            case "PCI_ID", "DOMAIN", "BUS":
                guard device == nil else { throw error(word, expected: "one device per AER block") }
                device = try address(word)
            case "UNCOR_STATUS", "UNCOR", "UNCORRECTABLE":
                named += try statusList(uncorrectable: true)
            case "COR_STATUS", "COR", "CORRECTABLE":
                named += try statusList(uncorrectable: false)
            case "HEADER_LOG", "HL":
                for _ in 0..<4 { _ = try number(max: UInt64(UInt32.max), what: "a header log word (32 bits)") }
            default:
                let choices = Self.statements + AERInjectFile.uncorrectable.map(\.name) + AERInjectFile.correctable
                throw error(word, expected: Self.statementList, choices: choices)
            }
        }
        guard statements > 0 else { throw error(peek(), expected: Self.statementList) }
        guard let device else {
            throw InputError(aer.location, "expected a device (PCI_ID, DOMAIN or BUS) in this AER block, found none")
        }
        guard !named.isEmpty else {
            throw InputError(aer.location, "expected an error name under UNCOR_STATUS or COR_STATUS in this AER block, found none")
        }
        var faults: [Fault] = []
        for (kind, location) in named {
            let fault = Fault(kind: kind, site: .tlp(TLPMatch(bdf: device), .first), location: location)
            if !faults.contains(fault) { faults.append(fault) }
        }
        return faults
    }

    /// The error names after `UNCOR_STATUS` or `COR_STATUS`, separated by blanks or `|`, each
    /// with the kind it becomes.
    private mutating func statusList(uncorrectable: Bool) throws(InputError) -> [(kind: FaultKind, location: SourceLocation)] {
        let names = uncorrectable ? AERInjectFile.uncorrectable.map(\.name) : AERInjectFile.correctable
        let other = uncorrectable ? AERInjectFile.correctable : AERInjectFile.uncorrectable.map(\.name)
        let expected = "\(uncorrectable ? "an uncorrectable" : "a correctable") error name (\(names.joined(separator: ", ")))"
        var list: [(kind: FaultKind, location: SourceLocation)] = []
        var needName = false
        while let word = peek() {
            if word.text == "|" {
                guard !list.isEmpty, !needName else { throw error(word, expected: expected) }
                needName = true
            } else if let entry = AERInjectFile.uncorrectable.first(where: { $0.name == word.upper }), uncorrectable {
                list.append((entry.kind, word.location))
                needName = false
            } else if !uncorrectable, AERInjectFile.correctable.contains(word.upper) {
                list.append((.correctable, word.location))
                needName = false
            } else if other.contains(word.upper) {
                let statement = uncorrectable ? "COR_STATUS" : "UNCOR_STATUS"
                throw error(word, expected: expected + " (\(word.upper) belongs under \(statement))")
            } else if !needName, Self.statements.contains(word.upper) {
                break
            } else {
                throw error(word, expected: expected, choices: names)
            }
            _ = next()
        }
        if needName { throw error(peek(), expected: expected) }
        return list
    }

    /// The device after `PCI_ID`, or after `DOMAIN n` / `BUS n` as `[DOMAIN n] BUS n DEV n FN n`.
    private mutating func address(_ keyword: AERWord) throws(InputError) -> PCIAddress {
        if keyword.upper == "PCI_ID" {
            let word = next()
            guard let word, word.text.contains(":"), let address = PCIAddress(parsing: word.text) else {
                throw error(word, expected: "a PCI address [WWWW:]BB:DD.F like 0000:01:00.0 (device below 0x20, function below 8)")
            }
            return address
        }
        var domain: UInt64 = 0
        if keyword.upper == "DOMAIN" {
            domain = try number(max: 0xffff, what: "a PCI domain")
            try self.keyword("BUS")
        }
        let bus = try number(max: 0xff, what: "a bus number")
        try self.keyword("DEV")
        let device = try number(max: 0x1f, what: "a device number")
        try self.keyword("FN")
        let function = try number(max: 7, what: "a function number")
        return PCIAddress(domain: UInt16(domain), bus: UInt8(bus), device: UInt8(device), function: UInt8(function))
    }

    private mutating func keyword(_ expected: String) throws(InputError) {
        let word = next()
        guard word?.upper == expected else { throw error(word, expected: "'\(expected)'", choices: [expected]) }
    }

    /// A C-style number (`0x1f`, `017`, `15`) at most `max`.
    private mutating func number(max: UInt64, what: String) throws(InputError) -> UInt64 {
        let word = next()
        let range = max == UInt64(UInt32.max) ? "0...0xffffffff" : "0...\(max)"
        guard let word, let value = Self.cNumber(word.text), value <= max else {
            throw error(word, expected: "\(what), a C-style number \(range) (0x1f, 017 or 15)")
        }
        return value
    }

    /// `0x` hex, `0` octal, or decimal, as `strtoull(s, NULL, 0)` reads a whole word.
    static func cNumber(_ text: String) -> UInt64? {
        let lower = text.lowercased()
        if lower.hasPrefix("0x") {
            let digits = lower.dropFirst(2)
            guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 &- 0x30 < 10 || $0 &- 0x61 < 6 }) else { return nil }
            return UInt64(digits, radix: 16)
        }
        guard !lower.isEmpty, lower.utf8.allSatisfy({ $0 &- 0x30 < 10 }) else { return nil }
        return lower.hasPrefix("0") && lower.count > 1 ? UInt64(lower.dropFirst(), radix: 8) : UInt64(lower, radix: 10)
    }
}
