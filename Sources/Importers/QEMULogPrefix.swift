import Diagnostics

/// What a line of a QEMU log is, after its prefix.
enum QEMULogLine {
    /// A trace event: the prefix's thread (or process) id and time, when there was a prefix, and
    /// the event name's byte range. The scanner stands at the arguments.
    case event(key: UInt64?, time: UInt64?, name: Range<Int>)
    /// A line starting with whitespace: the continuation of a multi-line event.
    case continuation
    case blank
    /// Text that is not a trace event (e.g. a `-d` log message sharing the file).
    case other
}

extension QEMULogScanner {
    /// Classifies the line and reads its prefix, matching
    /// `^(?:(\d+)@(\d+)\.(\d{6}):|(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) )?([a-z0-9_]+) (.*)$`
    /// byte by byte, with two strictnesses the regular expression lacks: digits followed by `@`, or
    /// four digits and `-`, start a prefix that must then be well-formed, and an event name after a
    /// prefix must be present. An event without arguments may end the line.
    /// - Throws: ``InputError`` for a malformed prefix or a prefix without an event name.
    mutating func classify() throws(InputError) -> QEMULogLine {
        guard !atEnd else { return .blank }
        if Self.isSpace(current) {
            skipSpaces()
            return atEnd ? .blank : .continuation
        }
        var key: UInt64?
        var time: UInt64?
        var digitsEnd = 0
        while digitsEnd < bytes.count, Self.isDigit(bytes[digitsEnd]) { digitsEnd += 1 }
        if digitsEnd > 0, digitsEnd < bytes.count, bytes[digitsEnd] == UInt8(ascii: "@") {
            key = try decimal("a thread or process id")
            position += 1
            time = try timestamp()
        } else if digitsEnd == 4, digitsEnd < bytes.count, bytes[digitsEnd] == UInt8(ascii: "-") {
            time = try isoTime()
        }
        let nameStart = position
        while position < bytes.count, Self.isNameByte(bytes[position]) { position += 1 }
        let name = nameStart..<position
        let separated = position == bytes.count || Self.isSpace(bytes[position])
        guard !name.isEmpty, separated else {
            if key == nil, time == nil { return .other }
            throw error(at: nameStart, expected: "an event name (a-z, 0-9, _) after the prefix")
        }
        if position < bytes.count { position += 1 }
        return .event(key: key, time: time, name: name)
    }

    @inline(__always) static func isNameByte(_ b: UInt8) -> Bool {
        b &- 0x61 < 26 || b &- 0x30 < 10 || b == 0x5f
    }

    /// `sec.usec:` with exactly six microsecond digits, in nanoseconds.
    private mutating func timestamp() throws(InputError) -> UInt64 {
        let start = position
        let what = "a timestamp 'seconds.microseconds:' with six microsecond digits"
        var seconds: UInt64 = 0
        var microseconds: UInt64 = 0
        var p = position
        while p < bytes.count, Self.isDigit(bytes[p]), p - start < 11 {
            seconds = seconds &* 10 &+ UInt64(bytes[p] &- 0x30)  // at most 11 digits
            p += 1
        }
        var valid = p > start && p < bytes.count && bytes[p] == UInt8(ascii: ".")
        if valid {
            p += 1
            let fraction = p
            while p < bytes.count, Self.isDigit(bytes[p]), p - fraction < 7 {
                microseconds = microseconds &* 10 &+ UInt64(bytes[p] &- 0x30)
                p += 1
            }
            valid = p - fraction == 6 && p < bytes.count && bytes[p] == UInt8(ascii: ":")
        }
        guard valid, seconds < 18_000_000_000 else { throw error(at: start, expected: what) }  // nanoseconds in 64 bits
        position = p + 1
        return seconds * 1_000_000_000 + microseconds * 1_000
    }

    /// `YYYY-MM-DDTHH:MM:SS[.fraction]Z` and a space, in nanoseconds since the Unix epoch. Digits
    /// of the fraction beyond nanoseconds are dropped.
    private mutating func isoTime() throws(InputError) -> UInt64 {
        let start = position
        let what = "an ISO-8601 UTC time like 2025-07-01T12:00:00.123456Z and a space"
        var p = position
        func number(_ digits: Int, then separator: UInt8?) -> Int? {
            var value = 0
            for _ in 0..<digits {
                guard p < bytes.count, Self.isDigit(bytes[p]) else { return nil }
                value = value * 10 + Int(bytes[p] &- 0x30)
                p += 1
            }
            if let separator {
                guard p < bytes.count, bytes[p] == separator else { return nil }
                p += 1
            }
            return value
        }
        guard let year = number(4, then: UInt8(ascii: "-")), let month = number(2, then: UInt8(ascii: "-")),
              let day = number(2, then: UInt8(ascii: "T")), let hour = number(2, then: UInt8(ascii: ":")),
              let minute = number(2, then: UInt8(ascii: ":")), let second = number(2, then: nil),
              year >= 1970, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { throw error(at: start, expected: what) }
        var nanoseconds: UInt64 = 0
        if p < bytes.count, bytes[p] == UInt8(ascii: ".") {
            p += 1
            let fraction = p
            var scale: UInt64 = 100_000_000
            while p < bytes.count, Self.isDigit(bytes[p]) {
                nanoseconds += UInt64(bytes[p] &- 0x30) * scale
                scale /= 10
                p += 1
            }
            guard p > fraction else { throw error(at: start, expected: what) }
        }
        guard p + 1 < bytes.count, bytes[p] == UInt8(ascii: "Z"), Self.isSpace(bytes[p + 1]) else { throw error(at: start, expected: what) }
        position = p + 2
        let days = Self.daysSinceEpoch(year: year, month: month, day: day)
        let (since1970, overflow) = UInt64(days * 86_400 + hour * 3_600 + minute * 60 + second).multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow, since1970 <= UInt64.max - nanoseconds else {
            throw error(at: start, expected: "an ISO-8601 UTC time before the year 2554 (nanoseconds since 1970 in 64 bits)")
        }
        return since1970 + nanoseconds
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (Hinnant's `days_from_civil`).
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = y / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
