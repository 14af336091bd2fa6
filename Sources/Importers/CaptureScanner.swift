import Diagnostics
import MMIOTrace

/// A capture's file name, held by a parser and lent to each line's ``CaptureScanner`` without a
/// reference count: a scanner that held the name's `String` retained and released it for every
/// line, 3-5% of an import.
final class CaptureFileName {
    let text: String
    init(_ text: String) { self.text = text }
}

/// A capture grammar whose lines are read with ``CaptureScanner``: it holds its file name as the
/// ``CaptureFileName`` the scanners borrow, and `fileName` is that name.
protocol CaptureLineParser: ChunkedLineParser {
    var file: CaptureFileName { get set }
}

extension CaptureLineParser {
    /// Setting it gives this copy of the grammar a name of its own (as each parsing thread's).
    var fileName: String {
        get { file.text }
        set { file = CaptureFileName(newValue) }
    }
}

/// A cursor over the bytes of one capture line, with the lexers the importers share. Positions
/// are byte offsets; columns reported to users are `position + 1`.
struct CaptureScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0
    /// The file the bytes come from, for errors: its holder outlives the scanner, which lives
    /// while one line is read.
    private unowned(unsafe) let fileName: CaptureFileName
    /// The 1-based line the bytes come from, for errors.
    let line: Int

    init(_ bytes: UnsafeBufferPointer<UInt8>, file: CaptureFileName, line: Int) {
        self.bytes = bytes
        fileName = file
        self.line = line
    }

    var file: String { fileName.text }

    func location(_ position: Int) -> SourceLocation { SourceLocation(file: file, line: line, column: position + 1) }

    /// `expected <what>, found '<text of range>'` at the range.
    func expected(_ what: String, _ range: Range<Int>, choices: [String] = []) -> InputError {
        InputError(location(range.lowerBound), expected: what, found: text(range), choices: choices)
    }

    /// The next token, converted by `parse`; an error saying `what` was expected when it fails.
    mutating func field<T>(_ what: String, _ parse: (CaptureScanner, Range<Int>) -> T?) throws(InputError) -> (T, Range<Int>) {
        let range = token()
        guard let value = parse(self, range) else { throw expected(what, range) }
        return (value, range)
    }

    /// Throws unless only blanks remain.
    func expectEnd() throws(InputError) {
        var s = self
        let extra = s.token()
        guard extra.isEmpty else { throw expected("end of line", extra) }
    }

    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }

    var atEnd: Bool { position >= bytes.count }

    /// Whether only blanks remain.
    var restIsBlank: Bool { bytes[position...].allSatisfy(Self.isSpace) }

    mutating func skipSpaces() {
        while position < bytes.count, Self.isSpace(bytes[position]) { position += 1 }
    }

    /// Skips blanks, then returns the run of non-blank bytes (empty at the end of the line).
    mutating func token() -> Range<Int> {
        skipSpaces()
        let start = position
        while position < bytes.count, !Self.isSpace(bytes[position]) { position += 1 }
        return start..<position
    }

    /// The text of a byte range, for messages and names.
    func text(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    /// The text from `start` to the end of the line, without trailing blanks.
    func rest(from start: Int) -> String { text(restRange(from: start)) }

    /// Where ``rest(from:)``'s text lies in the line.
    func restRange(from start: Int) -> Range<Int> {
        var end = bytes.count
        while end > start, Self.isSpace(bytes[end - 1]) { end -= 1 }
        return start..<max(start, end)
    }

    /// Whether the bytes in `range` equal the ASCII `literal`.
    @inline(__always) func matches(_ range: Range<Int>, _ literal: StaticString) -> Bool { bytes.matches(range, literal) }

    /// Whether the bytes in `range` equal `name`.
    @inline(__always) func matches(_ range: Range<Int>, _ name: [UInt8]) -> Bool { bytes.matches(range, name) }

    /// An unsigned decimal integer occupying all of `range`.
    func decimal(_ range: Range<Int>) -> UInt64? { bytes.decimal(range) }

    /// The next token (``token()``) read as 1–16 hex digits (either case, leading zeros aside)
    /// after a `0x`/`0X` prefix when `prefixed` (mmiotrace prints PCIDEV fields without one):
    /// found and decoded in one pass over its bytes. The value is nil when the token is not that.
    mutating func hexToken(prefixed: Bool = true) -> (value: UInt64?, range: Range<Int>) {
        skipSpaces()
        let start = position
        var p = start
        var valid = true
        if prefixed {
            valid = bytes.count - p >= 2 && bytes[p] == 0x30 && bytes[p + 1] | 0x20 == 0x78
            if valid { p += 2 }
        }
        let digits = p
        // A space, a tab or the end stops a token, and none is a hex digit.
        let value: UInt64
        (value, p) = bytes.hexDigits(from: p)
        if p < bytes.count, !Self.isSpace(bytes[p]) {
            valid = false
            while p < bytes.count, !Self.isSpace(bytes[p]) { p += 1 }
        }
        position = p
        var count = p - digits
        if count > 16 {
            // Leading zeros do not count; the value of more than 16 digits overflowed.
            var first = digits
            while first < p, bytes[first] == 0x30 { first += 1 }
            count = p - first
        }
        return (valid && p > digits && count <= 16 ? value : nil, start..<p)
    }

    /// ``hexToken(prefixed:)``, or an error saying `what` was expected.
    mutating func hexField(_ what: String, prefixed: Bool = true) throws(InputError) -> (UInt64, Range<Int>) {
        let (value, range) = hexToken(prefixed: prefixed)
        guard let value else { throw expected(what, range) }
        return (value, range)
    }

    /// The next token as an unsigned decimal integer, or an error saying `what` was expected.
    mutating func decimalField(_ what: String) throws(InputError) -> (UInt64, Range<Int>) {
        try field(what) { s, r in s.decimal(r) }
    }

    /// `secs.fraction` (1–9 fraction digits, usually 6) occupying all of `range`, in nanoseconds.
    func timestamp(_ range: Range<Int>) -> UInt64? {
        guard let dot = range.firstIndex(where: { bytes[$0] == UInt8(ascii: ".") }),
              let secs = decimal(range.lowerBound..<dot), secs < 18_000_000_000 else { return nil }
        let fraction = (dot + 1)..<range.upperBound
        guard (1...9).contains(fraction.count), let digits = decimal(fraction) else { return nil }
        var scale: UInt64 = 1
        for _ in fraction.count..<9 { scale *= 10 }
        return secs * 1_000_000_000 + digits * scale
    }
}
