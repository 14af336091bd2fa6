#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import ArmMemory
import Diagnostics
import PCIeTransport

/// Reads the native `.mtrace` text format (docs/trace-format.md) as a stream: the header's
/// topology when opened, then one event per call to ``next()``, in constant memory.
///
/// Every malformed input is an ``InputError`` at `file:line:column` that says what was expected
/// and what was found; no input makes the reader crash.
public final class MTraceReader: TraceEventSource {
    /// The format version this reader understands (`mtrace 1`).
    public static let formatVersion = 1

    public private(set) var topology = Topology()
    public let fileName: String
    public var line: Int { parallel?.line ?? lines.lineNumber }
    /// Threads that parse the events after the first (1: on the caller's thread, as it asks).
    public let parsingThreads: Int
    /// About how many bytes of lines each parsing thread takes at a time.
    private let chunkSize: Int
    public var readsAhead: Bool { parsingThreads > 1 }
    /// The events after the first, parsed on `parsingThreads` threads once the caller gets there.
    private var parallel: ParallelEventParsing<MTraceEventParser>? {
        didSet { unretainedParallel = parallel.map(Unmanaged.passUnretained) }
    }
    /// ``parallel``, called without the retain and release per event that loading it costs (~5%
    /// of a replay's thread).
    private var unretainedParallel: Unmanaged<ParallelEventParsing<MTraceEventParser>>?

    private let lines: LineBuffer
    /// A line read while looking for the end of the header, not yet parsed as an event.
    private var pendingEvent: UnsafeBufferPointer<UInt8>?
    /// The event grammar over the header's names (built after the header).
    @exclusivity(unchecked) private var parser: MTraceEventParser
    /// Where the parser builds an event read on the caller's thread.
    private let parsed = UnsafeMutablePointer<TraceEvent>.allocate(capacity: 1)
    /// Header bookkeeping, so that declaring n devices and regions costs O(n log n): ids by
    /// name, and the regions' address ranges (for the overlap check).
    private var deviceNames = NameTable()
    private var regionNames = NameTable()
    private var regionOverlaps = RegionOverlaps()
    /// Where each region's name is, for an overlap found after the region's line.
    private var regionNameLocations: [SourceLocation] = []
    /// The (address space, region) pairs mapped so far.
    private var mapped = Set<MappingKey>()
    private struct MappingKey: Hashable {
        var space: AddressSpace
        var region: RegionID
    }

    /// Opens the file at `path` (`-` for standard input) and reads its header.
    /// - Parameters:
    ///   - parsingThreads: Threads to parse the events on, in chunks of about `chunkSize` bytes
    ///     (the events, lines and errors are the same for any number).
    /// - Throws: ``InputUnavailableError`` when the file cannot be read, ``InputError`` when the
    ///   header is malformed.
    public convenience init(path: String, parsingThreads: Int = ParsingThreads.default, chunkSize: Int = 1 << 19) throws {
        try self.init(lines: LineBuffer(path: path), fileName: path, parsingThreads: parsingThreads, chunkSize: chunkSize)
    }

    /// Reads a trace held in memory; `fileName` is used in messages.
    public convenience init(text: String, fileName: String = "<input>", parsingThreads: Int = 1, chunkSize: Int = 1 << 19) throws {
        try self.init(lines: LineBuffer(bytes: Array(text.utf8)), fileName: fileName, parsingThreads: parsingThreads, chunkSize: chunkSize)
    }

    /// Reads a trace held in memory; `fileName` is used in messages.
    public convenience init(bytes: [UInt8], fileName: String = "<input>") throws {
        try self.init(lines: LineBuffer(bytes: bytes), fileName: fileName, parsingThreads: 1, chunkSize: 0)
    }

    private init(lines: LineBuffer, fileName: String, parsingThreads: Int, chunkSize: Int) throws {
        self.lines = lines
        self.fileName = fileName
        self.parsingThreads = max(parsingThreads, 1)
        self.chunkSize = max(chunkSize, 1)
        parser = MTraceEventParser(tables: MTraceEventParser.Tables(Topology(), regions: NameTable(), devices: NameTable()), fileName: fileName)
        try readHeader()
        parser = MTraceEventParser(tables: MTraceEventParser.Tables(topology, regions: regionNames, devices: deviceNames), fileName: fileName)
        regionNames = NameTable()
        deviceNames = NameTable()
    }

    deinit { parsed.deallocate() }

    public func next() throws -> TraceEvent? {
        if let unretainedParallel { return try unretainedParallel._withUnsafeGuaranteedRef { try $0.next() } }
        if let pending = pendingEvent {
            pendingEvent = nil
            parser.lineNumber = lines.lineNumber
            try parser.parseEvent(ByteScanner(pending), into: parsed)
            return parsed.move()
        }
        if parsingThreads > 1 {
            let rest = lines.handOver()
            let parallel = ParallelEventParsing(unread: rest.unread, descriptor: rest.descriptor, owned: rest.owned, firstLine: lines.lineNumber + 1,
                                                parser: parser, threads: parsingThreads, chunkSize: chunkSize, chunks: 2 * parsingThreads,
                                                maximumLineLength: lines.maximumLineLength) { _, _, _, _ in }
            self.parallel = parallel
            return try parallel.next()
        }
        while let bytes = try nextLine() {
            parser.lineNumber = lines.lineNumber
            if try parser.parseLine(bytes, into: parsed) { return parsed.move() }
        }
        return nil
    }

    /// Whether `range` of the scanner's line spells a header directive.
    static func isDirective(_ scanner: ByteScanner, _ range: Range<Int>) -> Bool { Directive(scanner, range) != nil }

    // MARK: - Lines and errors

    private func nextLine() throws -> UnsafeBufferPointer<UInt8>? { try lines.nextLine(file: fileName) }

    private func location(_ position: Int) -> SourceLocation {
        SourceLocation(file: fileName, line: lines.lineNumber, column: position + 1)
    }

    private func error(at position: Int, _ message: String) -> InputError {
        InputError(location(position), message)
    }

    private func error(at position: Int, expected: String, found: String, choices: [String] = []) -> InputError {
        InputError(location(position), expected: expected, found: found, choices: choices)
    }

    private func expectEndOfLine(_ scanner: ByteScanner) throws {
        guard scanner.restIsEmpty else {
            var s = scanner
            let extra = s.token()
            throw error(at: extra.lowerBound, expected: "end of line", found: s.text(extra))
        }
    }

    // MARK: - Header

    private enum Directive: String, CaseIterable {
        case mtrace, device, region, map, fault

        init?(_ scanner: ByteScanner, _ range: Range<Int>) {
            guard let match = Directive.allCases.first(where: { scanner.text(range) == $0.rawValue }) else { return nil }
            self = match
        }
    }

    /// Reads the header; an overlap of regions declared out of base order is found once the
    /// regions are all known (or a later line fails), and reported first: it came first.
    private func readHeader() throws {
        do {
            try readHeaderLines()
        } catch {
            if let overlap = firstRegionOverlap() { throw overlap }
            throw error
        }
        if let overlap = firstRegionOverlap() { throw overlap }
    }

    private func firstRegionOverlap() -> InputError? {
        regionOverlaps.firstOverlap().map { overlap in
            InputError(regionNameLocations[overlap.region],
                       "region '\(topology.regions[overlap.region].name)' overlaps region '\(topology.regions[overlap.other].name)'")
        }
    }

    private func readHeaderLines() throws {
        var sawVersion = false
        while let bytes = try nextLine() {
            var scanner = ByteScanner(bytes)
            if scanner.restIsEmpty { continue }
            scanner.skipSpaces()
            if scanner.current &- 0x30 < 10 {
                guard sawVersion else { throw error(at: scanner.position, expected: "the header 'mtrace 1'", found: scanner.text(scanner.token())) }
                pendingEvent = bytes
                return
            }
            let keyword = scanner.token()
            guard let directive = Directive(scanner, keyword) else {
                let found = scanner.text(keyword)
                if !sawVersion { throw error(at: keyword.lowerBound, expected: "the header 'mtrace 1'", found: found, choices: ["mtrace"]) }
                throw error(at: keyword.lowerBound, expected: "a directive (device, region, map, fault) or an event", found: found,
                            choices: Directive.allCases.map(\.rawValue))
            }
            if !sawVersion, directive != .mtrace {
                throw error(at: keyword.lowerBound, expected: "the header 'mtrace 1'", found: scanner.text(keyword))
            }
            switch directive {
            case .mtrace:
                if sawVersion { throw error(at: keyword.lowerBound, "duplicate 'mtrace' header") }
                let version = scanner.token()
                guard scanner.decimal(version) == UInt64(Self.formatVersion) else {
                    throw error(at: version.lowerBound, expected: "format version \(Self.formatVersion)", found: scanner.text(version))
                }
                sawVersion = true
            case .device: try parseDeviceDirective(&scanner)
            case .region: try parseRegionDirective(&scanner)
            case .map: try parseMapDirective(&scanner)
            case .fault:
                scanner.skipSpaces()
                var end = scanner.bytes.count
                while end > scanner.position, ByteScanner.isSpace(scanner.bytes[end - 1]) { end -= 1 }
                guard end > scanner.position else { throw error(at: scanner.position, expected: "a fault specification (docs/faults.md)", found: "") }
                topology.directives.append(TraceDirective(keyword: "fault", text: scanner.text(scanner.position..<end), location: location(scanner.position)))
                continue
            }
            try expectEndOfLine(scanner)
        }
        if !sawVersion {
            throw InputError(SourceLocation(file: fileName, line: max(lines.lineNumber, 1), column: 1),
                             "expected the header 'mtrace 1', found end of file")
        }
    }

    /// A declared name: a letter or `_`, then letters, digits, `_` and `-`.
    private func parseName(_ scanner: inout ByteScanner, what: String) throws -> (String, Range<Int>) {
        let range = scanner.token()
        let valid = !range.isEmpty && range.allSatisfy { i in
            let b = scanner.bytes[i]
            let letter = (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7a || b == 0x5f
            return letter || (i > range.lowerBound && (b &- 0x30 < 10 || b == 0x2d))
        }
        guard valid else {
            throw error(at: range.lowerBound, expected: "\(what) (a letter, then letters, digits, '_' or '-')", found: scanner.text(range))
        }
        return (scanner.text(range), range)
    }

    /// Reads `key=value` pairs to the end of the line (or a comment).
    private func parseKeyValues(_ scanner: inout ByteScanner, allowed: [String]) throws -> [(key: String, value: String, column: Int)] {
        var pairs: [(key: String, value: String, column: Int)] = []
        while !scanner.restIsEmpty {
            let range = scanner.token()
            guard let eq = range.first(where: { scanner.bytes[$0] == UInt8(ascii: "=") }) else {
                throw error(at: range.lowerBound, expected: "key=value (keys: \(allowed.joined(separator: ", ")))", found: scanner.text(range),
                            choices: allowed)
            }
            let key = scanner.text(range.lowerBound..<eq)
            guard allowed.contains(key) else {
                throw error(at: range.lowerBound, expected: "one of the keys \(allowed.joined(separator: ", "))", found: key, choices: allowed)
            }
            guard !pairs.contains(where: { $0.key == key }) else { throw error(at: range.lowerBound, "duplicate key '\(key)'") }
            pairs.append((key, scanner.text((eq + 1)..<range.upperBound), eq + 1))
        }
        return pairs
    }

    private func parseDeviceDirective(_ scanner: inout ByteScanner) throws {
        let (name, nameRange) = try parseName(&scanner, what: "a device name")
        guard topology.devices.count < Topology.maximumCount else {
            throw error(at: nameRange.lowerBound, expected: "at most \(Topology.maximumCount) devices (device ids are 32 bits)",
                        found: "device number \(topology.devices.count + 1)")
        }
        // Claimed at once (one hash): any error below ends the header anyway.
        guard deviceNames.insert(UnsafeBufferPointer(rebasing: scanner.bytes[nameRange])) != nil else {
            throw error(at: nameRange.lowerBound, "device '\(name)' is declared twice")
        }
        var device = Device(name: name)
        for pair in try parseKeyValues(&scanner, allowed: ["bdf", "model"]) {
            switch pair.key {
            case "bdf":
                guard let bdf = PCIAddress(parsing: pair.value) else {
                    throw error(at: pair.column, expected: "a PCI address like 0000:01:00.0", found: pair.value)
                }
                device.bdf = bdf
            default:
                guard Self.isName(pair.value) else {
                    throw error(at: pair.column, expected: "a device model name", found: pair.value)
                }
                device.model = pair.value
                topology.modelLocations[DeviceID(topology.devices.count)] = location(pair.column)
            }
        }
        topology.devices.append(device)
    }

    private static func isName(_ text: String) -> Bool {
        guard let first = text.utf8.first else { return false }
        let isLetter: (UInt8) -> Bool = { ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7a || $0 == 0x5f }
        return isLetter(first) && text.utf8.allSatisfy { isLetter($0) || $0 &- 0x30 < 10 || $0 == 0x2d }
    }

    private func parseRegionDirective(_ scanner: inout ByteScanner) throws {
        let (name, nameRange) = try parseName(&scanner, what: "a region name")
        guard topology.regions.count < Topology.maximumCount else {
            throw error(at: nameRange.lowerBound, expected: "at most \(Topology.maximumCount) regions (region ids are 32 bits)",
                        found: "region number \(topology.regions.count + 1)")
        }
        // Claimed at once (one hash): any error below ends the header anyway.
        guard regionNames.insert(UnsafeBufferPointer(rebasing: scanner.bytes[nameRange])) != nil else {
            throw error(at: nameRange.lowerBound, "region '\(name)' is declared twice")
        }
        let pairs = try parseKeyValues(&scanner, allowed: ["device", "kind", "base", "size", "prefetchable", "bar", "vma"])
        var device: DeviceID?
        var kind: RegionKind?
        var base: UInt64?
        var size: UInt64?
        var prefetchable = false
        var barIndex: UInt8?
        var hostMapping: HostMapping?
        for pair in pairs {
            switch pair.key {
            case "device":
                guard let id = deviceNames.find(pair.value).map({ DeviceID($0) }) else {
                    throw error(at: pair.column, expected: "a declared device", found: pair.value, choices: topology.devices.map(\.name))
                }
                device = id
            case "kind":
                guard let k = RegionKind(rawValue: pair.value.lowercased()) else {
                    throw error(at: pair.column, expected: "a region kind (\(RegionKind.allCases.map(\.rawValue).joined(separator: ", ")))",
                                found: pair.value, choices: RegionKind.allCases.map(\.rawValue))
                }
                kind = k
            case "base", "size":
                guard let v = Self.parseHex(pair.value) else {
                    throw error(at: pair.column, expected: "a hexadecimal \(pair.key) like 0xfe400000", found: pair.value)
                }
                if pair.key == "base" { base = v } else { size = v }
            case "bar":
                guard pair.value.count == 1, let n = UInt8(pair.value), n <= 5 else {
                    throw error(at: pair.column, expected: "a BAR number 0...5", found: pair.value)
                }
                barIndex = n
            case "vma":
                guard let mapping = HostMapping(rawValue: pair.value.lowercased()) else {
                    throw error(at: pair.column, expected: "a host mapping (\(HostMapping.allCases.map(\.rawValue).joined(separator: ", ")))",
                                found: pair.value, choices: HostMapping.allCases.map(\.rawValue))
                }
                hostMapping = mapping
            default:
                switch pair.value.lowercased() {
                case "yes": prefetchable = true
                case "no": prefetchable = false
                default: throw error(at: pair.column, expected: "yes or no", found: pair.value, choices: ["yes", "no"])
                }
            }
        }
        let missing = [("device", device == nil), ("kind", kind == nil), ("base", base == nil), ("size", size == nil)].filter(\.1).map { "\($0.0)=" }
        guard let device, let kind, let base, let size else {
            throw error(at: scanner.position, "region '\(name)' needs device=, kind=, base= and size=; missing \(missing.joined(separator: ", "))")
        }
        guard size > 0 else { throw error(at: nameRange.lowerBound, "region '\(name)' has size 0") }
        if barIndex != nil, kind != .bar { throw error(at: nameRange.lowerBound, "region '\(name)' has bar= but is not of kind bar") }
        guard Region.fits(base: base, size: size) else {
            let (expected, found) = Region.addressLimitExpectation(base: base, size: size)
            throw error(at: nameRange.lowerBound, expected: expected, found: found)
        }
        let region = Region(name: name, device: device, kind: kind, base: base, size: size, prefetchable: prefetchable, barIndex: barIndex,
                            hostMapping: hostMapping)
        if let other = regionOverlaps.add(base: base, last: base + (size - 1)) {
            throw error(at: nameRange.lowerBound, "region '\(name)' overlaps region '\(topology.regions[other].name)'")
        }
        regionNameLocations.append(location(nameRange.lowerBound))
        topology.regions.append(region)
    }

    private static func parseHex(_ text: String) -> UInt64? {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { ByteScanner($0).hex64(0..<bytes.count) }
    }

    private func parseMapDirective(_ scanner: inout ByteScanner) throws {
        let spaceRange = scanner.token()
        guard let space = AddressSpace(parsing: scanner.text(spaceRange)) else {
            throw error(at: spaceRange.lowerBound, expected: "an address space (vm0, vmm, vm1.vmm, host)", found: scanner.text(spaceRange), choices: ["vm0", "vmm", "host"])
        }
        let regionRange = scanner.token()
        guard let region = regionNames.find(UnsafeBufferPointer(rebasing: scanner.bytes[regionRange])).map({ RegionID($0) }) else {
            throw error(at: regionRange.lowerBound, expected: "a declared region", found: scanner.text(regionRange), choices: topology.regions.map(\.name))
        }
        let typeRange = scanner.token()
        guard let type = MemoryType(name: scanner.text(typeRange)) else {
            throw error(at: typeRange.lowerBound, expected: "a memory type (\(MemoryType.allCases.map(\.name).joined(separator: ", ")))",
                        found: scanner.text(typeRange), choices: MemoryType.allCases.map(\.name))
        }
        guard mapped.insert(MappingKey(space: space, region: region)).inserted else {
            throw error(at: spaceRange.lowerBound, "'\(space)' maps region '\(topology.regions[Int(region)].name)' twice")
        }
        topology.mappings.append(Mapping(addressSpace: space, region: region, type: type))
    }

}

extension PCIAddress {
    /// Parses `DDDD:BB:DD.F` or `BB:DD.F` (hex; device < 32, function < 8).
    public init?(parsing text: some StringProtocol) {
        // The hex fields in order (domain, bus, device, function or bus, device, function) and
        // how many digits each has; one pass over the bytes, no allocation.
        let parsed = withUnsafeTemporaryAllocation(of: (value: UInt32, digits: Int).self, capacity: 4) { fields -> PCIAddress? in
            fields.initialize(repeating: (0, 0))
            var field = 0, dot = false
            for byte in text.utf8 {
                if byte == UInt8(ascii: ":") || byte == UInt8(ascii: ".") {
                    guard !dot, field < 2 || byte == UInt8(ascii: "."), fields[field].digits > 0 else { return nil }
                    dot = byte == UInt8(ascii: ".")
                    field += 1
                } else {
                    guard let digit = byte.hexDigitValue, fields[field].digits < 4 else { return nil }
                    fields[field] = (fields[field].value << 4 | UInt32(digit), fields[field].digits + 1)
                }
            }
            guard dot, field == 2 || field == 3 else { return nil }
            let domain = field == 3 ? fields[0] : (value: 0, digits: 1)
            let (bus, device, function) = (fields[field - 2], fields[field - 1], fields[field])
            guard bus.digits <= 2, device.digits <= 2, function.digits == 1, device.value < 32, function.value < 8 else { return nil }
            return PCIAddress(domain: UInt16(domain.value), bus: UInt8(bus.value), device: UInt8(device.value), function: UInt8(function.value))
        }
        guard let parsed else { return nil }
        self = parsed
    }
}

extension AddressSpace {
    /// Parses `host`, `vmm`, `vmK.vmm` and `vmK`.
    public init?(parsing text: String) {
        if text == "host" { self = .host; return }
        if text == "vmm" { self = .vmm(vm: 0); return }
        guard text.hasPrefix("vm") else { return nil }
        let rest = text.dropFirst(2)
        let isDecimal = { (t: Substring) in !t.isEmpty && t.utf8.allSatisfy { $0 &- 0x30 < 10 } }
        if rest.hasSuffix(".vmm"), isDecimal(rest.dropLast(4)), let vm = UInt16(rest.dropLast(4)) {
            self = .vmm(vm: vm)
        } else if isDecimal(rest), let vm = UInt16(rest) {
            self = .guest(vm: vm)
        } else {
            return nil
        }
    }
}
