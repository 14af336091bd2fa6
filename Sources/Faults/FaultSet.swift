import Diagnostics
import Foundation
import PCIeTransport
import YAMLInput
import Yams

/// Fault files: the faults given with `--faults FILE` (format in `docs/faults.md`).
public enum FaultSet {
    /// What `--faults` names, for messages: a file only, there are no built-in fault sets.
    public static let resourceKind = ResourceKind(noun: "a fault file", fileNoun: "fault file", builtInNames: [])

    /// The keys of a fault written as a mapping.
    static let faultKeys = ["kind", "at", "request", "occurrence", "duration"]

    /// Reads the faults of a fault file.
    ///
    /// ```yaml
    /// faults:
    ///   - CA at bar0+0x44 read              # a fault in the grammar
    ///   - "UR at bar0 read #3"              # quoted: YAML reads an unquoted ' #3' as a comment
    ///   - kind: link-down                   # the same pieces as a mapping; kind and at required
    ///     at: nvme0
    ///     request: write
    ///     occurrence: every 4
    ///     duration: 2ms
    /// ```
    ///
    /// - Parameters:
    ///   - yaml: The file's text.
    ///   - file: The file name to put in locations.
    /// - Returns: The faults in file order, each located at its node.
    /// - Throws: ``InputError`` at the offending node for YAML syntax errors, unknown keys, bad
    ///   values (with the valid choices), a missing `kind` or `at`, or a node of the wrong kind.
    public static func load(yaml: String, file: String) throws(InputError) -> [Fault] {
        try FaultFileReader(yaml: yaml, file: file).faults()
    }

    /// The faults of a fault file in either form: an aer-inject file (its first word, after
    /// comments, is `AER`) or a YAML fault file.
    public static func load(text: String, file: String) throws(InputError) -> [Fault] {
        let firstWord = text.split(separator: "\n").lazy
            .map { $0.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? "" }
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .first { !$0.isEmpty }?
            .split(separator: " ").first
        if firstWord?.uppercased() == "AER" { return try AERInjectFile.parse(text: text, file: file) }
        return try load(yaml: text, file: file)
    }

    /// The faults of the fault file (YAML or aer-inject) at `path`, through ``Diagnostics/Resolution``.
    ///
    /// - Throws: ``ResolutionError``: a missing file, an unreadable one, or one with an error in it.
    public static func resolve(_ path: String) throws(ResolutionError) -> [Fault] {
        try Resolution.resolveFile(path, kind: resourceKind) { text, file throws(InputError) in try load(text: text, file: file) }
    }
}

/// Turns a composed fault-file document into faults, locating every error.
private struct FaultFileReader: YAMLReading {
    let yaml: String
    let file: String
    let lines: [Substring]

    init(yaml: String, file: String) {
        self.yaml = yaml
        self.file = file
        lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
    }

    func faults() throws(InputError) -> [Fault] {
        let root = try source.compose(expected: "a mapping with the key 'faults'")
        guard case .mapping(let mapping) = root else { throw error(root, expected: "a mapping with the key 'faults'") }
        var list: Node?
        for (key, value) in mapping {
            guard try scalar(key, expected: "a fault-file key (faults)") == "faults" else {
                throw error(key, expected: "a fault-file key (faults)", choices: ["faults"])
            }
            list = value
        }
        guard let list else { throw InputError(location(root.mark), "expected key 'faults' (a sequence of faults), found none") }
        guard case .sequence(let items) = list else { throw error(list, expected: "a sequence of faults") }
        return try items.map { item throws(InputError) in try fault(item) }
    }

    /// A fault written in the grammar or as a mapping of its pieces.
    private func fault(_ node: Node) throws(InputError) -> Fault {
        switch node {
        case .scalar(let scalar):
            try rejectCommentedOccurrence(after: node)
            return try Fault.parse(scalar.string, location: textLocation(node))
        case .mapping(let mapping):
            return try fault(mapping, at: location(node.mark))
        default:
            throw error(node, expected: "a fault (text like 'CA at bar0+0x44 read', or a mapping of \(Self.keyList))")
        }
    }

    private static let keyList = FaultSet.faultKeys.joined(separator: ", ")

    private func fault(_ mapping: Node.Mapping, at faultLocation: SourceLocation) throws(InputError) -> Fault {
        var fields: [String: Node] = [:]
        for (key, value) in mapping {
            let name = try scalar(key, expected: "a fault key (\(Self.keyList))")
            guard FaultSet.faultKeys.contains(name) else {
                throw error(key, expected: "a fault key (\(Self.keyList))", choices: FaultSet.faultKeys)
            }
            fields[name] = value
        }
        guard let kindNode = fields["kind"] else { throw InputError(faultLocation, "expected key 'kind' (the fault kind), found none") }
        guard let atNode = fields["at"] else { throw InputError(faultLocation, "expected key 'at' (the fault's site), found none") }

        var words = try words(kindNode, expected: "a fault kind")
        let kind = try FaultGrammar.kind(words.next(), end: words.end)
        try expectEnd(&words)

        words = try self.words(atNode, expected: "a site")
        let site = try FaultGrammar.site(&words, kind: kind)
        try expectEnd(&words)
        let target: TLPMatch.Target?
        if case .tlp(let t) = site { target = t } else { target = nil }

        var request: RequestKind?
        if let node = fields["request"] {
            words = try self.words(node, expected: "a request")
            let word = words.next() ?? FaultWord(text: "", location: words.end)
            guard let target else { throw InputError(word.location, expected: "no request with an event or time site", found: word.text) }
            request = try FaultGrammar.request(word, kind: kind, target: target)
            try expectEnd(&words)
        }

        var occurrence = Occurrence.first
        if let node = fields["occurrence"] {
            try rejectCommentedOccurrence(after: node)
            words = try self.words(node, expected: FaultGrammar.occurrenceText)
            let word = words.next() ?? FaultWord(text: "", location: words.end)
            guard target != nil else { throw InputError(word.location, expected: "no occurrence with an event or time site", found: word.text) }
            guard let parsed = try FaultGrammar.occurrence(word, &words) else {
                throw InputError(word.location, expected: FaultGrammar.occurrenceText, found: word.text, choices: ["first", "every"])
            }
            occurrence = parsed
            try expectEnd(&words)
        }

        var duration: UInt64?
        if let node = fields["duration"] {
            words = try self.words(node, expected: "a duration")
            let word = words.next()
            if let word, !kind.isLinkEvent {
                throw InputError(word.location, expected: "no duration for \(kind) (only link-down and DPC take one)", found: word.text)
            }
            duration = try FaultGrammar.duration(word, end: words.end)
            try expectEnd(&words)
        }
        return Fault(kind: kind, site: site.faultSite(request: request, occurrence: occurrence), duration: duration, location: faultLocation)
    }

    /// The words of a scalar value, located in the file; a value with no words is an error.
    private func words(_ node: Node, expected: String) throws(InputError) -> FaultWords {
        let words = FaultWords(try scalar(node, expected: expected), location: textLocation(node))
        guard words.peek() != nil else { throw error(node, expected: expected) }
        return words
    }

    private func expectEnd(_ words: inout FaultWords) throws(InputError) {
        if let extra = words.next() { throw InputError(extra.location, expected: "end of the value", found: extra.text) }
    }

    /// An unquoted scalar followed by ` #N`, which YAML took for a comment, is an error: the
    /// user meant the occurrence `#N`.
    private func rejectCommentedOccurrence(after node: Node) throws(InputError) {
        guard case .scalar(let scalar) = node, scalar.style == .plain, let mark = node.mark, mark.line <= lines.count else { return }
        let start = location(mark)
        let line = lines[mark.line - 1].utf8
        let rest = line.dropFirst(start.column - 1 + scalar.string.utf8.count).drop { $0 == 0x20 || $0 == 0x09 }
        guard rest.first == UInt8(ascii: "#"), let digit = rest.dropFirst().first, digit &- 0x30 < 10 else { return }
        let word = rest.prefix { $0 != 0x20 && $0 != 0x09 && $0 != 0x0d }
        let column = line.count - rest.count + 1
        throw InputError(SourceLocation(file: file, line: mark.line, column: column),
                         expected: "the fault in quotes when it has an occurrence '#N' (YAML reads ' #N' as a comment)",
                         found: String(decoding: word, as: UTF8.self))
    }

    /// Where a scalar's text starts: after the opening quote of a quoted scalar.
    private func textLocation(_ node: Node) -> SourceLocation {
        var at = location(node.mark)
        if case .scalar(let scalar) = node, scalar.style == .singleQuoted || scalar.style == .doubleQuoted { at.column += 1 }
        return at
    }
}
