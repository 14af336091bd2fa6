import MMIOTrace
import PCIeTransport

/// The record format of trace events in LINKTYPE_USER0 files (docs/pcap.md): a record type byte,
/// then a fixed little-endian layout per event kind.
enum TraceRecord {
    /// Byte 0 of a record.
    enum RecordType: UInt8 {
        /// Format version, then the canonical `.mtrace` header text.
        case topology = 1
        /// One trace event.
        case event = 2
    }

    /// The version byte of the topology record.
    static let formatVersion: UInt8 = 1
    /// The region index that stands for no region. Region and device indices are 16 bits in
    /// these records: a topology with more (ids are 32 bits in the trace model) cannot be written.
    static let noRegion: UInt16 = 0xffff

    // The codes of enumerated fields are their positions in these tables, fixed by the format
    // whatever order the trace model declares its cases in.
    static let kinds: [EventKind.Category] = [.read, .write, .barrier, .exit, .entry, .teardown, .unmap, .tlbi,
                                              .configRead, .configWrite, .reset, .mark]
    static let roles: [Agent.Role] = [.host, .vmm, .vcpu]
    static let domains: [BarrierDomain] = [.fullSystem, .outerShareable, .innerShareable, .nonShareable]
    static let barrierAccesses: [BarrierAccesses] = [.all, .loads, .stores]
    static let tlbiOperations: [TLBInvalidation.Operation] = [.ipas2e1is, .vmalle1is, .vmalls12e1is]
    static let resetKinds: [ResetKind] = [.flr, .hot, .controller]

    /// The code of `value` in `table`.
    private static func code<T: Equatable>(_ value: T, in table: [T]) -> UInt8 { UInt8(table.firstIndex(of: value)!) }

    /// The entry of `table` that `code` stands for.
    private static func entry<T>(_ code: UInt8, in table: [T], _ what: String) throws(Malformed) -> T {
        guard Int(code) < table.count else { throw Malformed("unknown \(what) \(code)") }
        return table[Int(code)]
    }

    /// The topology record of `topology`.
    static func topology(_ topology: Topology) -> [UInt8] {
        [RecordType.topology.rawValue, formatVersion] + Array(MTraceWriter.header(topology).utf8)
    }

    // MARK: - Encoding

    /// Replaces `buffer` with the record of `event`.
    /// - Returns: A message when the event cannot be represented.
    static func encode(_ event: TraceEvent, into buffer: inout [UInt8]) -> String? {
        buffer.removeAll(keepingCapacity: true)
        buffer.append(RecordType.event.rawValue)
        buffer.append(code(event.kind.category, in: kinds))
        buffer.append(code(event.agent.role, in: roles))
        buffer.append(0)
        append(event.agent.vm, to: &buffer)
        append(event.agent.index, to: &buffer)
        switch event.kind {
        case .read(let access), .write(let access):
            guard access.value.fits(inBytes: Int(access.size)) else {
                return "value \(access.value) does not fit in \(access.size) bytes"
            }
            append(access.address, to: &buffer)
            if let problem = append(region: access.region, to: &buffer) { return problem }
            buffer.append(access.size)
            buffer.append(access.hasValue ? 1 : 0)
            for i in 0..<Int(access.size) { buffer.append(access.hasValue ? access.value.byte(i) : 0) }
        case .barrier(let barrier):
            switch barrier {
            case .dmb(let domain, let accesses): buffer += [0, code(domain, in: domains), code(accesses, in: barrierAccesses)]
            case .dsb(let domain, let accesses): buffer += [1, code(domain, in: domains), code(accesses, in: barrierAccesses)]
            case .isb: buffer += [2, 0, 0]
            }
        case .guestExit, .guestEntry:
            break
        case .teardown(let vm):
            append(vm, to: &buffer)
        case .unmap(let region, let vm):
            if let problem = append(region: region, to: &buffer) { return problem }
            append(vm, to: &buffer)
        case .tlbi(let tlbi):
            buffer.append(code(tlbi.operation, in: tlbiOperations))
            buffer.append(tlbi.address == nil ? 0 : 1)
            append(tlbi.vm, to: &buffer)
            append(tlbi.address ?? 0, to: &buffer)
            if let problem = append(region: tlbi.region, to: &buffer) { return problem }
        case .configRead(let access), .configWrite(let access):
            guard let device = UInt16(exactly: access.device) else { return Self.tooWide("device", access.device) }
            append(device, to: &buffer)
            append(access.offset, to: &buffer)
            append(access.hasValue ? access.value : 0, to: &buffer)
            buffer.append(access.size)
            buffer.append(access.hasValue ? 1 : 0)
        case .reset(let kind, let device):
            guard let narrow = UInt16(exactly: device) else { return Self.tooWide("device", device) }
            buffer.append(code(kind, in: resetKinds))
            buffer.append(0)
            append(narrow, to: &buffer)
        case .mark(let mark):
            buffer += mark.text.utf8
        }
        return nil
    }

    private static func append<T: FixedWidthInteger>(_ value: T, to buffer: inout [UInt8]) {
        for i in 0..<MemoryLayout<T>.size { buffer.append(UInt8(truncatingIfNeeded: value >> (i * 8))) }
    }

    /// Appends a region index (``noRegion`` for none); what stops it when it does not fit.
    private static func append(region: RegionID?, to buffer: inout [UInt8]) -> String? {
        guard let region else {
            append(noRegion, to: &buffer)
            return nil
        }
        guard let narrow = UInt16(exactly: region), narrow != noRegion else { return tooWide("region", region) }
        append(narrow, to: &buffer)
        return nil
    }

    private static func tooWide(_ noun: String, _ index: UInt32) -> String {
        "\(noun) index \(index) does not fit a pcap event record (16 bits, 0xffff reserved): at most 65,535 \(noun)s"
    }

    // MARK: - Decoding

    /// Decodes an event record (without its time) against `topology`.
    /// - Throws: A message saying what is malformed.
    static func decodeEvent(_ bytes: [UInt8], topology: Topology) throws(Malformed) -> (Agent, EventKind) {
        var reader = ByteReader(bytes: bytes)
        guard try reader.u8() == RecordType.event.rawValue else {
            throw Malformed("expected an event record (type 2), found type \(bytes[0])")
        }
        let category = try entry(try reader.u8(), in: kinds, "event kind")
        let role = try entry(try reader.u8(), in: roles, "agent role")
        _ = try reader.u8()
        let vm = try reader.u16(), index = try reader.u16()
        let agent = Agent(role: role, vm: vm, index: index)
        guard agent.vm == vm, agent.index == index else {
            throw Malformed("agent \(agent) carries vm \(vm) and index \(index); only vCPUs have an index and the host has no VM")
        }

        func region(_ value: UInt16) throws(Malformed) -> RegionID? {
            if value == noRegion { return nil }
            guard Int(value) < topology.regions.count else {
                throw Malformed("region index \(value) is not declared (the topology has \(topology.regions.count) regions)")
            }
            return RegionID(value)
        }
        func device(_ value: UInt16) throws(Malformed) -> DeviceID {
            guard Int(value) < topology.devices.count else {
                throw Malformed("device index \(value) is not declared (the topology has \(topology.devices.count) devices)")
            }
            return DeviceID(value)
        }
        func flag(_ value: UInt8, _ name: String) throws(Malformed) -> Bool {
            guard value <= 1 else { throw Malformed("\(name) must be 0 or 1, found \(value)") }
            return value == 1
        }

        let kind: EventKind
        switch category {
        case .read, .write:
            let address = try reader.u64()
            let regionID = try region(try reader.u16())
            let size = try reader.u8()
            guard (1...64).contains(size) else { throw Malformed("access size \(size) is not 1 through 64") }
            let hasValue = try flag(try reader.u8(), "hasValue")
            var value = AccessValue.zero
            for i in 0..<Int(size) { value.setByte(i, try reader.u8()) }
            if category == .write, !hasValue { throw Malformed("a write without a value") }
            if !hasValue, value != .zero { throw Malformed("value bytes set in a read without a value") }
            let access = MemoryAccess(address: address, region: regionID, size: size, value: value, hasValue: hasValue)
            kind = category == .read ? .read(access) : .write(access)
        case .barrier:
            let type = try reader.u8(), domainCode = try reader.u8(), accessesCode = try reader.u8()
            if type == 2 {
                guard domainCode == 0, accessesCode == 0 else { throw Malformed("an isb with domain or accesses set") }
                kind = .barrier(.isb)
            } else {
                guard type <= 1 else { throw Malformed("unknown barrier type \(type)") }
                let domain = try entry(domainCode, in: domains, "barrier domain")
                let accesses = try entry(accessesCode, in: barrierAccesses, "barrier accesses")
                kind = .barrier(type == 0 ? .dmb(domain, accesses) : .dsb(domain, accesses))
            }
        case .exit:
            kind = .guestExit
        case .entry:
            kind = .guestEntry
        case .teardown:
            kind = .teardown(vm: try reader.u16())
        case .unmap:
            guard let regionID = try region(try reader.u16()) else { throw Malformed("an unmap without a region") }
            kind = .unmap(region: regionID, vm: try reader.u16())
        case .tlbi:
            let operation = try entry(try reader.u8(), in: tlbiOperations, "TLBI operation")
            let hasAddress = try flag(try reader.u8(), "hasAddress")
            let vm = try reader.u16(), address = try reader.u64()
            let regionID = try region(try reader.u16())
            kind = .tlbi(TLBInvalidation(operation: operation, vm: vm, address: hasAddress ? address : nil, region: regionID))
        case .configRead, .configWrite:
            let deviceID = try device(try reader.u16())
            let offset = try reader.u16(), value = try reader.u32(), size = try reader.u8()
            guard offset <= 0xfff else { throw Malformed("configuration offset 0x\(String(offset, radix: 16)) is beyond 0xfff") }
            guard (1...4).contains(size) else { throw Malformed("configuration access size \(size) is not 1 through 4") }
            let hasValue = try flag(try reader.u8(), "hasValue")
            if category == .configWrite, !hasValue { throw Malformed("a configuration write without a value") }
            if !hasValue, value != 0 { throw Malformed("a value set in a configuration read without a value") }
            let access = ConfigAccess(device: deviceID, offset: offset, size: size, value: value, hasValue: hasValue)
            kind = category == .configRead ? .configRead(access) : .configWrite(access)
        case .reset:
            let reset = try entry(try reader.u8(), in: resetKinds, "reset kind")
            _ = try reader.u8()
            kind = .reset(reset, device: try device(try reader.u16()))
        case .mark:
            guard let text = String(validating: bytes[reader.offset...], as: UTF8.self) else { throw Malformed("mark text is not UTF-8") }
            reader.offset = bytes.count
            kind = .mark(MarkText(text))
        }
        guard reader.offset == bytes.count else {
            throw Malformed("\(bytes.count - reader.offset) bytes left over after the fields of a '\(category.name)' event")
        }
        return (agent, kind)
    }

    /// What is wrong with a record.
    struct Malformed: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }

    /// Reads little-endian fields in order.
    private struct ByteReader {
        let bytes: [UInt8]
        var offset = 0

        mutating func u8() throws(Malformed) -> UInt8 {
            guard offset < bytes.count else { throw Malformed("the record ends after \(bytes.count) bytes, inside its fields") }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func u16() throws(Malformed) -> UInt16 { try integer() }
        mutating func u32() throws(Malformed) -> UInt32 { try integer() }
        mutating func u64() throws(Malformed) -> UInt64 { try integer() }

        private mutating func integer<T: FixedWidthInteger>() throws(Malformed) -> T {
            var value: T = 0
            for i in 0..<MemoryLayout<T>.size { value |= T(try u8()) << (i * 8) }
            return value
        }
    }
}
