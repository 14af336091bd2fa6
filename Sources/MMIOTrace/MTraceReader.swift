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
    public var line: Int { lines.lineNumber }

    private let lines: LineBuffer
    /// A line read while looking for the end of the header, not yet parsed as an event.
    private var pendingEvent: UnsafeBufferPointer<UInt8>?
    /// Region names and bases, and device names, for the event loop (built after the header).
    @exclusivity(unchecked) private var regionTable = NameTable(names: [], values: [])
    @exclusivity(unchecked) private var deviceTable = NameTable(names: [], values: [])
    /// Header bookkeeping, so that declaring n devices and regions costs O(n log n): ids by
    /// name, and the regions' address ranges (for the overlap check).
    private var devicesByName: [String: DeviceID] = [:]
    private var regionsByName: [String: RegionID] = [:]
    private var regionOverlaps = RegionOverlaps()
    /// Where each region's name is, for an overlap found after the region's line.
    private var regionNameLocations: [SourceLocation] = []
    /// The (address space, region) pairs mapped so far.
    private var mapped = Set<MappingKey>()
    private struct MappingKey: Hashable {
        var space: AddressSpace
        var region: RegionID
    }
    /// The region the previous access named: consecutive accesses usually share it.
    @exclusivity(unchecked) private var lastRegion = 0
    /// The regions by address, for accesses by absolute address (built after the header).
    private var regionIndex = AddressIndex([Region]())

    /// Opens the file at `path` (`-` for standard input) and reads its header.
    /// - Throws: ``InputUnavailableError`` when the file cannot be read, ``InputError`` when the
    ///   header is malformed.
    public convenience init(path: String) throws {
        try self.init(lines: LineBuffer(path: path), fileName: path)
    }

    /// Reads a trace held in memory; `fileName` is used in messages.
    public convenience init(text: String, fileName: String = "<input>") throws {
        try self.init(lines: LineBuffer(bytes: Array(text.utf8)), fileName: fileName)
    }

    /// Reads a trace held in memory; `fileName` is used in messages.
    public convenience init(bytes: [UInt8], fileName: String = "<input>") throws {
        try self.init(lines: LineBuffer(bytes: bytes), fileName: fileName)
    }

    private init(lines: LineBuffer, fileName: String) throws {
        self.lines = lines
        self.fileName = fileName
        try readHeader()
        regionTable.deallocate()
        deviceTable.deallocate()
        regionTable = NameTable(names: topology.regions.map(\.name), values: topology.regions.map(\.base))
        deviceTable = NameTable(names: topology.devices.map(\.name), values: [])
        regionIndex = AddressIndex(topology.regions)
    }

    deinit {
        regionTable.deallocate()
        deviceTable.deallocate()
    }

    public func next() throws -> TraceEvent? {
        if let pending = pendingEvent {
            pendingEvent = nil
            return try parseEvent(ByteScanner(pending))
        }
        while let bytes = try nextLine() {
            var scanner = ByteScanner(bytes)
            if scanner.restIsEmpty { continue }
            scanner.skipSpaces()
            let first = scanner.current
            if first &- 0x30 < 10 { return try parseEvent(scanner) }
            let keyword = scanner.token()
            if Directive(scanner, keyword) != nil {
                throw error(at: keyword.lowerBound, "topology directive '\(scanner.text(keyword))' after the first event; move it into the header")
            }
            throw error(at: keyword.lowerBound, expected: "an event (a timestamp in nanoseconds)", found: scanner.text(keyword))
        }
        return nil
    }

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
        guard devicesByName.updateValue(DeviceID(topology.devices.count), forKey: name) == nil else {
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
        guard regionsByName.updateValue(RegionID(topology.regions.count), forKey: name) == nil else {
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
                guard let id = devicesByName[pair.value] else {
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
        guard let region = regionsByName[scanner.text(regionRange)] else {
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

    // MARK: - Events

    private func parseEvent(_ input: ByteScanner) throws -> TraceEvent {
        var scanner = input
        let ns: UInt64
        if let fast = scanner.fastDecimal() {
            ns = fast
        } else {
            let timeRange = scanner.token()
            guard let exact = scanner.decimal(timeRange) else {
                throw error(at: timeRange.lowerBound, expected: "a timestamp in nanoseconds (a decimal integer)", found: scanner.text(timeRange))
            }
            ns = exact
        }
        let agentRange = scanner.token()
        guard let agent = Self.agent(scanner, agentRange) else {
            throw error(at: agentRange.lowerBound, expected: "an agent (vcpuN, vmm, host, vmK.vcpuN, vmK.vmm)", found: scanner.text(agentRange),
                        choices: ["host", "vmm", "vcpu0"])
        }
        let kindRange = scanner.token()
        let kind: EventKind
        switch EventKeyword(scanner, kindRange) {
        case .read:
            var access = try parseAddress(&scanner)
            access.size = try parseSize(&scanner, allowed: 1...64)
            if scanner.restIsEmpty {
                access.hasValue = false
            } else {
                let arrow = scanner.token()
                guard scanner.matches(arrow, "->") else {
                    throw error(at: arrow.lowerBound, expected: "'->' before the value read, or end of line", found: scanner.text(arrow))
                }
                access.value = try parseValue(&scanner, size: Int(access.size))
            }
            kind = .read(access)
        case .write:
            var access = try parseAddress(&scanner)
            access.size = try parseSize(&scanner, allowed: 1...64)
            access.value = try parseValue(&scanner, size: Int(access.size))
            kind = .write(access)
        case .dmb, .dsb:
            let optionRange = scanner.token()
            guard let (domain, accesses) = Self.barrierOption(scanner, optionRange) else {
                throw error(at: optionRange.lowerBound, expected: "a barrier option (sy, st, ld, ish, ishst, ishld, osh, oshst, oshld, nsh, nshst, nshld)",
                            found: scanner.text(optionRange), choices: Self.barrierOptions)
            }
            kind = .barrier(EventKeyword(scanner, kindRange) == .dmb ? .dmb(domain, accesses) : .dsb(domain, accesses))
        case .isb:
            kind = .barrier(.isb)
        case .exit, .entry:
            guard agent.role == .vcpu else {
                throw error(at: agentRange.lowerBound, expected: "a vCPU agent for '\(scanner.text(kindRange))'", found: scanner.text(agentRange))
            }
            kind = EventKeyword(scanner, kindRange) == .exit ? .guestExit : .guestEntry
        case .teardown:
            try requireHost(agent, agentRange, scanner, kindRange)
            kind = .teardown(vm: try parseVM(&scanner))
        case .unmap:
            try requireHost(agent, agentRange, scanner, kindRange)
            let regionRange = scanner.token()
            guard let region = regionID(scanner, regionRange) else {
                throw error(at: regionRange.lowerBound, expected: "a declared region", found: scanner.text(regionRange), choices: topology.regions.map(\.name))
            }
            kind = .unmap(region: region, vm: scanner.restIsEmpty ? 0 : try parseVM(&scanner))
        case .tlbi:
            try requireHost(agent, agentRange, scanner, kindRange)
            let opRange = scanner.token()
            guard let op = TLBInvalidation.Operation(rawValue: scanner.text(opRange).lowercased()) else {
                throw error(at: opRange.lowerBound, expected: "a TLBI operation (ipas2e1is, vmalle1is, vmalls12e1is)",
                            found: scanner.text(opRange), choices: TLBInvalidation.Operation.allCases.map(\.rawValue))
            }
            var tlbi = TLBInvalidation(operation: op)
            if op == .ipas2e1is {
                let access = try parseAddress(&scanner)
                tlbi.address = access.address
                tlbi.region = access.region
            }
            if !scanner.restIsEmpty { tlbi.vm = try parseVM(&scanner) }
            kind = .tlbi(tlbi)
        case .configRead, .configWrite:
            let isRead = EventKeyword(scanner, kindRange) == .configRead
            let device = try parseDeviceName(&scanner)
            let offsetRange = scanner.token()
            guard let offset = scanner.hex64(offsetRange), offset <= 0xfff else {
                throw error(at: offsetRange.lowerBound, expected: "a configuration-space offset 0x0...0xfff", found: scanner.text(offsetRange))
            }
            let size = try parseSize(&scanner, allowed: 1...4, architectural: [1, 2, 4])
            var access = ConfigAccess(device: device, offset: UInt16(offset), size: size)
            if isRead, scanner.restIsEmpty {
                access.hasValue = false
            } else {
                if isRead {
                    let arrow = scanner.token()
                    guard scanner.matches(arrow, "->") else {
                        throw error(at: arrow.lowerBound, expected: "'->' before the value read, or end of line", found: scanner.text(arrow))
                    }
                }
                access.value = UInt32(truncatingIfNeeded: try parseValue(&scanner, size: Int(size)).low64)
            }
            kind = isRead ? .configRead(access) : .configWrite(access)
        case .reset:
            guard agent.role != .vcpu else {
                throw error(at: agentRange.lowerBound, expected: "the host or a VMM for 'reset'", found: scanner.text(agentRange))
            }
            let resetRange = scanner.token()
            guard let reset = ResetKind(rawValue: scanner.text(resetRange).lowercased()) else {
                throw error(at: resetRange.lowerBound, expected: "a reset kind (flr, hot, controller)", found: scanner.text(resetRange),
                            choices: ResetKind.allCases.map(\.rawValue))
            }
            kind = .reset(reset, device: try parseDeviceName(&scanner))
        case .mark:
            scanner.skipSpaces()
            var end = scanner.bytes.count
            while end > scanner.position, ByteScanner.isSpace(scanner.bytes[end - 1]) { end -= 1 }
            let text = scanner.text(scanner.position..<end)
            return TraceEvent(time: TraceTime(nanoseconds: ns), agent: agent, kind: .mark(text))
        case nil:
            throw error(at: kindRange.lowerBound, expected: "an event kind", found: scanner.text(kindRange), choices: EventKeyword.allCases.map(\.spelling))
        }
        try expectEndOfLine(scanner)
        return TraceEvent(time: TraceTime(nanoseconds: ns), agent: agent, kind: kind)
    }

    private func requireHost(_ agent: Agent, _ agentRange: Range<Int>, _ scanner: ByteScanner, _ kindRange: Range<Int>) throws {
        guard agent.role == .host else {
            throw error(at: agentRange.lowerBound, expected: "the host agent for '\(scanner.text(kindRange))'", found: scanner.text(agentRange))
        }
    }

    /// The event keywords, recognised without building strings.
    private enum EventKeyword: CaseIterable {
        case read, write, dmb, dsb, isb, exit, entry, teardown, unmap, tlbi, configRead, configWrite, reset, mark

        var spelling: String {
            switch self {
            case .configRead: "cfg-read"
            case .configWrite: "cfg-write"
            default: "\(self)"
            }
        }

        @inline(__always)
        init?(_ s: ByteScanner, _ r: Range<Int>) {
            switch r.count {
            case 3:
                if s.matches(r, "dmb") { self = .dmb } else if s.matches(r, "dsb") { self = .dsb } else if s.matches(r, "isb") { self = .isb } else { return nil }
            case 4:
                if s.matches(r, "read") { self = .read } else if s.matches(r, "exit") { self = .exit } else if s.matches(r, "tlbi") { self = .tlbi }
                else if s.matches(r, "mark") { self = .mark } else { return nil }
            case 5:
                if s.matches(r, "write") { self = .write } else if s.matches(r, "entry") { self = .entry } else if s.matches(r, "unmap") { self = .unmap }
                else if s.matches(r, "reset") { self = .reset } else { return nil }
            case 8:
                if s.matches(r, "teardown") { self = .teardown } else if s.matches(r, "cfg-read") { self = .configRead } else { return nil }
            case 9:
                if s.matches(r, "cfg-write") { self = .configWrite } else { return nil }
            default:
                return nil
            }
        }
    }

    /// Parses `host`, `vmm`, `vcpuN`, `vmK.vmm`, `vmK.vcpuN`.
    @inline(__always)
    private static func agent(_ s: ByteScanner, _ range: Range<Int>) -> Agent? {
        var r = range
        var vm: UInt16 = 0
        if r.count > 3, s.bytes[r.lowerBound] == UInt8(ascii: "v"), s.bytes[r.lowerBound + 1] == UInt8(ascii: "m"),
           s.bytes[r.lowerBound + 2] &- 0x30 < 10 {
            guard let dot = r.first(where: { s.bytes[$0] == UInt8(ascii: ".") }),
                  let k = s.decimal((r.lowerBound + 2)..<dot), k <= UInt64(UInt16.max) else { return nil }
            vm = UInt16(k)
            r = (dot + 1)..<r.upperBound
        }
        if s.matches(r, "vmm") { return .vmm(vm: vm) }
        if vm == 0, r == range, s.matches(r, "host") { return .host }
        guard r.count > 4, s.matches(r.lowerBound..<(r.lowerBound + 4), "vcpu"),
              let n = s.decimal((r.lowerBound + 4)..<r.upperBound), n <= UInt64(UInt16.max) else { return nil }
        return .vcpu(UInt16(n), vm: vm)
    }

    private static let barrierOptions = BarrierDomain.allCases.flatMap { d in BarrierAccesses.allCases.map { Barrier.optionSpelling(d, $0) } }

    /// Parses a barrier option (`sy`, `st`, `ld`, `ish`, `ishst`, ... case-insensitively)
    /// without building strings.
    @inline(__always)
    private static func barrierOption(_ s: ByteScanner, _ range: Range<Int>) -> (BarrierDomain, BarrierAccesses)? {
        let lower = { (i: Int) in s.bytes[range.lowerBound + i] | 0x20 }
        func accesses(from i: Int) -> BarrierAccesses? {
            switch range.count - i {
            case 0: return .all
            case 2 where lower(i + 1) == UInt8(ascii: "t") && lower(i) == UInt8(ascii: "s"): return .stores
            case 2 where lower(i + 1) == UInt8(ascii: "d") && lower(i) == UInt8(ascii: "l"): return .loads
            default: return nil
            }
        }
        guard range.count >= 2 else { return nil }
        switch (lower(0), lower(1)) {
        case (UInt8(ascii: "s"), UInt8(ascii: "y")) where range.count == 2: return (.fullSystem, .all)
        case (UInt8(ascii: "s"), UInt8(ascii: "t")) where range.count == 2: return (.fullSystem, .stores)
        case (UInt8(ascii: "l"), UInt8(ascii: "d")) where range.count == 2: return (.fullSystem, .loads)
        default: break
        }
        guard range.count >= 3, lower(1) == UInt8(ascii: "s"), lower(2) == UInt8(ascii: "h") else { return nil }
        let domain: BarrierDomain
        switch lower(0) {
        case UInt8(ascii: "i"): domain = .innerShareable
        case UInt8(ascii: "o"): domain = .outerShareable
        case UInt8(ascii: "n"): domain = .nonShareable
        default: return nil
        }
        return accesses(from: 3).map { (domain, $0) }
    }

    /// `vmK`.
    private func parseVM(_ scanner: inout ByteScanner) throws -> UInt16 {
        let range = scanner.token()
        guard range.count > 2, scanner.matches(range.lowerBound..<(range.lowerBound + 2), "vm"),
              let k = scanner.decimal((range.lowerBound + 2)..<range.upperBound), k <= UInt64(UInt16.max) else {
            throw error(at: range.lowerBound, expected: "a VM (vm0, vm1, ...)", found: scanner.text(range))
        }
        return UInt16(k)
    }

    private func regionID(_ scanner: ByteScanner, _ range: Range<Int>) -> RegionID? {
        guard let i = regionTable.find(scanner, range, hint: lastRegion) else { return nil }
        lastRegion = i
        return RegionID(i)
    }

    private func parseDeviceName(_ scanner: inout ByteScanner) throws -> DeviceID {
        let range = scanner.token()
        if let i = deviceTable.find(scanner, range) { return DeviceID(i) }
        throw error(at: range.lowerBound, expected: "a declared device", found: scanner.text(range), choices: topology.devices.map(\.name))
    }

    /// `REGION+0xOFFSET` or an absolute `0xADDRESS`; fills address and region.
    @inline(__always)
    private func parseAddress(_ scanner: inout ByteScanner) throws -> MemoryAccess {
        let before = scanner.position
        if let (name, offset) = scanner.fastRegionOffset(), let region = regionID(scanner, name) {
            let base = regionTable.values[Int(region)]
            if offset <= UInt64.max - base { return MemoryAccess(address: base + offset, region: region, size: 0) }
        }
        scanner.position = before
        let range = scanner.token()
        if scanner.hasHexPrefix(range) {
            guard let address = scanner.hex64(range) else {
                throw error(at: range.lowerBound, expected: "an address (REGION+0xOFFSET or 0xADDRESS, at most 64 bits)", found: scanner.text(range))
            }
            return MemoryAccess(address: address, region: regionIndex.first(containing: address).map { RegionID($0) }, size: 0)
        }
        var plus = range.lowerBound
        while plus < range.upperBound, scanner.bytes[plus] != UInt8(ascii: "+") { plus += 1 }
        guard plus < range.upperBound else {
            throw error(at: range.lowerBound, expected: "an address (REGION+0xOFFSET or 0xADDRESS)", found: scanner.text(range))
        }
        let nameRange = range.lowerBound..<plus
        guard let region = regionID(scanner, nameRange) else {
            throw error(at: range.lowerBound, expected: "a declared region", found: scanner.text(nameRange), choices: topology.regions.map(\.name))
        }
        let offsetRange = (plus + 1)..<range.upperBound
        let base = regionTable.values[Int(region)]
        guard let offset = scanner.hex64(offsetRange), offset <= UInt64.max - base else {
            throw error(at: plus + 1, expected: "a hexadecimal offset like 0x44", found: scanner.text(offsetRange))
        }
        return MemoryAccess(address: base + offset, region: region, size: 0)
    }

    @inline(__always)
    private func parseSize(_ scanner: inout ByteScanner, allowed: ClosedRange<UInt64>, architectural: [UInt8]? = nil) throws -> UInt8 {
        let before = scanner.position
        if architectural == nil, let size = scanner.fastDecimal(), allowed.contains(size) { return UInt8(size) }
        scanner.position = before
        let range = scanner.token()
        guard let size = scanner.decimal(range), allowed.contains(size), architectural?.contains(UInt8(size)) ?? true else {
            let choices = architectural.map { $0.map(String.init).joined(separator: ", ") } ?? "\(allowed.lowerBound)...\(allowed.upperBound)"
            throw error(at: range.lowerBound, expected: "an access size in bytes (\(choices))", found: scanner.text(range))
        }
        return UInt8(size)
    }

    @inline(__always)
    private func parseValue(_ scanner: inout ByteScanner, size: Int) throws -> AccessValue {
        let before = scanner.position
        if let small = scanner.fastHex64(), size >= 8 || small >> UInt64(size * 8) == 0 { return AccessValue(small) }
        scanner.position = before
        let range = scanner.token()
        if range.count <= 18, let small = scanner.hex64(range) {
            guard size >= 8 || small >> UInt64(size * 8) == 0 else {
                throw error(at: range.lowerBound, "value \(scanner.text(range)) does not fit in \(size) byte\(size == 1 ? "" : "s")")
            }
            return AccessValue(small)
        }
        guard let value = scanner.hexValue(range) else {
            throw error(at: range.lowerBound, expected: "a hexadecimal value like 0x1f", found: scanner.text(range))
        }
        guard value.fits(inBytes: size) else {
            throw error(at: range.lowerBound, "value \(scanner.text(range)) does not fit in \(size) byte\(size == 1 ? "" : "s")")
        }
        return value
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
                    guard let digit = ByteScanner.hexDigit(byte), fields[field].digits < 4 else { return nil }
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
