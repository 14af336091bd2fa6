import ArmMemory
import Diagnostics
import PCIeTransport

/// The event grammar of `.mtrace` (docs/trace-format.md): one line in, one ``TraceEvent`` out,
/// or an ``InputError`` at `file:line:column`. A value with its own line number and region hint,
/// so that several threads can parse the lines of one trace at once over shared ``Tables``.
struct MTraceEventParser: ChunkedLineParser {
    /// What the header declared, as the event loop looks it up; immutable once built, so parsers
    /// on several threads share it.
    final class Tables: Sendable {
        /// The names the header declared, ids in declaration order.
        let regions: NameTable
        let devices: NameTable
        let regionBases: [UInt64]
        /// The regions by address, for accesses by absolute address.
        let regionIndex: AddressIndex
        /// For error messages' suggestions.
        let regionNames: [String]
        let deviceNames: [String]

        /// - Precondition: `regions` and `devices` name the topology's regions and devices.
        init(_ topology: Topology, regions: NameTable, devices: NameTable) {
            self.regions = regions
            self.devices = devices
            regionBases = topology.regions.map(\.base)
            regionIndex = AddressIndex(topology.regions)
            regionNames = topology.regions.map(\.name)
            deviceNames = topology.devices.map(\.name)
        }
    }

    let tables: Tables
    var fileName: String
    /// The line being parsed, for error locations.
    var lineNumber = 0
    /// The region the previous access named: consecutive accesses usually share it.
    private var lastRegion = 0

    init(tables: Tables, fileName: String) {
        self.tables = tables
        self.fileName = fileName
    }

    /// Initializes `event` with the event on a line after the header and returns true, or
    /// returns false for a blank or comment line. The event is built where it goes: returned, a
    /// ~110-byte event was copied at each level.
    /// - Throws: ``InputError`` for a malformed event, or a directive after the first event.
    @inline(__always)
    mutating func parseLine(_ bytes: UnsafeBufferPointer<UInt8>, into event: UnsafeMutablePointer<TraceEvent>) throws -> Bool {
        var scanner = ByteScanner(bytes)
        if scanner.restIsEmpty { return false }
        scanner.skipSpaces()
        if scanner.current &- 0x30 < 10 {
            try parseEvent(scanner, into: event)
            return true
        }
        let keyword = scanner.token()
        if MTraceReader.isDirective(scanner, keyword) {
            throw error(at: keyword.lowerBound, "topology directive '\(scanner.text(keyword))' after the first event; move it into the header")
        }
        throw error(at: keyword.lowerBound, expected: "an event (a timestamp in nanoseconds)", found: scanner.text(keyword))
    }

    private func error(at position: Int, _ message: String) -> InputError {
        InputError(SourceLocation(file: fileName, line: lineNumber, column: position + 1), message)
    }

    private func error(at position: Int, expected: String, found: String, choices: [String] = []) -> InputError {
        InputError(SourceLocation(file: fileName, line: lineNumber, column: position + 1), expected: expected, found: found, choices: choices)
    }

    private func expectEndOfLine(_ scanner: ByteScanner) throws {
        guard scanner.restIsEmpty else {
            var s = scanner
            let extra = s.token()
            throw error(at: extra.lowerBound, expected: "end of line", found: s.text(extra))
        }
    }

    /// Initializes `event` with the event on a line that starts (after blanks) with its timestamp.
    mutating func parseEvent(_ input: ByteScanner, into event: UnsafeMutablePointer<TraceEvent>) throws {
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
                throw error(at: regionRange.lowerBound, expected: "a declared region", found: scanner.text(regionRange), choices: tables.regionNames)
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
            return event.initialize(to: TraceEvent(time: TraceTime(nanoseconds: ns), agent: agent, kind: .mark(MarkText(text))))
        case nil:
            throw error(at: kindRange.lowerBound, expected: "an event kind", found: scanner.text(kindRange), choices: EventKeyword.allCases.map(\.spelling))
        }
        try expectEndOfLine(scanner)
        event.initialize(to: TraceEvent(time: TraceTime(nanoseconds: ns), agent: agent, kind: kind))
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
    private mutating func parseVM(_ scanner: inout ByteScanner) throws -> UInt16 {
        let range = scanner.token()
        guard range.count > 2, scanner.matches(range.lowerBound..<(range.lowerBound + 2), "vm"),
              let k = scanner.decimal((range.lowerBound + 2)..<range.upperBound), k <= UInt64(UInt16.max) else {
            throw error(at: range.lowerBound, expected: "a VM (vm0, vm1, ...)", found: scanner.text(range))
        }
        return UInt16(k)
    }

    private mutating func regionID(_ scanner: ByteScanner, _ range: Range<Int>) -> RegionID? {
        guard let i = tables.regions.find(scanner, range, hint: lastRegion) else { return nil }
        lastRegion = i
        return RegionID(i)
    }

    private mutating func parseDeviceName(_ scanner: inout ByteScanner) throws -> DeviceID {
        let range = scanner.token()
        if let i = tables.devices.find(scanner, range) { return DeviceID(i) }
        throw error(at: range.lowerBound, expected: "a declared device", found: scanner.text(range), choices: tables.deviceNames)
    }

    /// `REGION+0xOFFSET` or an absolute `0xADDRESS`; fills address and region.
    @inline(__always)
    private mutating func parseAddress(_ scanner: inout ByteScanner) throws -> MemoryAccess {
        let before = scanner.position
        if let (name, offset) = scanner.fastRegionOffset(), let region = regionID(scanner, name) {
            let base = tables.regionBases[Int(region)]
            if offset <= UInt64.max - base { return MemoryAccess(address: base + offset, region: region, size: 0) }
        }
        scanner.position = before
        let range = scanner.token()
        if scanner.hasHexPrefix(range) {
            guard let address = scanner.hex64(range) else {
                throw error(at: range.lowerBound, expected: "an address (REGION+0xOFFSET or 0xADDRESS, at most 64 bits)", found: scanner.text(range))
            }
            return MemoryAccess(address: address, region: tables.regionIndex.first(containing: address).map { RegionID($0) }, size: 0)
        }
        var plus = range.lowerBound
        while plus < range.upperBound, scanner.bytes[plus] != UInt8(ascii: "+") { plus += 1 }
        guard plus < range.upperBound else {
            throw error(at: range.lowerBound, expected: "an address (REGION+0xOFFSET or 0xADDRESS)", found: scanner.text(range))
        }
        let nameRange = range.lowerBound..<plus
        guard let region = regionID(scanner, nameRange) else {
            throw error(at: range.lowerBound, expected: "a declared region", found: scanner.text(nameRange), choices: tables.regionNames)
        }
        let offsetRange = (plus + 1)..<range.upperBound
        let base = tables.regionBases[Int(region)]
        guard let offset = scanner.hex64(offsetRange), offset <= UInt64.max - base else {
            throw error(at: plus + 1, expected: "a hexadecimal offset like 0x44", found: scanner.text(offsetRange))
        }
        return MemoryAccess(address: base + offset, region: region, size: 0)
    }

    @inline(__always)
    private mutating func parseSize(_ scanner: inout ByteScanner, allowed: ClosedRange<UInt64>, architectural: [UInt8]? = nil) throws -> UInt8 {
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
    private mutating func parseValue(_ scanner: inout ByteScanner, size: Int) throws -> AccessValue {
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
