/// A place in an input file: 1-based line and column (columns count bytes).
public struct SourceLocation: Hashable, Sendable, Codable {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }
}

extension SourceLocation: CustomStringConvertible {
    public var description: String { "\(file):\(line):\(column)" }
}

/// Bad input, located precisely: prints as `file:line:column: error: message`.
///
/// Messages say what was expected and what was found, e.g. `expected event kind, found 'wrte'`,
/// followed by a suggestion when one is close (`did you mean 'write'?`).
public struct InputError: Error, Hashable, Sendable {
    public var location: SourceLocation
    public var message: String

    public init(_ location: SourceLocation, _ message: String) {
        self.location = location
        self.message = message
    }

    /// `expected <expected>, found '<found>'`, with a did-you-mean among `choices` when one is
    /// close to `found`.
    public init(_ location: SourceLocation, expected: String, found: String, choices: [String] = []) {
        var message = "expected \(expected), found \(Self.quote(found))"
        if let suggestion = Suggestion.closest(to: found, among: choices) {
            message += "; did you mean '\(suggestion)'?"
        }
        self.init(location, message)
    }

    /// Quotes offending input for a message: printable ASCII kept, everything else escaped,
    /// long text shortened. Empty input reads `end of line`.
    public static func quote(_ text: String) -> String {
        if text.isEmpty { return "end of line" }
        var out = ""
        for scalar in text.unicodeScalars.prefix(40) {
            switch scalar.value {
            case 0x20..<0x7f where scalar != "'" && scalar != "\\": out.unicodeScalars.append(scalar)
            case 0x09: out += "\\t"
            default: out += "\\u{\(String(scalar.value, radix: 16))}"
            }
        }
        if text.unicodeScalars.count > 40 { out += "..." }
        return "'\(out)'"
    }
}

extension InputError: CustomStringConvertible {
    public var description: String { "\(location): error: \(message)" }
}
