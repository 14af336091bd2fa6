import Diagnostics
import Yams

/// A YAML text being read into a model, so that every error points at `file:line:column`: the
/// one place that turns Yams's syntax errors and marks into located ``InputError``s.
public struct YAMLSource {
    public let text: String
    public let file: String

    public init(text: String, file: String) {
        self.text = text
        self.file = file
    }

    /// The document's root node. YAML syntax errors and duplicate keys become located input
    /// errors; an empty document is an error that says what was `expected` (e.g. `a mapping of
    /// policy keys`).
    public func compose(expected: String) throws(InputError) -> Node {
        guard let composed = try composeIfPresent() else {
            throw InputError(location(nil), "expected \(expected), found an empty document")
        }
        return composed
    }

    /// The document's root node, or nil for an empty document; syntax errors located.
    public func composeIfPresent() throws(InputError) -> Node? {
        do {
            return try Yams.compose(yaml: text)
        } catch let yamlError as YamlError {
            throw syntaxError(yamlError)
        } catch {
            throw InputError(location(nil), "expected YAML, found an unreadable document: \(error)")
        }
    }

    /// A Yams mark as a source location. Yams counts columns in Unicode scalars, locations count
    /// bytes; no mark means the start of the file.
    public func location(_ mark: Mark?) -> SourceLocation {
        guard let mark else { return SourceLocation(file: file, line: 1, column: 1) }
        let line = text.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(mark.line - 1).first ?? ""
        let bytes = line.unicodeScalars.prefix(mark.column - 1).reduce(0) { $0 + UTF8.width($1) }
        return SourceLocation(file: file, line: mark.line, column: bytes + 1)
    }

    /// The text of a scalar node; any other node is an error saying what was `expected`.
    public func scalar(_ node: Node, expected: String) throws(InputError) -> String {
        guard case .scalar(let scalar) = node else { throw error(node, expected: expected) }
        return scalar.string
    }

    /// `expected <expected>, found <node>`, at the node, with a did-you-mean among `choices`.
    public func error(_ node: Node, expected: String, choices: [String] = []) -> InputError {
        switch node {
        case .scalar(let scalar): InputError(location(node.mark), expected: expected, found: scalar.string, choices: choices)
        case .mapping: InputError(location(node.mark), "expected \(expected), found a mapping")
        case .sequence: InputError(location(node.mark), "expected \(expected), found a sequence")
        case .alias: InputError(location(node.mark), "expected \(expected), found an alias")
        }
    }

    private func syntaxError(_ yamlError: YamlError) -> InputError {
        switch yamlError {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let during = context.map { " (\($0.text) at \(location($0.mark).line):\(location($0.mark).column))" } ?? ""
            return InputError(location(mark), "expected valid YAML, found a syntax error: \(problem)\(during)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return InputError(location(context.mark), "expected each key once in a mapping, found \(keys) more than once")
        default:
            return InputError(location(nil), "expected YAML, found an unreadable document: \(yamlError)")
        }
    }
}

/// A reader of one YAML text (`yaml`, named `file`): conforming gives it ``YAMLSource``'s located
/// helpers, so every model reader reports errors the same way.
public protocol YAMLReading {
    var yaml: String { get }
    var file: String { get }
}

extension YAMLReading {
    /// The text with its file name, for ``YAMLSource/compose(expected:)`` and the rest.
    public var source: YAMLSource { YAMLSource(text: yaml, file: file) }

    /// The text of a scalar node (``YAMLSource/scalar(_:expected:)``).
    public func scalar(_ node: Node, expected: String) throws(InputError) -> String { try source.scalar(node, expected: expected) }

    /// A located error at a node (``YAMLSource/error(_:expected:choices:)``).
    public func error(_ node: Node, expected: String, choices: [String] = []) -> InputError {
        source.error(node, expected: expected, choices: choices)
    }

    /// A Yams mark as a source location (``YAMLSource/location(_:)``).
    public func location(_ mark: Mark?) -> SourceLocation { source.location(mark) }
}
