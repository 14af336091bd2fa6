import Diagnostics
import YAMLInput
import Yams

/// Turns a composed YAML document into a ``PlatformProfile``, locating every error.
struct ProfileYAMLReader: YAMLReading {
    let yaml: String
    let file: String

    /// One mapping of the document, its keys checked: `path` names it in messages
    /// (`transport.link`), `anchor` is where a missing key is reported.
    struct Section {
        let path: String
        let anchor: Node
        let fields: [String: Node]
    }

    func profile() throws(InputError) -> PlatformProfile {
        let root = try source.compose(expected: "a mapping of profile keys")
        let top = try section(root, path: "", keys: PlatformProfile.yamlKeys)
        guard let nameNode = top.fields["name"] else {
            throw InputError(location(root.mark), "expected key 'name' (the profile's name), found none")
        }
        let name = try scalar(nameNode, expected: "a profile name")
        guard !name.isEmpty else { throw error(nameNode, expected: "a profile name") }
        let summary = try top.fields["summary"].map { node throws(InputError) in try scalar(node, expected: "a one-line summary") }
        let source = try top.fields["source"].map { node throws(InputError) in try scalar(node, expected: "a source") }
        let base = try top.fields["base"].map { node throws(InputError) in try builtIn(node) }

        var profile = base ?? PlatformProfile(name: name, summary: "", source: "", transport: .zero, errors: .zero, ras: .zero)
        try read(PlatformProfile.yamlSections, in: top, into: &profile, required: base == nil)
        profile.name = name
        profile.summary = summary ?? "user profile from \(file)"
        profile.source = source ?? "file \(file)" + (base.map { ", based on built-in \($0.name)" } ?? "")
        return profile
    }

    /// Reads the fields present in `section` into `value`; when `required`, an absent field is
    /// an error.
    func read<Value>(_ fields: [YAMLField<Value>], in section: Section, into value: inout Value, required: Bool) throws(InputError) {
        for field in fields {
            if let node = section.fields[field.key] {
                try field.read(&value, node, self, YAMLScope(path: section.path, required: required))
            } else if required {
                throw missing(field.key, in: section)
            }
        }
    }

    /// A key absent from `section` with no base to inherit it from.
    private func missing(_ key: String, in section: Section) -> InputError {
        let place = section.path.isEmpty ? "" : " in \(section.path)"
        return InputError(
            location(section.anchor.mark),
            "expected key '\(key)'\(place), found none; give every key, or start from a built-in with 'base:'")
    }

    /// `node` as a mapping whose keys are all in `keys`; `path` names it (empty for the top level).
    func section(_ node: Node, path: String, keys: [String]) throws(InputError) -> Section {
        guard case .mapping(let mapping) = node else {
            throw error(node, expected: path.isEmpty ? "a mapping of profile keys" : "a mapping of \(path) keys")
        }
        let described = path.isEmpty ? "a profile key" : "\(path.first.map { "aeiou".contains($0) } == true ? "an" : "a") \(path) key"
        let keyList = "\(described) (\(keys.joined(separator: ", ")))"
        var fields: [String: Node] = [:]
        for (key, value) in mapping {
            let text = try scalar(key, expected: keyList)
            guard keys.contains(text) else { throw error(key, expected: keyList, choices: keys) }
            fields[text] = value
        }
        return Section(path: path, anchor: node, fields: fields)
    }

    private func builtIn(_ node: Node) throws(InputError) -> PlatformProfile {
        let names = PlatformProfile.builtIns.map(\.name)
        let expected = "a built-in profile (\(names.joined(separator: ", ")))"
        guard let profile = PlatformProfile.builtIn(named: try scalar(node, expected: expected)) else {
            throw error(node, expected: expected, choices: names)
        }
        return profile
    }

    func bool(_ node: Node) throws(InputError) -> Bool {
        guard case .scalar = node, let value = node.bool else { throw error(node, expected: "true or false") }
        return value
    }

    /// A non-negative decimal integer (digits, `_` allowed between them) accepted by `isValid`.
    func integer(_ node: Node, expected: String, isValid: (Int) -> Bool) throws(InputError) -> Int {
        let text = try scalar(node, expected: expected)
        let digits = text.utf8
        let wellFormed = digits.first.map { (0x30...0x39).contains($0) } == true && digits.last != UInt8(ascii: "_")
            && digits.allSatisfy { (0x30...0x39).contains($0) || $0 == UInt8(ascii: "_") }
            && !text.contains("__")
        guard wellFormed, let value = Int(text.filter { $0 != "_" }), isValid(value) else {
            throw error(node, expected: expected)
        }
        return value
    }
}
