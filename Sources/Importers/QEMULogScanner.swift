import Diagnostics
import MMIOTrace
import PCIeTransport

/// A cursor over one line of a QEMU log, with the lexers its event formats need. Every failure
/// is an ``InputError`` at the offending byte (columns are `position + 1`).
///
/// Lenient where logs are: a space in an expected literal matches a run of spaces or tabs, and
/// hexadecimal digits and the `0x` prefix may be upper case.
struct QEMULogScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0
    /// Borrowed from the parser, which outlives the scanner: retaining a `String` for every
    /// line cost ~3% of the import.
    private unowned(unsafe) let fileName: CaptureFileName
    let line: Int

    init(_ bytes: UnsafeBufferPointer<UInt8>, file: CaptureFileName, line: Int) {
        self.bytes = bytes
        fileName = file
        self.line = line
    }

    var file: String { fileName.text }

    @inline(__always) static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }
    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }
    @inline(__always) var atEnd: Bool { position >= bytes.count }
    @inline(__always) var current: UInt8 { position < bytes.count ? bytes[position] : 0 }

    @inline(__always) mutating func skipSpaces() {
        while position < bytes.count, Self.isSpace(bytes[position]) { position += 1 }
    }

    func text(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    /// The offending text at `p`: at least one byte, then up to a space, `,`, `)` or `]`.
    func found(at p: Int) -> String {
        guard p < bytes.count else { return "" }
        var e = p + 1
        while e < bytes.count, !Self.isSpace(bytes[e]), bytes[e] != UInt8(ascii: ","), bytes[e] != UInt8(ascii: ")"),
              bytes[e] != UInt8(ascii: "]") { e += 1 }
        return text(p..<e)
    }

    func error(at p: Int, _ message: String) -> InputError {
        InputError(SourceLocation(file: file, line: line, column: p + 1), message)
    }

    func error(at p: Int, expected: String, found: String) -> InputError {
        InputError(SourceLocation(file: file, line: line, column: p + 1), expected: expected, found: found)
    }

    func error(at p: Int, expected: String) -> InputError {
        InputError(SourceLocation(file: file, line: line, column: p + 1), expected: expected, found: found(at: p))
    }

    /// Matches `literal`; a space in it matches one or more spaces. Inlined, so that each
    /// literal's bytes become constants of its caller.
    @inline(__always) mutating func expect(_ literal: StaticString) throws(InputError) {
        var p = position
        let lit = literal.utf8Start
        for i in 0..<literal.utf8CodeUnitCount {
            let b = lit[i]
            if b == 0x20 {
                guard p < bytes.count, Self.isSpace(bytes[p]) else { throw expectedLiteral(literal) }
                p += 1
                while p < bytes.count, Self.isSpace(bytes[p]) { p += 1 }
            } else {
                guard p < bytes.count, bytes[p] == b else { throw expectedLiteral(literal) }
                p += 1
            }
        }
        position = p
    }

    private func expectedLiteral(_ literal: StaticString) -> InputError { error(at: position, expected: "'\(literal)'") }

    /// Whether the line continues with `literal` (exactly); advances past it when it does.
    mutating func skip(_ literal: StaticString) -> Bool {
        guard matches(literal, at: position) else { return false }
        position += literal.utf8CodeUnitCount
        return true
    }

    /// Hex digits without a prefix, 1–16 of them.
    @inline(__always) mutating func hexDigits(_ what: String) throws(InputError) -> UInt64 {
        let start = position
        let value: UInt64
        (value, position) = bytes.hexDigits(from: position)
        guard position > start else { throw error(at: start, expected: what) }
        guard position - start <= 16 else { throw error(at: start, "\(what) \(InputError.quote(found(at: start))) has more than 16 hexadecimal digits") }
        return value
    }

    /// `0x` (or `0X`) and 1–16 hex digits.
    mutating func hex(_ what: String) throws(InputError) -> UInt64 {
        let start = position
        guard bytes.count - position >= 2, bytes[position] == 0x30, bytes[position + 1] | 0x20 == 0x78 else {
            throw error(at: start, expected: "\(what) (0x and hexadecimal digits)")
        }
        position += 2
        do {
            return try hexDigits(what)
        } catch {
            position = start
            throw self.error(at: start, expected: "\(what) (0x and hexadecimal digits)")
        }
    }

    /// An unsigned decimal number no larger than `maximum`.
    mutating func decimal(_ what: String, maximum: UInt64 = UInt64.max / 10) throws(InputError) -> UInt64 {
        let start = position
        var value: UInt64 = 0
        while position < bytes.count, Self.isDigit(bytes[position]) {
            value = value &* 10 &+ UInt64(bytes[position] &- 0x30)
            position += 1
        }
        guard position > start else { throw error(at: start, expected: what) }
        // Up to 19 digits cannot overflow; more are an error whatever they wrapped to.
        guard position - start <= 19, value <= maximum else {
            throw InputError(SourceLocation(file: file, line: line, column: start + 1), expected: what, found: text(start..<position))
        }
        return value
    }

    /// An access size in bytes: 1...64.
    mutating func size() throws(InputError) -> UInt8 {
        let start = position
        let value = try decimal("an access size in bytes")
        guard (1...64).contains(value) else { throw error(at: start, "access size \(value) is not 1 to 64 bytes") }
        return UInt8(value)
    }

    /// Bytes up to the next space (at least one).
    mutating func word(_ what: String) throws(InputError) -> Range<Int> {
        let start = position
        while position < bytes.count, !Self.isSpace(bytes[position]) { position += 1 }
        guard position > start else { throw error(at: start, expected: what) }
        return start..<position
    }

    /// Nothing but spaces to the end of the line.
    func expectEnd() throws(InputError) {
        var p = position
        while p < bytes.count, Self.isSpace(bytes[p]) { p += 1 }
        guard p >= bytes.count else { throw error(at: p, expected: "end of line") }
    }

    /// A PCI address `[DDDD:]BB:DD.F` (hex, upper or lower case).
    mutating func pciAddress(_ what: String) throws(InputError) -> PCIAddress {
        let start = position
        var fields: [UInt64] = []
        var separators: [UInt8] = []
        while true {
            let fieldStart = position
            var value: UInt64 = 0
            while position < bytes.count, let d = bytes[position].hexDigitValue, position - fieldStart < 4 {
                value = value << 4 | d
                position += 1
            }
            guard position > fieldStart else { break }
            fields.append(value)
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") || bytes[position] == UInt8(ascii: "."),
                  separators.last != UInt8(ascii: ".") else { break }
            separators.append(bytes[position])
            position += 1
        }
        let valid = (separators == [0x3a, 0x2e] || separators == [0x3a, 0x3a, 0x2e])
            && fields.count == separators.count + 1 && fields[fields.count - 2] < 32 && fields[fields.count - 1] < 8
            && fields[fields.count - 3] < 256
        guard valid else {
            position = start
            throw error(at: start, expected: what)
        }
        return PCIAddress(domain: fields.count == 4 ? UInt16(fields[0]) : 0, bus: UInt8(fields[fields.count - 3]),
                           device: UInt8(fields[fields.count - 2]), function: UInt8(fields[fields.count - 1]))
    }
}

