import Diagnostics
import YAMLInput
import Yams

/// Mapping files in YAML (format in `docs/qemu-log.md`).
extension QEMULogMapping {
    /// Reads the mapping of a YAML file (only its own entries: merge it over ``builtIn``).
    ///
    /// ```yaml
    /// ecam-base: 0xb0000000            # optional
    /// events:
    ///   pci_nvme_mmio_write:
    ///     kind: write                  # read, write, config-read, config-write, reset-flr,
    ///                                  # reset-hot, mark, ignore
    ///     pattern: "addr 0x{offset} data 0x{value} size {size}"
    ///     device: nvme                 # unless the pattern captures {device}
    ///     region: 0                    # BAR index of read/write, unless captured; default 0
    /// ```
    ///
    /// - Parameters:
    ///   - yaml: The file's text.
    ///   - file: The file name to put in error locations.
    /// - Throws: ``InputError`` at the offending node for YAML syntax errors, unknown keys and
    ///   kinds, bad event names, malformed patterns, patterns missing a field their kind needs,
    ///   and a missing device.
    public static func load(yaml: String, file: String) throws(InputError) -> QEMULogMapping {
        try MappingYAMLReader(yaml: yaml, file: file).mapping()
    }
}

/// Turns a composed YAML document into a ``QEMULogMapping``, locating every error.
private struct MappingYAMLReader: YAMLReading {
    let yaml: String
    let file: String
    static let topKeys = ["ecam-base", "events"]
    static let entryKeys = ["kind", "pattern", "device", "region"]

    func mapping() throws(InputError) -> QEMULogMapping {
        let root = try source.compose(expected: "a mapping of keys (\(Self.topKeys.joined(separator: ", ")))")
        let fields = try keyed(root, keys: Self.topKeys, what: "a mapping key")
        var result = QEMULogMapping()
        if let node = fields["ecam-base"]?.value {
            let text = try scalar(node, expected: "an address like 0xb0000000")
            guard text.hasPrefix("0x"), let base = UInt64(text.dropFirst(2), radix: 16) else {
                throw error(node, expected: "an address like 0xb0000000")
            }
            result.ecamBase = base
        }
        if let node = fields["events"]?.value {
            guard case .mapping(let events) = node else { throw error(node, expected: "a mapping from event name to its mapping") }
            for (key, value) in events {
                let name = try scalar(key, expected: "an event name")
                guard !name.isEmpty, name.utf8.allSatisfy(QEMULogScanner.isNameByte) else {
                    throw error(key, expected: "an event name (a-z, 0-9, _)")
                }
                guard !QEMULogMapping.importerEvents.contains(name) else {
                    throw InputError(location(key.mark), "event '\(name)' is read by the importer itself; a mapping cannot redefine it")
                }
                result.events[name] = try entry(value, event: name)
            }
        }
        return result
    }

    private func entry(_ node: Node, event: String) throws(InputError) -> QEMULogMapping.Entry {
        let fields = try keyed(node, keys: Self.entryKeys, what: "an event mapping key")
        guard let kindNode = fields["kind"]?.value else {
            throw InputError(location(node.mark), "expected key 'kind' in the mapping of '\(event)', found none")
        }
        let kinds = QEMULogMapping.Kind.allCases.map(\.rawValue)
        let kindList = "an event kind (\(kinds.joined(separator: ", ")))"
        guard let kind = QEMULogMapping.Kind(rawValue: try scalar(kindNode, expected: kindList)) else {
            throw error(kindNode, expected: kindList, choices: kinds)
        }
        var entry = QEMULogMapping.Entry(kind: kind)
        if let patternNode = fields["pattern"]?.value {
            let text = try scalar(patternNode, expected: "a pattern like \"addr 0x{offset} size {size}\"")
            do {
                entry.pattern = try QEMULogPattern(text)
            } catch {
                var at = location(patternNode.mark)
                if case .scalar(let s) = patternNode, s.style == .singleQuoted || s.style == .doubleQuoted { at.column += 1 }
                at.column += error.offset
                throw InputError(at, error.message)
            }
        }
        let captured = entry.pattern?.fields ?? []
        if let missing = kind.requiredFields.first(where: { !captured.contains($0) }) {
            let at = fields["pattern"]?.value ?? kindNode
            throw InputError(location(at.mark), "a '\(kind.rawValue)' event needs a pattern that captures {\(missing.rawValue)}")
        }
        if let deviceNode = fields["device"]?.value {
            entry.device = try scalar(deviceNode, expected: "a device name")
        }
        if kind.needsDevice, entry.device == nil, !captured.contains(.device) {
            throw InputError(location(node.mark), "a '\(kind.rawValue)' event needs key 'device' or a pattern that captures {device}")
        }
        if let regionNode = fields["region"]?.value {
            guard let index = UInt8(try scalar(regionNode, expected: "a BAR index (0-5)")), index <= 5 else {
                throw error(regionNode, expected: "a BAR index (0-5)")
            }
            entry.region = index
        }
        return entry
    }

    /// The keys and values of a mapping node, each key one of `keys`.
    private func keyed(_ node: Node, keys: [String], what: String) throws(InputError) -> [String: (key: Node, value: Node)] {
        let list = "\(what) (\(keys.joined(separator: ", ")))"
        guard case .mapping(let mapping) = node else { throw error(node, expected: "a mapping of keys (\(keys.joined(separator: ", ")))") }
        var fields: [String: (key: Node, value: Node)] = [:]
        for (key, value) in mapping {
            let text = try scalar(key, expected: list)
            guard keys.contains(text) else { throw error(key, expected: list, choices: keys) }
            fields[text] = (key, value)
        }
        return fields
    }
}
