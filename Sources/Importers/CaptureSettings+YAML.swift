import ArmMemory
import Diagnostics
import MMIOTrace
import YAMLInput
import Yams

/// Side files in YAML (format in `docs/importers.md`).
extension CaptureSettings {
    /// The keys a side file may have.
    static let yamlKeys = ["stage1", "vma", "models", "agents", "default-agent", "regions"]
    /// The keys of one entry of `regions:`.
    static let regionKeys = ["name", "device", "base", "size", "kind", "hva"]

    /// What `--map` may name: a side file only (no built-ins).
    public static let resourceKind = ResourceKind(noun: "a side file", fileNoun: "side file", builtInNames: [])

    /// Reads a side file from YAML text; an empty document gives the defaults.
    ///
    /// - Parameters:
    ///   - yaml: The file's text.
    ///   - file: The file name to put in error locations.
    /// - Throws: ``InputError`` at the offending node for YAML syntax errors, unknown keys (with a
    ///   did-you-mean), unknown memory types, bad agent spellings, invalid names, and bad,
    ///   duplicate or overlapping regions.
    public static func load(yaml: String, file: String) throws(InputError) -> CaptureSettings {
        try SideFileReader(yaml: yaml, file: file).settings()
    }

    /// The side file at `path`.
    /// - Throws: ``ResolutionError``: a missing or unreadable file, or one with an error in it.
    public static func resolve(_ path: String) throws(ResolutionError) -> CaptureSettings {
        try Resolution.resolve(path, kind: resourceKind, builtIn: { _ in nil }, load: { (text, file) throws(InputError) in
            try load(yaml: text, file: file)
        })
    }

    /// A ready-to-edit side file for a capture: every region with its current stage-1 type,
    /// every device with its model, every captured agent key with the agent it maps to, and,
    /// when `regions` is true (captures without a topology of their own), the region list.
    ///
    /// - Parameters:
    ///   - topology: The importer's topology, side file applied.
    ///   - agents: The captured agent keys with their current agents, in order.
    ///   - regions: Whether to write the `regions:` list.
    ///
    /// - Parameter modelReasons: by device name, why it got its model, written as a comment.
    public func template(for topology: Topology, agents: [(key: String, agent: String)], modelReasons: [String: String] = [:],
                         regions: Bool = false) -> String {
        func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }
        var out = "# mmio-replay side file: what the capture does not record.\n"
        out += "stage1:" + (topology.regions.isEmpty ? " {}" : "") + "            # region name → memory type (default device-ngnre, as ioremap)\n"
        for (i, region) in topology.regions.enumerated() {
            let type = topology.mappings.first { $0.region == RegionID(i) }?.type ?? Self.defaultStage1
            out += "  \(Self.yamlQuoted(region.name)): \(type.name)\n"
        }
        out += "models:" + (topology.devices.isEmpty ? " {}" : "") + "            # device name → device model (default: the built-in its PCI IDs name, else learned)\n"
        for device in topology.devices {
            out += "  \(Self.yamlQuoted(device.name)): \(Self.yamlQuoted(device.model))" + (modelReasons[device.name].map { "   # \($0)" } ?? "") + "\n"
        }
        out += "agents:" + (agents.isEmpty ? " {}" : "") + "            # captured key → agent (vcpu0, vcpu1, vmm, host, vm1.vcpu0)\n"
        for (key, agent) in agents {
            out += "  \(Self.yamlQuoted(key, always: true)): \(agent)\n"
        }
        out += "default-agent: \(defaultAgent)\n"
        if regions {
            out += "regions:" + (topology.regions.isEmpty ? " []" : "") + "           # name, device, base, size, kind (bar, config, gicv2-vcpu-if, platform), hva\n"
            for region in topology.regions {
                let device = topology.devices[Int(region.device)].name
                let hva = self.regions.first { $0.name == region.name }?.hva.map { ", hva: \(hex($0))" } ?? ""
                out += "  - {name: \(Self.yamlQuoted(region.name)), device: \(Self.yamlQuoted(device)), base: \(hex(region.base)), "
                    + "size: \(hex(region.size)), kind: \(region.kind)\(hva)}\n"
            }
        }
        return out
    }

    /// `text` as a YAML scalar: plain when it is a valid name and not `always`, else double-quoted.
    static func yamlQuoted(_ text: String, always: Bool = false) -> String {
        if !always, isValidName(text) { return text }
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// A device, region or model name as the trace format allows: a letter or `_`, then letters,
    /// digits, `_` or `-` (ASCII).
    static func isValidName(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, (first | 0x20) >= 0x61 && (first | 0x20) <= 0x7a || first == 0x5f else { return false }
        return bytes.allSatisfy { b in (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7a || b == 0x5f || b == 0x2d || b &- 0x30 < 10 }
    }
}

/// Turns a composed YAML side file into ``CaptureSettings``, locating every error.
private struct SideFileReader: YAMLReading {
    let yaml: String
    let file: String

    func settings() throws(InputError) -> CaptureSettings {
        var settings = CaptureSettings()
        guard let root = try source.composeIfPresent() else { return settings }
        let keyList = "a side-file key (\(CaptureSettings.yamlKeys.joined(separator: ", ")))"
        for (key, value) in try mapping(root, expected: "a mapping of side-file keys") {
            let text = try scalar(key, expected: keyList)
            switch text {
            case "stage1":
                for (name, type) in try mapping(value, expected: "a mapping from region name to memory type") {
                    settings.stage1[try self.name(name, what: "a region name")] = try memoryType(type)
                }
            case "vma":
                for (name, mapping) in try mapping(value, expected: "a mapping from region name to host mapping") {
                    settings.hostMappings[try self.name(name, what: "a region name")] = try hostMapping(mapping)
                }
            case "models":
                for (name, model) in try mapping(value, expected: "a mapping from device name to device model") {
                    settings.models[try self.name(name, what: "a device name")] = try self.name(model, what: "a device model name")
                }
            case "agents":
                for (capturedKey, agent) in try mapping(value, expected: "a mapping from captured key to agent") {
                    settings.agents[try scalar(capturedKey, expected: "a captured key (a thread name or number)")] = try self.agent(agent)
                }
            case "default-agent":
                settings.defaultAgent = try agent(value)
            case "regions":
                settings.regions = try regions(value)
            default:
                throw error(key, expected: keyList, choices: CaptureSettings.yamlKeys)
            }
        }
        return settings
    }

    private func regions(_ node: Node) throws(InputError) -> [CaptureRegion] {
        if isNull(node) { return [] }
        guard case .sequence(let sequence) = node else { throw error(node, expected: "a list of regions") }
        var regions: [CaptureRegion] = []
        // Names and overlaps checked in O(n log n): names in a set, ranges by RegionOverlaps (an
        // overlap of regions out of base order is found at the end, or when a later entry
        // fails, and reported first: it came first).
        var names = Set<String>()
        var overlaps = RegionOverlaps()
        var locations: [SourceLocation] = []
        func overlapError(_ region: Int) -> InputError? {
            let r = regions[region]
            guard let other = regions[..<region].first(where: { r.base < $0.base + $0.size && $0.base < r.base + r.size }) else { return nil }
            return InputError(locations[region], "expected regions that do not overlap, found '\(r.name)' overlapping '\(other.name)'")
        }
        func firstOverlap() -> InputError? { overlaps.firstOverlap().flatMap { overlapError($0.region) } }
        let keyList = "a region key (\(CaptureSettings.regionKeys.joined(separator: ", ")))"
        do throws(InputError) {
            for entry in sequence {
                var fields: [String: Node] = [:]
                for (key, value) in try mapping(entry, expected: "a region {name, device, base, size, kind, hva}") {
                    let text = try scalar(key, expected: keyList)
                    guard CaptureSettings.regionKeys.contains(text) else { throw error(key, expected: keyList, choices: CaptureSettings.regionKeys) }
                    fields[text] = value
                }
                func required(_ key: String) throws(InputError) -> Node {
                    guard let node = fields[key] else { throw InputError(location(entry.mark), "expected key '\(key)' in the region, found none") }
                    return node
                }
                let nameNode = try required("name")
                let name = try self.name(nameNode, what: "a region name")
                let device = try self.name(try required("device"), what: "a device name")
                let base = try number(try required("base"), expected: "a base address (0x… or decimal)")
                let sizeNode = try required("size")
                let size = try number(sizeNode, expected: "a size in bytes (0x… or decimal)")
                guard size > 0, Region.fits(base: base, size: size) else {
                    throw InputError(location(sizeNode.mark), "expected a size that is not zero and a region that ends below 2^52 (Arm's largest "
                        + "physical address space), found \(InputError.quote(try scalar(sizeNode, expected: "a size")))")
                }
                var kind = RegionKind.bar
                if let kindNode = fields["kind"] {
                    let kinds = RegionKind.allCases.map(\.rawValue)
                    guard let parsed = RegionKind(rawValue: try scalar(kindNode, expected: "a region kind").lowercased()) else {
                        throw error(kindNode, expected: "a region kind (\(kinds.joined(separator: ", ")))", choices: kinds)
                    }
                    kind = parsed
                }
                let hva = try fields["hva"].map { node throws(InputError) in try number(node, expected: "a host virtual address (0x… or decimal)") }
                guard names.insert(name).inserted else {
                    throw InputError(location(nameNode.mark), "expected each region name once, found '\(name)' again")
                }
                regions.append(CaptureRegion(name: name, device: device, base: base, size: size, kind: kind, hva: hva))
                locations.append(location(entry.mark))
                if overlaps.add(base: base, last: base + (size - 1)) != nil, let error = overlapError(regions.count - 1) { throw error }
            }
        } catch {
            throw firstOverlap() ?? error
        }
        if let error = firstOverlap() { throw error }
        return regions
    }

    // MARK: - Scalars

    private func memoryType(_ node: Node) throws(InputError) -> MemoryType {
        let names = MemoryType.allCases.map(\.name)
        let expected = "a memory type (\(names.joined(separator: ", ")))"
        guard let type = MemoryType(name: try scalar(node, expected: expected)) else { throw error(node, expected: expected, choices: names) }
        return type
    }

    private func hostMapping(_ node: Node) throws(InputError) -> HostMapping {
        let names = HostMapping.allCases.map(\.rawValue)
        let expected = "a host mapping (\(names.joined(separator: ", ")))"
        guard let mapping = HostMapping(rawValue: try scalar(node, expected: expected).lowercased()) else {
            throw error(node, expected: expected, choices: names)
        }
        return mapping
    }

    private func agent(_ node: Node) throws(InputError) -> String {
        let expected = "an agent (host, vmm, vcpuN, vmK.vmm, vmK.vcpuN)"
        let text = try scalar(node, expected: expected)
        guard let agent = Agent(spelling: text) else {
            let digits = text.filter { $0.isASCII && $0.isNumber }
            throw error(node, expected: expected, choices: ["host", "vmm"] + (digits.isEmpty ? [] : ["vcpu\(digits)"]))
        }
        return agent.description
    }

    private func name(_ node: Node, what: String) throws(InputError) -> String {
        let expected = "\(what) (a letter or '_', then letters, digits, '_' or '-')"
        let text = try scalar(node, expected: expected)
        guard CaptureSettings.isValidName(text) else { throw error(node, expected: expected) }
        return text
    }

    /// `0x…` hex or decimal; YAML's own integer forms otherwise are not accepted.
    private func number(_ node: Node, expected: String) throws(InputError) -> UInt64 {
        let text = try scalar(node, expected: expected)
        let lowered = text.lowercased()
        let value = lowered.hasPrefix("0x") ? UInt64(lowered.dropFirst(2), radix: 16) : UInt64(lowered, radix: 10)
        guard let value, !lowered.dropFirst(lowered.hasPrefix("0x") ? 2 : 0).contains(where: { $0 == "+" || $0 == "-" }) else {
            throw error(node, expected: expected)
        }
        return value
    }

    // MARK: - Nodes and errors

    private func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain else { return false }
        return ["", "~", "null"].contains(scalar.string)
    }

    /// The pairs of a mapping node (an empty value counts as an empty mapping).
    private func mapping(_ node: Node, expected: String) throws(InputError) -> [(Node, Node)] {
        if isNull(node) { return [] }
        guard case .mapping(let mapping) = node else { throw error(node, expected: expected) }
        return mapping.map { ($0.key, $0.value) }
    }
}
