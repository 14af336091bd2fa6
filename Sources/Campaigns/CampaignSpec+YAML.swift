import ArmMemory
import Diagnostics
import Faults
import Foundation
import PCIeTransport
import Platforms
import ReplayEngine
import YAMLInput
import Yams

extension CampaignSpec {
    /// The keys of a campaign spec.
    static let keys = ["campaign", "traces", "policies", "platforms", "schedules", "seeds", "explore-executions", "device-models", "faults"]
    /// The keys of a trace written as a mapping.
    static let traceKeys = ["path", "format", "map", "name"]
    /// The keys of `faults:`.
    static let faultKeys = ["kinds", "sites", "match", "requests"]
    /// The keys of a site selection written as a mapping.
    static let siteKeys = ["every", "sample", "seed", "list"]
    /// The input formats a trace may name.
    static let formats = ["mtrace", "mmiotrace", "qemu-log", "ftrace", "pcap"]

    /// `path` as written in a spec in `directory`: absolute paths as they are, relative ones from
    /// the directory.
    static func path(_ path: String, in directory: String) -> String {
        path.hasPrefix("/") || directory.isEmpty ? path : (directory as NSString).appendingPathComponent(path)
    }

    /// What `campaign run` may name: a spec file only.
    public static let resourceKind = ResourceKind(noun: "a campaign spec", fileNoun: "campaign spec", builtInNames: [])

    /// Reads a campaign spec (format in docs/campaigns.md).
    ///
    /// - Parameters:
    ///   - yaml: The file's text.
    ///   - file: The file's path: errors name it, relative paths in it start from its directory.
    /// - Throws: ``InputError`` at the offending node: YAML syntax, unknown keys and values
    ///   (with the valid choices), missing keys, empty lists, duplicate trace names.
    public static func load(yaml: String, file: String) throws(InputError) -> CampaignSpec {
        try CampaignSpecReader(yaml: yaml, file: file).spec()
    }

    /// The spec at `path`.
    /// - Throws: ``ResolutionError``: a missing or unreadable file, or one with an error in it.
    public static func resolve(_ path: String) throws(ResolutionError) -> CampaignSpec {
        try Resolution.resolveFile(path, kind: resourceKind) { text, file throws(InputError) in try load(yaml: text, file: file) }
    }
}

/// Turns a composed campaign spec into a ``CampaignSpec``, locating every error.
private struct CampaignSpecReader: YAMLReading {
    let yaml: String
    let file: String

    func spec() throws(InputError) -> CampaignSpec {
        let root = try source.compose(expected: "a campaign spec (a mapping with 'campaign', 'traces', 'faults', ...)")
        let fields = try mapping(root, keys: CampaignSpec.keys, what: "a campaign key")
        let name = try required("campaign", in: fields, at: root, what: "the campaign's name") { node throws(InputError) in
            try scalar(node, expected: "the campaign's name")
        }
        let traces = try required("traces", in: fields, at: root, what: "a list of traces") { node throws(InputError) in
            try list(node, what: "a list of traces") { item throws(InputError) in try trace(item) }
        }
        var seen: [String: SourceLocation] = [:]
        for trace in traces {
            if let first = seen[trace.name] {
                throw InputError(trace.location, "expected a distinct name for each trace, found '\(trace.name)' again (first at line \(first.line)); "
                                 + "give one a 'name:'")
            }
            seen[trace.name] = trace.location
        }
        let policies = try fields["policies"].map { node throws(InputError) in
            try resources(node, what: "an attribute policy", builtIns: AttributePolicy.builtIns.map(\.name)) { text in
                KernelPolicy.parse(text).map { result in
                    if case .failure(let error) = result { error.message } else { nil }
                }
            }
        } ?? ["kvm-normal-nc"]
        let platforms = try fields["platforms"].map { node throws(InputError) in
            try resources(node, what: "a platform profile", builtIns: PlatformProfile.builtIns.map(\.name))
        } ?? ["quiet-pcie"]
        let seeds = try fields["seeds"].map { node throws(InputError) in
            try list(node, what: "a list of seeds") { item throws(InputError) in try unsigned(item, what: "a seed (an unsigned integer)") }
        } ?? [1]
        let scheduleNames = try fields["schedules"].map { node throws(InputError) in
            try list(node, what: "a list of schedules") { item throws(InputError) in
                let text = try scalar(item, expected: "a schedule (\(Schedule.names.joined(separator: ", ")))")
                guard Schedule(name: text, seed: 0) != nil else {
                    throw error(item, expected: "a schedule (\(Schedule.names.joined(separator: ", ")))", choices: Schedule.names)
                }
                return text
            }
        } ?? ["in-order"]
        var schedules: [Schedule] = []
        for name in scheduleNames {
            if name.lowercased() == "random" {
                schedules += seeds.map { .random(seed: $0) }
            } else if let schedule = Schedule(name: name, seed: 0), !schedules.contains(schedule) {
                schedules.append(schedule)
            }
        }
        let models = try fields["device-models"].map { node throws(InputError) in
            try resources(node, what: "a device model", builtIns: [])
        } ?? []
        let faults = try required("faults", in: fields, at: root, what: "the fault space (kinds and sites)") { node throws(InputError) in
            try faultSpace(node)
        }
        let exploreExecutions = try fields["explore-executions"].map { node throws(InputError) in
            let n = try unsigned(node, what: "a number of executions per experiment (1 to 1_000_000)")
            guard (1...1_000_000).contains(n) else { throw error(node, expected: "a number of executions per experiment (1 to 1_000_000)") }
            return Int(n)
        } ?? 64
        return CampaignSpec(name: name, directory: (file as NSString).deletingLastPathComponent, traces: traces, policies: policies,
                            platforms: platforms, schedules: schedules, deviceModels: models, exploreExecutions: exploreExecutions,
                            faults: faults, text: yaml)
    }

    // MARK: - Traces

    private func trace(_ node: Node) throws(InputError) -> CampaignSpec.Trace {
        let at = location(node.mark)
        if case .scalar = node {
            let path = try existingFile(node, what: "a trace file")
            return CampaignSpec.Trace(path: path, format: nil, map: nil, name: Self.defaultName(path), location: at)
        }
        let fields = try mapping(node, keys: CampaignSpec.traceKeys, what: "a trace key")
        let path = try required("path", in: fields, at: node, what: "the trace's file") { n throws(InputError) in try existingFile(n, what: "a trace file") }
        let format = try fields["format"].map { n throws(InputError) in
            let text = try scalar(n, expected: "an input format")
            guard CampaignSpec.formats.contains(text) else {
                throw error(n, expected: "an input format (\(CampaignSpec.formats.joined(separator: ", ")))", choices: CampaignSpec.formats)
            }
            return text
        }
        let map = try fields["map"].map { n throws(InputError) in try existingFile(n, what: "a side file") }
        let name = try fields["name"].map { n throws(InputError) in try scalar(n, expected: "the trace's name in results") } ?? Self.defaultName(path)
        return CampaignSpec.Trace(path: path, format: format, map: map, name: name, location: at)
    }

    /// A trace's default name: its file name.
    private static func defaultName(_ path: String) -> String { (path as NSString).lastPathComponent }

    // MARK: - Fault space

    private func faultSpace(_ node: Node) throws(InputError) -> CampaignSpec.FaultSpace {
        let fields = try mapping(node, keys: CampaignSpec.faultKeys, what: "a fault-space key")
        let kindNames = FaultKind.allCases.map(\.spelling)
        let kinds = try required("kinds", in: fields, at: node, what: "a list of fault kinds") { n throws(InputError) in
            try list(n, what: "a list of fault kinds") { item throws(InputError) in
                let text = try scalar(item, expected: "a fault kind")
                guard let kind = FaultKind(spelling: text) else {
                    throw error(item, expected: "a fault kind (\(kindNames.joined(separator: ", ")))", choices: kindNames)
                }
                return kind
            }
        }
        let requests = try fields["requests"].map { n throws(InputError) in
            try list(n, what: "a list of requests") { item throws(InputError) in
                let names = RequestKind.allCases.map(\.spelling)
                guard let request = RequestKind(spelling: try scalar(item, expected: "a request")) else {
                    throw error(item, expected: "a request (\(names.joined(separator: ", ")))", choices: names)
                }
                return request
            }
        }
        let match = try fields["match"].map { n throws(InputError) -> TLPMatch in
            let fault = try parseSite(n, kind: .ur, what: "a TLP target, e.g. bar0, bar0+0x40..0x4f read, cfg nvme0")
            guard case .tlp(let match, let occurrence) = fault.site, occurrence == .first else {
                throw error(n, expected: "a TLP target with an optional request (no event, time or occurrence)")
            }
            return match
        }
        let sites = try fields["sites"].map { n throws(InputError) in try siteSelection(n, kinds: kinds) } ?? .every
        return CampaignSpec.FaultSpace(kinds: kinds, sites: sites, match: match, requests: requests)
    }

    private func siteSelection(_ node: Node, kinds: [FaultKind]) throws(InputError) -> CampaignSpec.Sites {
        let expected = "'every', or a mapping with 'every: N', 'sample: N' (and 'seed'), or 'list'"
        if case .scalar = node {
            guard try scalar(node, expected: expected) == "every" else { throw error(node, expected: expected, choices: ["every"]) }
            return .every
        }
        let fields = try mapping(node, keys: CampaignSpec.siteKeys, what: "a site-selection key")
        let chosen = ["every", "sample", "list"].filter { fields[$0] != nil }
        guard chosen.count == 1 else {
            throw InputError(location(node.mark), "expected exactly one of 'every', 'sample', 'list', found \(chosen.isEmpty ? "none" : chosen.joined(separator: " and "))")
        }
        if let seed = fields["seed"], chosen[0] != "sample" { throw error(seed, expected: "no 'seed' without 'sample'") }
        switch chosen[0] {
        case "every":
            return .everyNth(try positive(fields["every"]!, what: "N, every Nth TLP (≥ 1)"))
        case "sample":
            let seed = try fields["seed"].map { n throws(InputError) in try unsigned(n, what: "a seed (an unsigned integer)") } ?? 1
            return .sample(try positive(fields["sample"]!, what: "the sample size (≥ 1)"), seed: seed)
        default:
            return .list(try list(fields["list"]!, what: "a list of fault sites") { item throws(InputError) in
                try parseSite(item, kind: kinds.contains(where: \.isLinkEvent) ? .linkDown : .ur, what: "a fault site, e.g. bar0+0x44 read #3")
            })
        }
    }

    /// A site in the fault grammar, read as the site of a fault of `kind` (errors located in the
    /// site's own text).
    private func parseSite(_ node: Node, kind: FaultKind, what: String) throws(InputError) -> Fault {
        let text = try scalar(node, expected: what)
        let prefix = "\(kind) at "
        var at = location(node.mark)
        if case .scalar(let s) = node, s.style == .singleQuoted || s.style == .doubleQuoted { at.column += 1 }
        at.column -= prefix.count
        return try Fault.parse(prefix + text, location: at)
    }

    // MARK: - Helpers

    private func mapping(_ node: Node, keys: [String], what: String) throws(InputError) -> [String: Node] {
        guard case .mapping(let mapping) = node else { throw error(node, expected: "a mapping of \(what)s (\(keys.joined(separator: ", ")))") }
        var fields: [String: Node] = [:]
        for (key, value) in mapping {
            let name = try scalar(key, expected: "\(what) (\(keys.joined(separator: ", ")))")
            guard keys.contains(name) else { throw error(key, expected: "\(what) (\(keys.joined(separator: ", ")))", choices: keys) }
            fields[name] = value
        }
        return fields
    }

    private func required<T>(_ key: String, in fields: [String: Node], at parent: Node, what: String,
                             _ read: (Node) throws(InputError) -> T) throws(InputError) -> T {
        guard let node = fields[key] else { throw InputError(location(parent.mark), "expected key '\(key)' (\(what)), found none") }
        return try read(node)
    }

    private func list<T>(_ node: Node, what: String, _ item: (Node) throws(InputError) -> T) throws(InputError) -> [T] {
        guard case .sequence(let items) = node, !items.isEmpty else { throw error(node, expected: "\(what) (at least one)") }
        var result: [T] = []
        for element in items { result.append(try item(element)) }
        return result
    }

    /// Built-in names or files (relative to the spec's directory) that exist.
    /// - Parameter family: For names of a family of built-ins (`linux-6.9`): nil when `text` is
    ///   not one, else what is wrong with it (nil inside when it is valid).
    private func resources(_ node: Node, what: String, builtIns: [String],
                           family: (String) -> String?? = { _ in nil }) throws(InputError) -> [String] {
        let directory = (file as NSString).deletingLastPathComponent
        let expected = builtIns.isEmpty ? "\(what) file" : "\(what) (\(builtIns.joined(separator: ", "))) or the path of a YAML file"
        return try list(node, what: "a list of \(what)s") { item throws(InputError) in
            let text = try scalar(item, expected: expected)
            switch family(text) {
            case .some(.none): return text
            case .some(.some(let message)): throw InputError(location(item.mark), message)
            case .none: break
            }
            guard builtIns.contains(text) || FileManager.default.fileExists(atPath: CampaignSpec.path(text, in: directory)) else {
                throw error(item, expected: expected + (builtIns.isEmpty ? " that exists" : ""), choices: builtIns)
            }
            return text
        }
    }

    /// A path (relative to the spec's directory) naming a file that exists.
    private func existingFile(_ node: Node, what: String) throws(InputError) -> String {
        let text = try scalar(node, expected: "the path of \(what)")
        let path = CampaignSpec.path(text, in: (file as NSString).deletingLastPathComponent)
        guard FileManager.default.fileExists(atPath: path) else {
            throw InputError(location(node.mark), "expected the path of \(what), found '\(text)', which does not exist (\(path))")
        }
        return text
    }

    private func unsigned(_ node: Node, what: String) throws(InputError) -> UInt64 {
        guard let value = UInt64(try scalar(node, expected: what)) else { throw error(node, expected: what) }
        return value
    }

    private func positive(_ node: Node, what: String) throws(InputError) -> Int {
        guard let value = Int(try scalar(node, expected: what)), value >= 1 else { throw error(node, expected: what) }
        return value
    }
}
