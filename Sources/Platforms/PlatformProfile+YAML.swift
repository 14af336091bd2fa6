import Diagnostics
import PCIeTransport
import Yams

/// Profiles as YAML (format in `docs/platforms.md`): reading with `base:` inheritance, and
/// writing back in a stable key order.
extension PlatformProfile {
    /// The top-level sections, in the order they are written.
    static var yamlSections: [YAMLField<Self>] {
        [
            .section("transport", \.transport, TransportParameters.yamlFields),
            .section("errors", \.errors, ErrorParameters.yamlFields),
            .section("ras", \.ras, RASParameters.yamlFields),
        ]
    }

    /// The top-level keys a profile file may have.
    static var yamlKeys: [String] { ["name", "summary", "source", "base"] + yamlSections.map(\.key) }

    /// Reads a profile from YAML text.
    ///
    /// ```yaml
    /// name: slow-link          # required
    /// summary: "one line"      # optional; default "user profile from <file>"
    /// source: "lab notes"      # optional; default "file <file>[, based on built-in <base>]"
    /// base: quiet-pcie         # optional: start from a built-in, override key by key below
    /// transport:               # every key of every section required without base
    ///   link:
    ///     lanes: 1
    /// errors:
    ///   root-complex-response:
    ///     ca: {memory-read: slverr}
    /// ras:
    ///   feat-ras: false
    /// ```
    ///
    /// - Parameters:
    ///   - yaml: The file's text.
    ///   - file: The file name to put in error locations and in the default ``source``.
    /// - Throws: ``InputError`` at the offending node for YAML syntax errors, unknown keys and
    ///   bases, values out of range or of the wrong kind, a missing `name`, or (without `base:`)
    ///   a missing key.
    public static func load(yaml: String, file: String) throws(InputError) -> PlatformProfile {
        try ProfileYAMLReader(yaml: yaml, file: file).profile()
    }

    /// The profile as YAML, every key present, in the order of `docs/platforms.md`.
    ///
    /// `load(yaml: profile.yaml, file:)` gives back `profile`; for a built-in the text is the
    /// one it was loaded from.
    public var yaml: String {
        var lines = [
            "name: \(YAMLText.scalar(name))",
            "summary: \(YAMLText.quoted(summary))",
            "source: \(YAMLText.quoted(source))",
        ]
        for section in Self.yamlSections { lines += section.lines(self, "") }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Where a field is read: the path of the section holding it (`transport.link`) and whether keys
/// absent there are errors (no base to inherit them from).
struct YAMLScope {
    let path: String
    let required: Bool
}

/// One key of a profile section, a scalar or a nested section: how to read it into `Root` and
/// how to write it.
struct YAMLField<Root> {
    let key: String
    let read: (inout Root, Node, ProfileYAMLReader, YAMLScope) throws(InputError) -> Void
    /// The field's lines, each prefixed with the indent given.
    let lines: (Root, String) -> [String]

    private init(
        key: String, read: @escaping (inout Root, Node, ProfileYAMLReader, YAMLScope) throws(InputError) -> Void,
        lines: @escaping (Root, String) -> [String]
    ) {
        self.key = key
        self.read = read
        self.lines = lines
    }

    /// A scalar key written on one line as `write` gives it.
    init(key: String, read: @escaping (inout Root, Node, ProfileYAMLReader) throws(InputError) -> Void, write: @escaping (Root) -> String) {
        self.init(
            key: key, read: { root, node, reader, _ throws(InputError) in try read(&root, node, reader) },
            lines: { root, indent in ["\(indent)\(key): \(write(root))"] })
    }

    /// A nested mapping of `fields`, read key by key over the value already there (the base's,
    /// or a placeholder when every key is required), written as a block mapping.
    static func section<Value>(_ key: String, _ path: WritableKeyPath<Root, Value>, _ fields: [YAMLField<Value>]) -> Self {
        Self(
            key: key,
            read: { root, node, reader, scope throws(InputError) in
                let sectionPath = scope.path.isEmpty ? key : "\(scope.path).\(key)"
                let section = try reader.section(node, path: sectionPath, keys: fields.map(\.key))
                try reader.read(fields, in: section, into: &root[keyPath: path], required: scope.required)
            },
            lines: { root, indent in ["\(indent)\(key):"] + fields.flatMap { $0.lines(root[keyPath: path], indent + "  ") } })
    }

    /// `true` or `false`.
    static func bool(_ key: String, _ path: WritableKeyPath<Root, Bool>) -> Self {
        Self(key: key, read: { root, node, reader throws(InputError) in root[keyPath: path] = try reader.bool(node) },
             write: { $0[keyPath: path] ? "true" : "false" })
    }

    /// A non-negative decimal integer accepted by `isValid`, described by `expected`; durations
    /// of 10 000 or more are written with `_` between thousands.
    static func integer(
        _ key: String, _ path: WritableKeyPath<Root, Int>, expected: String, isDuration: Bool = false,
        isValid: @escaping (Int) -> Bool = { _ in true }
    ) -> Self {
        Self(key: key,
             read: { root, node, reader throws(InputError) in
                 root[keyPath: path] = try reader.integer(node, expected: expected, isValid: isValid)
             },
             write: { isDuration ? YAMLText.grouped($0[keyPath: path]) : String($0[keyPath: path]) })
    }

    /// A duration in nanoseconds, at most ``PlatformProfile/longestDurationNs``.
    static func nanoseconds(_ key: String, _ path: WritableKeyPath<Root, Int>) -> Self {
        integer(key, path, expected: "a duration in nanoseconds from 0 to 86_400_000_000_000 (one day)", isDuration: true) {
            $0 <= PlatformProfile.longestDurationNs
        }
    }

    /// A size in bytes of the form 128 << n, up to 4096.
    static func pcieSize(_ key: String, _ path: WritableKeyPath<Root, Int>, _ what: String) -> Self {
        integer(key, path, expected: "\(what) in bytes (a power of two from 128 to 4096)") {
            (128...4096).contains($0) && $0 & ($0 - 1) == 0
        }
    }

    /// One of a fixed set of words.
    static func choice<Value>(
        _ key: String, _ path: WritableKeyPath<Root, Value>, expected: String, all: [Value], name: @escaping (Value) -> String,
        suggest: Bool = true
    ) -> Self {
        let names = all.map(name)
        let expected = "\(expected) (\(names.joined(separator: ", ")))"
        return Self(
            key: key,
            read: { root, node, reader throws(InputError) in
                let text = try reader.scalar(node, expected: expected)
                guard let index = names.firstIndex(of: text) else {
                    throw reader.error(node, expected: expected, choices: suggest ? names : [])
                }
                root[keyPath: path] = all[index]
            },
            write: { name($0[keyPath: path]) })
    }
}

extension TransportParameters {
    /// The keys of `transport:`: scalars, then sections.
    static var yamlFields: [YAMLField<Self>] {
        [
            .bool("ecam-mmio-ordered", \.ecamMMIOOrdered),
            .bool("endpoint-acknowledges-writes", \.endpointAcknowledgesWrites),
            .choice("early-write-ack-point", \.earlyWriteAckPoint, expected: "an early write acknowledgement point",
                    all: EarlyWriteAckPoint.allCases, name: \.rawValue),
            .section("latency-ns", \.latency, TransportLatencies.yamlFields),
            .section("link", \.link, LinkParameters.yamlFields),
            .section("write-combining", \.writeCombining, WriteCombiningParameters.yamlFields),
            .section("host-reset", \.hostReset, HostResetParameters.yamlFields),
        ]
    }

    /// The starting point of a profile without a base, every key of which is required.
    static let zero = Self(
        ecamMMIOOrdered: false, endpointAcknowledgesWrites: false, earlyWriteAckPoint: .serialisationPoint,
        latency: .zero, link: .zero, writeCombining: .zero, hostReset: .zero)
}

extension TransportLatencies {
    static var yamlFields: [YAMLField<Self>] {
        [
            .nanoseconds("core-to-serialisation-point", \.coreToSerialisationPoint),
            .nanoseconds("serialisation-point-to-root-complex", \.serialisationPointToRootComplex),
            .nanoseconds("serialisation-point-to-config", \.serialisationPointToConfig),
            .nanoseconds("serialisation-point-to-platform-device", \.serialisationPointToPlatformDevice),
            .nanoseconds("root-complex-to-link", \.rootComplexToLink),
            .nanoseconds("link-propagation", \.linkPropagation),
            .nanoseconds("device-posted-write", \.devicePostedWrite),
            .nanoseconds("device-read-response", \.deviceReadResponse),
            .nanoseconds("completion-to-core", \.completionToCore),
            .nanoseconds("cache-eviction", \.cacheEviction),
            .nanoseconds("reset-controller", \.resetController),
        ]
    }

    /// The starting point of a profile without a base, every key of which is required.
    static let zero = Self(
        coreToSerialisationPoint: 0, serialisationPointToRootComplex: 0, serialisationPointToConfig: 0,
        serialisationPointToPlatformDevice: 0, rootComplexToLink: 0, linkPropagation: 0, devicePostedWrite: 0,
        deviceReadResponse: 0, completionToCore: 0, cacheEviction: 0, resetController: 0)
}

extension LinkParameters {
    static let validLanes = [1, 2, 4, 8, 12, 16, 32]

    static var yamlFields: [YAMLField<Self>] {
        [
            .integer("lanes", \.lanes, expected: "a link width in lanes (\(validLanes.map(String.init).joined(separator: ", ")))") {
                validLanes.contains($0)
            },
            .choice("rate-gts", \.rate, expected: "a link rate in GT/s", all: LinkRate.allCases, name: \.name, suggest: false),
            .integer("framing-bytes", \.framingBytes, expected: "a per-TLP framing overhead in bytes (a non-negative integer)"),
            .pcieSize("max-payload-bytes", \.maxPayloadBytes, "a maximum payload size"),
            .pcieSize("max-read-request-bytes", \.maxReadRequestBytes, "a maximum read request size"),
            .integer("read-completion-boundary-bytes", \.readCompletionBoundaryBytes,
                     expected: "a read completion boundary in bytes (64 or 128)") { $0 == 64 || $0 == 128 },
        ]
    }

    /// The starting point of a profile without a base, every key of which is required.
    static let zero = Self(
        lanes: 0, rate: .gen1, framingBytes: 0, maxPayloadBytes: 0, maxReadRequestBytes: 0, readCompletionBoundaryBytes: 0)
}

extension WriteCombiningParameters {
    static var yamlFields: [YAMLField<Self>] {
        [
            .integer("buffers", \.buffers, expected: "a number of write-combining buffers (a non-negative integer)"),
            .integer("line-bytes", \.lineBytes, expected: "a write-combining line size in bytes (a power of two from 16 to 256)") {
                (16...256).contains($0) && $0 & ($0 - 1) == 0
            },
            .nanoseconds("drain-timeout-ns", \.drainTimeout),
        ]
    }

    /// The starting point of a profile without a base, every key of which is required.
    static let zero = Self(buffers: 0, lineBytes: 0, drainTimeout: 0)
}

extension HostResetParameters {
    static var yamlFields: [YAMLField<Self>] {
        [
            .choice("mechanism", \.mechanism, expected: "a host reset mechanism", all: HostResetMechanism.allCases, name: \.rawValue),
            .nanoseconds("transactions-pending-timeout-ns", \.transactionsPendingTimeout),
            .nanoseconds("flr-wait-ns", \.flrWait),
            .nanoseconds("ready-timeout-ns", \.readyTimeout),
        ]
    }

    /// The starting point of a profile without a base, every key of which is required.
    static let zero = Self(mechanism: .flr, transactionsPendingTimeout: 0, flrWait: 0, readyTimeout: 0)
}

extension ErrorParameters {
    /// The keys of `errors:`, the response table first.
    static var yamlFields: [YAMLField<Self>] {
        [
            .section("root-complex-response", \.rootComplexResponse, RootComplexResponseTable.yamlFields),
            .choice("undeliverable-write", \.undeliverableWrite, expected: "an undeliverable-write behaviour",
                    all: UndeliverableWrite.allCases, name: \.rawValue),
            .choice("posted-error-signalling", \.postedErrorSignalling, expected: "a posted-error signalling path",
                    all: PostedErrorSignalling.allCases, name: \.rawValue),
            .bool("dpc", \.dpc),
            .choice("dpc-completion", \.dpcCompletion, expected: "a DPC completion status", all: ErrorResponse.allCases, name: \.rawValue),
            .bool("firmware-claims-sea", \.firmwareClaimsSEA),
            .nanoseconds("error-signal-latency-ns", \.errorSignalLatency),
            .nanoseconds("serror-latency-ns", \.serrorLatency),
            .nanoseconds("completion-timeout-ns", \.completionTimeout),
        ]
    }

    /// The starting point of a profile without a base, every key of which is required.
    static let zero = Self(
        rootComplexResponse: RootComplexResponseTable(uniform: .okayAllOnes), undeliverableWrite: .silentDrop,
        postedErrorSignalling: .aerInterrupt, dpc: false, dpcCompletion: .ur, firmwareClaimsSEA: false,
        errorSignalLatency: 0, serrorLatency: 0, completionTimeout: 0)
}

extension RootComplexResponseTable {
    /// One row per error kind, one key per request kind in each.
    static var yamlFields: [YAMLField<Self>] {
        ErrorKind.rootComplexAnswered.map { error in
            .section(error.rawValue, \.self, RequestKind.nonPosted.map { request in
                .choice(request.rawValue, \.[error, request], expected: "a bus response", all: BusResponse.allCases, name: \.rawValue)
            })
        }
    }
}

extension RASParameters {
    static var yamlFields: [YAMLField<Self>] {
        [
            .bool("feat-ras", \.featRAS),
            .bool("device-load-precise", \.deviceLoadPrecise),
            .bool("normal-load-precise", \.normalLoadPrecise),
            .section("syndromes", \.syndromes, SyndromeTable.yamlFields),
            .choice("firmware-syndrome", \.firmwareSyndrome, expected: "a syndrome", all: Syndrome.allCases, name: \.rawValue),
            .bool("speculative-errors-signalled", \.speculativeErrorsSignalled),
        ]
    }

    /// The starting point of a profile without a base, every key of which is required.
    static let zero = Self(
        featRAS: false, deviceLoadPrecise: false, normalLoadPrecise: false,
        syndromes: SyndromeTable(deviceLoad: .uncategorized, deviceStore: .uncategorized, normalLoad: .uncategorized, normalStore: .uncategorized),
        firmwareSyndrome: .uncategorized, speculativeErrorsSignalled: false)
}

extension SyndromeTable {
    static var yamlFields: [YAMLField<Self>] {
        [
            .choice("device-load", \.deviceLoad, expected: "a syndrome", all: Syndrome.allCases, name: \.rawValue),
            .choice("device-store", \.deviceStore, expected: "a syndrome", all: Syndrome.allCases, name: \.rawValue),
            .choice("normal-load", \.normalLoad, expected: "a syndrome", all: Syndrome.allCases, name: \.rawValue),
            .choice("normal-store", \.normalStore, expected: "a syndrome", all: Syndrome.allCases, name: \.rawValue),
        ]
    }
}

/// Scalars written so that the reader gives back the same string or number.
enum YAMLText {
    /// `text` plain when it is a simple word (`quiet-pcie`), else double-quoted.
    static func scalar(_ text: String) -> String {
        guard let first = text.utf8.first, first != UInt8(ascii: "-"), first != UInt8(ascii: "."),
              text.utf8.allSatisfy(isWordByte)
        else { return quoted(text) }
        return text
    }

    /// `text` double-quoted, with `"`, `\` and non-printing characters escaped.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x22: out += "\\\""
            case 0x5c: out += "\\\\"
            case 0..<0x20, 0x7f...0x9f, 0x2028, 0x2029, 0xfeff:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// `value` in decimal with `_` between thousands when it has five digits or more.
    static func grouped(_ value: Int) -> String {
        let digits = Array(String(value))
        guard digits.count >= 5 else { return String(digits) }
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out += "_" }
            out.append(digit)
        }
        return out
    }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"):
            true
        default: false
        }
    }
}
