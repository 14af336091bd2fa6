import Diagnostics
import YAMLInput
import Yams

/// User policies from YAML (format in `docs/policies.md`).
extension AttributePolicy {
    /// The keys a policy file may have.
    static let yamlKeys = ["name", "summary", "base", "fwb", "stage2"]

    /// Reads a policy from YAML text.
    ///
    /// ```yaml
    /// name: my-policy           # required
    /// summary: "one line"       # optional
    /// base: kvm-normal-nc       # optional: start from a built-in
    /// fwb: false                # optional: default the base's, else false
    /// stage2:                   # per region kind; others from base, else Device-nGnRE
    ///   bar: normal-nc          # a type name, fwb-xxx when fwb is true, vmm-stage1, 0b0101
    /// ```
    ///
    /// - Parameters:
    ///   - yaml: The file's text.
    ///   - file: The file name to put in error locations and in ``source``.
    /// - Throws: ``InputError`` at the offending node for YAML syntax errors, unknown keys, region
    ///   kinds, bases and attributes, an attribute of the other FWB regime, a missing `name`, or
    ///   a node of the wrong kind.
    public static func load(yaml: String, file: String) throws(InputError) -> AttributePolicy {
        try PolicyYAMLReader(yaml: yaml, file: file).policy()
    }
}

/// Turns a composed YAML document into an ``AttributePolicy``, locating every error.
private struct PolicyYAMLReader: YAMLReading {
    let yaml: String
    let file: String

    func policy() throws(InputError) -> AttributePolicy {
        let keyList = "a policy key (\(AttributePolicy.yamlKeys.joined(separator: ", ")))"
        let root = try source.compose(expected: "a mapping of policy keys")
        guard case .mapping(let mapping) = root else {
            throw error(root, expected: "a mapping of policy keys")
        }
        var fields: [String: Node] = [:]
        for (key, value) in mapping {
            let text = try scalar(key, expected: keyList)
            guard AttributePolicy.yamlKeys.contains(text) else {
                throw error(key, expected: keyList, choices: AttributePolicy.yamlKeys)
            }
            fields[text] = value
        }
        guard let nameNode = fields["name"] else {
            throw InputError(location(root.mark), "expected key 'name' (the policy's name), found none")
        }
        let name = try scalar(nameNode, expected: "a policy name")
        guard !name.isEmpty else { throw error(nameNode, expected: "a policy name") }
        let summary = try fields["summary"].map { node throws(InputError) in try scalar(node, expected: "a one-line summary") }

        let base = try fields["base"].map { node throws(InputError) in try builtIn(node) }
        let fwbNode = fields["fwb"]
        let fwb = try fwbNode.map { node throws(InputError) in try bool(node) } ?? base?.fwb ?? false
        let overrides = try fields["stage2"].map { node throws(InputError) in try stage2(node, fwb: fwb) } ?? [:]

        let fallback = fwb ? Stage2Choice.fixed(.fwb(.deviceNGnRE)) : .fixed(.type(.deviceNGnRE))
        let resolved = { (kind: RegionKind) in overrides[kind] ?? base?.stage2Choice(for: kind) ?? fallback }
        if let base, let fwbNode, let kind = RegionKind.allCases.first(where: { !resolved($0).isValid(fwb: fwb) }) {
            throw InputError(
                location(fwbNode.mark),
                "expected fwb: \(base.fwb) like base '\(base.name)', found '\(fwb)'; "
                    + "'\(kind)' inherits \(resolved(kind)) from it, so give every region kind under stage2")
        }
        let source = "file \(file)" + (base.map { ", based on built-in \($0.name)" } ?? "")
        return AttributePolicy(
            name: name, summary: summary ?? "user policy from \(file)", source: source, fwb: fwb, stage2: resolved)
    }

    private func builtIn(_ node: Node) throws(InputError) -> AttributePolicy {
        let names = AttributePolicy.builtIns.map(\.name)
        let expected = "a built-in policy (\(names.joined(separator: ", ")))"
        guard let policy = AttributePolicy.builtIn(named: try scalar(node, expected: expected)) else {
            throw error(node, expected: expected, choices: names)
        }
        return policy
    }

    private func bool(_ node: Node) throws(InputError) -> Bool {
        guard let value = node.bool else { throw error(node, expected: "true or false") }
        return value
    }

    private func stage2(_ node: Node, fwb: Bool) throws(InputError) -> [RegionKind: Stage2Choice] {
        let kinds = RegionKind.allCases.map(\.rawValue)
        let kindList = "a region kind (\(kinds.joined(separator: ", ")))"
        guard case .mapping(let mapping) = node else {
            throw error(node, expected: "a mapping from region kind to stage-2 attribute")
        }
        var choices: [RegionKind: Stage2Choice] = [:]
        for (key, value) in mapping {
            guard let kind = RegionKind(rawValue: try scalar(key, expected: kindList)) else {
                throw error(key, expected: kindList, choices: kinds)
            }
            choices[kind] = try choice(value, fwb: fwb)
        }
        return choices
    }

    /// A stage-2 choice valid in the `fwb` regime: an attribute name, a raw MemAttr value, or
    /// `vmm-stage1`.
    private func choice(_ node: Node, fwb: Bool) throws(InputError) -> Stage2Choice {
        let valid = Stage2Attribute.allCases.filter { $0.isFWB == fwb }.map(\.name) + (fwb ? [] : [Stage2Choice.vmmStage1.name])
        let raw = fwb ? "MemAttr[2:0] as 0b101 or 0x5" : "MemAttr[3:0] as 0b0101 or 0x5"
        let expected = "a stage-2 attribute for fwb: \(fwb) (\(valid.joined(separator: ", ")), or \(raw))"
        let text = try scalar(node, expected: expected)
        let parsed = text.lowercased() == Stage2Choice.vmmStage1.name
            ? Stage2Choice.vmmStage1
            : Stage2Attribute(spelling: text, fwb: fwb).map(Stage2Choice.fixed)
        guard let parsed else { throw error(node, expected: expected, choices: valid) }
        guard parsed.isValid(fwb: fwb) else {
            throw InputError(location(node.mark), "expected \(expected), found \(InputError.quote(text)), which needs fwb: \(!fwb)")
        }
        return parsed
    }
}
