import PCIeTransport

/// A cursor over the bytes of one line, with the primitive lexers of the `.mtrace` grammar.
/// Positions are byte offsets; columns reported to users are `position + 1`.
struct ByteScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    @inline(__always) var atEnd: Bool { position >= bytes.count }

    /// The current byte, or 0 at the end of the line.
    @inline(__always) var current: UInt8 { position < bytes.count ? bytes[position] : 0 }

    @inline(__always) static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }

    @inline(__always) mutating func skipSpaces() {
        while position < bytes.count, Self.isSpace(bytes[position]) { position += 1 }
    }

    /// Whether the rest of the line is blank or a `#` comment.
    @inline(__always) var restIsEmpty: Bool {
        var p = position
        while p < bytes.count, Self.isSpace(bytes[p]) { p += 1 }
        return p >= bytes.count || bytes[p] == UInt8(ascii: "#")
    }

    /// Skips spaces, then returns the run of non-space bytes (possibly empty at the end).
    @inline(__always) mutating func token() -> Range<Int> {
        skipSpaces()
        let start = position
        while position < bytes.count, !Self.isSpace(bytes[position]) { position += 1 }
        return start..<position
    }

    /// The text of a byte range, for messages and names.
    func text(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    /// Whether the bytes in `range` equal the ASCII `literal`.
    @inline(__always) func matches(_ range: Range<Int>, _ literal: StaticString) -> Bool { bytes.matches(range, literal) }

    /// Parses an unsigned decimal integer occupying all of `range`.
    @inline(__always) func decimal(_ range: Range<Int>) -> UInt64? { bytes.decimal(range) }

    // MARK: Fused fast paths
    //
    // Each scans and converts a token in one pass, advancing past it only on success; on any
    // surprise it returns nil with the position unchanged, and the caller takes the exact path
    // (``token()`` then a converter), which also produces the error message.

    /// A decimal token of 1–19 digits (never overflows).
    @inline(__always) mutating func fastDecimal() -> UInt64? {
        var p = position
        while p < bytes.count, Self.isSpace(bytes[p]) { p += 1 }
        let start = p
        var value: UInt64 = 0
        while p < bytes.count {
            let d = bytes[p] &- 0x30
            if d >= 10 { break }
            value = value &* 10 &+ UInt64(d)
            p += 1
        }
        guard p > start, p - start <= 19, p == bytes.count || Self.isSpace(bytes[p]) else { return nil }
        position = p
        return value
    }

    /// Hex digits (no prefix) from `p` up to a space or the end, 1–16 of them.
    @inline(__always) private func hexDigits(from start: Int) -> (value: UInt64, end: Int)? {
        let (value, p) = bytes.hexDigits(from: start)
        guard p > start, p - start <= 16, p == bytes.count || Self.isSpace(bytes[p]) else { return nil }
        return (value, p)
    }

    /// A `0x` token of 1–16 hex digits.
    @inline(__always) mutating func fastHex64() -> UInt64? {
        var p = position
        while p < bytes.count, Self.isSpace(bytes[p]) { p += 1 }
        guard p + 2 < bytes.count, bytes[p] == 0x30, bytes[p + 1] | 0x20 == 0x78, let (value, end) = hexDigits(from: p + 2) else { return nil }
        position = end
        return value
    }

    /// A `NAME+0xOFFSET` token with 1–16 offset digits: the name's range and the offset.
    @inline(__always) mutating func fastRegionOffset() -> (name: Range<Int>, offset: UInt64)? {
        var p = position
        while p < bytes.count, Self.isSpace(bytes[p]) { p += 1 }
        let start = p
        while p < bytes.count, bytes[p] != UInt8(ascii: "+"), !Self.isSpace(bytes[p]) { p += 1 }
        guard p > start, p + 3 < bytes.count, bytes[p] == UInt8(ascii: "+"), bytes[p + 1] == 0x30, bytes[p + 2] | 0x20 == 0x78,
              let (value, end) = hexDigits(from: p + 3) else { return nil }
        position = end
        return (start..<p, value)
    }

    /// Whether `range` starts with `0x` or `0X`.
    @inline(__always) func hasHexPrefix(_ range: Range<Int>) -> Bool {
        range.count >= 2 && bytes[range.lowerBound] == 0x30 && (bytes[range.lowerBound + 1] | 0x20) == 0x78
    }

    /// Parses `0x` and 1–16 hex digits occupying all of `range`.
    @inline(__always) func hex64(_ range: Range<Int>) -> UInt64? {
        guard hasHexPrefix(range), range.count > 2, range.count <= 18 else { return nil }
        let (value, end) = bytes.hexDigits(from: range.lowerBound + 2, limit: range.upperBound)
        return end == range.upperBound ? value : nil
    }

    /// Parses `0x` and 1–128 hex digits (leading zeros beyond 128 digits allowed) occupying all of
    /// `range`, as a little-endian access value.
    func hexValue(_ range: Range<Int>) -> AccessValue? {
        guard hasHexPrefix(range), range.count > 2 else { return nil }
        if range.count <= 18 { return hex64(range).map(AccessValue.init) }
        var digitsStart = range.lowerBound + 2
        while digitsStart < range.upperBound - 1, bytes[digitsStart] == 0x30 { digitsStart += 1 }
        guard range.upperBound - digitsStart <= 128 else { return nil }
        var words = SIMD8<UInt64>()
        var nibble = 0
        var i = range.upperBound - 1
        while i >= digitsStart {
            guard let d = bytes[i].hexDigitValue else { return nil }
            words[nibble >> 4] |= d << UInt64((nibble & 15) * 4)
            nibble += 1
            i -= 1
        }
        for j in (range.lowerBound + 2)..<digitsStart where bytes[j] != 0x30 { return nil }
        return AccessValue(words: words)
    }
}
