extension UnsafeBufferPointer<UInt8> {
    /// Whether the bytes in `range` equal the ASCII `literal` (the scanners of every text format
    /// compare keywords this way, without building strings).
    @inlinable @inline(__always)
    public func matches(_ range: Range<Int>, _ literal: StaticString) -> Bool {
        guard range.count == literal.utf8CodeUnitCount else { return false }
        let text = literal.utf8Start
        for i in 0..<range.count where self[range.lowerBound + i] != text[i] { return false }
        return true
    }

    /// Whether the bytes in `range` equal `bytes`.
    @inlinable @inline(__always)
    public func matches(_ range: Range<Int>, _ bytes: [UInt8]) -> Bool {
        range.count == bytes.count && bytes.withUnsafeBufferPointer { other in
            for i in 0..<other.count where self[range.lowerBound + i] != other[i] { return false }
            return true
        }
    }

    /// The hex digits (either case) from `start` up to the first byte that is not one (or
    /// `limit`, by default the end): their value (the last 16 digits') and where they end. A
    /// table lookup and one predictable branch per digit: with comparisons
    /// (``UInt8/hexDigitValue``) the optimiser branched on decimal digit or letter, which mix
    /// unpredictably in values (a third of the scanning's time went to mispredictions).
    @inlinable
    public func hexDigits(from start: Int, limit: Int? = nil) -> (value: UInt64, end: Int) {
        let table = hexDigitTable
        let limit = limit ?? count
        var p = start
        var value: UInt64 = 0
        while p < limit {
            let digit = table[Int(self[p])]
            if digit > 15 { break }
            value = value << 4 | UInt64(digit)
            p += 1
        }
        return (value, p)
    }

    /// The unsigned decimal integer occupying all of `range` (1–20 digits), or nil when a byte
    /// is not a digit or the value overflows.
    @inlinable
    public func decimal(_ range: Range<Int>) -> UInt64? {
        guard !range.isEmpty, range.count <= 20 else { return nil }
        var value: UInt64 = 0
        if range.count <= 19 {
            // At most 19 digits never overflow: no checks per digit.
            for i in range {
                let d = self[i] &- 0x30
                guard d < 10 else { return nil }
                value = value &* 10 &+ UInt64(d)
            }
            return value
        }
        for i in range {
            let d = self[i] &- 0x30
            guard d < 10 else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(d))
            guard !o1, !o2 else { return nil }
            value = s
        }
        return value
    }
}

extension UInt8 {
    /// The value of this byte as an ASCII hex digit (either case), or nil. One predictable
    /// branch rather than one per kind of digit: letters and decimal digits mix unpredictably in
    /// values. Every text format's scanner decodes digits this way.
    @inlinable @inline(__always)
    public var hexDigitValue: UInt64? {
        let decimal = self &- 0x30, letter = (self | 0x20) &- 0x61
        let isDecimal = decimal < 10
        guard isDecimal || letter < 6 else { return nil }
        return UInt64(isDecimal ? decimal : letter &+ 10)
    }
}

/// Each byte's value as an ASCII hex digit, or 0x7F for a byte that is not one, sixteen bytes a
/// row. A string literal, so that the table is a constant of the binary that uses it: a global
/// array is initialised lazily, and each use from another module checked that it was (~3% of an
/// import, one check per hex field).
@inlinable var hexDigitTable: UnsafePointer<UInt8> {
    let table: StaticString = """
    \u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\
    \u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\
    \u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\
    \u{0}\u{1}\u{2}\u{3}\u{4}\u{5}\u{6}\u{7}\u{8}\u{9}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\
    \u{7F}\u{A}\u{B}\u{C}\u{D}\u{E}\u{F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\
    \u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\
    \u{7F}\u{A}\u{B}\u{C}\u{D}\u{E}\u{F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\
    \u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\
    \u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\
    \u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\
    \u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\
    \u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\
    \u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\
    \u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\
    \u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\
    \u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}
    """

    return table.utf8Start
}
