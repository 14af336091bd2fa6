import Diagnostics

/// The fields a ``QEMULogPattern`` captured on one line.
struct QEMULogCaptures {
    var offset: UInt64?
    var value: UInt64?
    var size: UInt64?
    var device: Range<Int>?
    var region: UInt64?
}

extension QEMULogScanner {
    /// Matches the rest of the line (the arguments) against `pattern`.
    /// - Throws: ``InputError`` at the first byte that does not fit, naming the event's mapping.
    mutating func match(_ pattern: QEMULogPattern, event: String) throws(InputError) -> QEMULogCaptures {
        var captures = QEMULogCaptures()
        skipSpaces()
        var lineEnd = bytes.count
        while lineEnd > position, Self.isSpace(bytes[lineEnd - 1]) { lineEnd -= 1 }
        let elements = pattern.elements
        for (i, element) in elements.enumerated() {
            switch element {
            case .literal(let literal):
                let start = position
                for b in literal {
                    guard position < lineEnd, bytes[position] | 0x20 == b | 0x20, (b | 0x20) &- 0x61 < 26 || bytes[position] == b else {
                        throw error(at: start, expected: "'\(String(decoding: literal, as: UTF8.self))' (mapping of '\(event)': \"\(pattern.text)\")")
                    }
                    position += 1
                }
            case .space:
                guard position < lineEnd, Self.isSpace(bytes[position]) else {
                    throw error(at: position, expected: "a space (mapping of '\(event)': \"\(pattern.text)\")")
                }
                skipSpaces()
            case .capture(let field, let hex):
                let start = position
                var stop: UInt8?
                if i + 1 < elements.count, case .literal(let next) = elements[i + 1] { stop = next[0] }
                if i + 1 == elements.count {
                    position = lineEnd
                } else {
                    while position < lineEnd, !Self.isSpace(bytes[position]), bytes[position] != stop { position += 1 }
                }
                let range = start..<position
                guard !range.isEmpty else {
                    throw error(at: start, expected: "\(field.description) (mapping of '\(event)': \"\(pattern.text)\")")
                }
                switch field {
                case .offset: captures.offset = try number(range, hex: hex, field)
                case .value: captures.value = try number(range, hex: hex, field)
                case .size: captures.size = try number(range, hex: hex, field)
                case .region: captures.region = try number(range, hex: hex, field)
                case .device: captures.device = range
                case .skip: break
                }
            }
        }
        guard position >= lineEnd else {
            throw error(at: position, expected: "end of line (mapping of '\(event)': \"\(pattern.text)\")")
        }
        return captures
    }

    /// A captured number: hexadecimal when `hex` or when it starts with `0x`, else decimal.
    private func number(_ range: Range<Int>, hex: Bool, _ field: QEMULogPattern.Field) throws(InputError) -> UInt64 {
        var scanner = self
        scanner.position = range.lowerBound
        let prefixed = range.count > 2 && bytes[range.lowerBound] == 0x30 && bytes[range.lowerBound + 1] | 0x20 == 0x78
        let value = prefixed ? try? scanner.hex(field.description)
            : hex ? try? scanner.hexDigits(field.description) : try? scanner.decimal(field.description)
        guard let value, scanner.position == range.upperBound else { throw error(at: range.lowerBound, expected: field.description) }
        return value
    }
}

extension QEMULogPattern.Field: CustomStringConvertible {
    /// What the field holds, for messages.
    public var description: String {
        switch self {
        case .offset: "an offset"
        case .value: "a value"
        case .size: "an access size"
        case .device: "a device"
        case .region: "a BAR index"
        case .skip: "text"
        }
    }
}
