import Diagnostics

/// How the trace events of QEMU's emulated devices (`pci_nvme_*`, ...) become trace events:
/// per event name, the event kind and a pattern that names the fields of its arguments.
///
/// Users extend it with a YAML file (``load(yaml:file:)``; format in `docs/qemu-log.md`) and
/// ``merging(_:)`` it over ``builtIn``. Memory accesses it describes yield to
/// `memory_region_ops_*` and configuration accesses to the importer's own config events when
/// the log has those (see ``QEMULogReader``).
public struct QEMULogMapping: Hashable, Sendable {
    /// What an event becomes.
    public enum Kind: String, CaseIterable, Hashable, Sendable {
        case read, write
        case configRead = "config-read"
        case configWrite = "config-write"
        case resetFLR = "reset-flr"
        case resetHot = "reset-hot"
        /// A mark whose text is the event name and its arguments.
        case mark
        /// Dropped (counted in ``QEMULogReader/ignored``).
        case ignore

        /// The pattern captures the kind needs.
        var requiredFields: [QEMULogPattern.Field] {
            switch self {
            case .read, .configRead: [.offset, .size]
            case .write, .configWrite: [.offset, .value, .size]
            case .resetFLR, .resetHot, .mark, .ignore: []
            }
        }

        /// Whether the event concerns one device, named by `device` or a `{device}` capture.
        var needsDevice: Bool { self != .mark && self != .ignore }
    }

    /// The mapping of one event name.
    public struct Entry: Hashable, Sendable {
        public var kind: Kind
        /// The shape of the arguments; nil matches anything (marks, ignores and resets only).
        public var pattern: QEMULogPattern?
        /// The device's name in the topology, when the pattern does not capture `{device}`.
        public var device: String?
        /// The BAR index of memory accesses, when the pattern does not capture `{region}`.
        public var region: UInt8

        public init(kind: Kind, pattern: QEMULogPattern? = nil, device: String? = nil, region: UInt8 = 0) {
            self.kind = kind
            self.pattern = pattern
            self.device = device
            self.region = region
        }
    }

    /// Entries by event name.
    public var events: [String: Entry]
    /// The base address of the ECAM window (`pcie-mmcfg-mmio`); nil: each address rounded down
    /// to 256 MiB (q35's window is 0xb0000000).
    public var ecamBase: UInt64?

    public init(events: [String: Entry] = [:], ecamBase: UInt64? = nil) {
        self.events = events
        self.ecamBase = ecamBase
    }

    /// These mappings with `other`'s entries (and ECAM base, when it has one) taking precedence.
    public func merging(_ other: QEMULogMapping) -> QEMULogMapping {
        QEMULogMapping(events: events.merging(other.events) { $1 }, ecamBase: other.ecamBase ?? ecamBase)
    }

    /// QEMU's NVMe model (`hw/nvme/trace-events`): register accesses and the reset; doorbell
    /// events are ignored because the doorbell write itself is a register write. The model's
    /// reset handler is a mark: QEMU runs it at power-on and machine reset (the device starts
    /// fresh; not an FLR that makes it answer UR for 100 ms), and after a guest's Initiate FLR,
    /// whose configuration write the importer already keeps (the device model resets on it).
    public static let builtIn: QEMULogMapping = {
        func pattern(_ text: String) -> QEMULogPattern {
            guard let pattern = try? QEMULogPattern(text) else { preconditionFailure("built-in pattern '\(text)'") }
            return pattern
        }
        return QEMULogMapping(events: [
            "pci_nvme_mmio_write": Entry(kind: .write, pattern: pattern("addr 0x{offset} data 0x{value} size {size}"), device: "nvme"),
            "pci_nvme_mmio_read": Entry(kind: .read, pattern: pattern("addr 0x{offset} size {size}"), device: "nvme"),
            "pci_nvme_mmio_doorbell_sq": Entry(kind: .ignore),
            "pci_nvme_mmio_doorbell_cq": Entry(kind: .ignore),
            "pci_nvme_pci_reset": Entry(kind: .mark),
        ])
    }()

    /// Events the importer reads itself; a mapping cannot redefine them.
    public static let importerEvents: [String] = QEMULogEvent.allCases.map(\.rawValue)
}

/// The shape of an event's arguments: literal text, spaces, and `{field}` captures.
///
/// A space matches one or more spaces; literals match ignoring ASCII case. A capture takes the
/// bytes up to the first byte of the literal after it, or up to a space; the last element of a
/// pattern captures the rest of the line. Numbers are hexadecimal after a literal ending in
/// `0x` or when they start with `0x`, decimal otherwise. The pattern must match all of the
/// arguments (leading and trailing spaces aside).
public struct QEMULogPattern: Hashable, Sendable {
    /// What a capture names.
    public enum Field: String, CaseIterable, Hashable, Sendable {
        /// The offset in a BAR (memory accesses) or in configuration space.
        case offset
        /// The value written or read.
        case value
        /// The access size in bytes.
        case size
        /// A device: its name in the topology, or its PCI address.
        case device
        /// A BAR index, 0–5.
        case region
        /// Text to skip.
        case skip = "_"
    }

    enum Element: Hashable, Sendable {
        case literal([UInt8])
        case space
        case capture(Field, hex: Bool)
    }

    /// A malformed pattern: what is wrong, at a byte offset of the text.
    public struct SyntaxError: Error, Hashable, Sendable {
        public var offset: Int
        public var message: String
    }

    /// The pattern as written.
    public let text: String
    let elements: [Element]

    /// Parses a pattern.
    /// - Throws: ``SyntaxError`` for an unclosed or empty `{`, an unknown field, a field captured
    ///   twice, or two captures with nothing between them.
    public init(_ text: String) throws(SyntaxError) {
        self.text = text
        let bytes = Array(text.utf8)
        var elements: [Element] = []
        var seen: Set<Field> = []
        var literal: [UInt8] = []
        var i = 0
        while i < bytes.count, bytes[i] == 0x20 { i += 1 }
        func flush() {
            if !literal.isEmpty { elements.append(.literal(literal)); literal = [] }
        }
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x20 {
                flush()
                while i < bytes.count, bytes[i] == 0x20 { i += 1 }
                if i < bytes.count { elements.append(.space) }
                continue
            }
            guard b == UInt8(ascii: "{") else {
                literal.append(b)
                i += 1
                continue
            }
            guard let close = bytes[(i + 1)...].firstIndex(where: { $0 == UInt8(ascii: "}") || $0 == UInt8(ascii: "{") || $0 == 0x20 }),
                  bytes[close] == UInt8(ascii: "}") else {
                throw SyntaxError(offset: i, message: "expected '}' to close the capture opened here")
            }
            let name = String(decoding: bytes[(i + 1)..<close], as: UTF8.self)
            guard let field = Field(rawValue: name) else {
                let names = Field.allCases.map(\.rawValue)
                let suggestion = Suggestion.closest(to: name, among: names).map { "; did you mean '\($0)'?" } ?? ""
                throw SyntaxError(offset: i + 1, message: "expected a field (\(names.joined(separator: ", "))), found \(InputError.quote(name))\(suggestion)")
            }
            if case .capture = elements.last, literal.isEmpty {
                throw SyntaxError(offset: i, message: "expected text or a space between two captures, found '{\(name)}'")
            }
            guard field == .skip || seen.insert(field).inserted else {
                throw SyntaxError(offset: i, message: "field '\(name)' is captured twice")
            }
            let hex = literal.count >= 2 && literal[literal.count - 2] == 0x30 && literal[literal.count - 1] | 0x20 == 0x78
            flush()
            elements.append(.capture(field, hex: hex))
            i = close + 1
        }
        flush()
        self.elements = elements
    }

    /// The fields the pattern captures.
    public var fields: [Field] {
        elements.compactMap { if case .capture(let field, _) = $0, field != .skip { field } else { nil } }
    }
}
