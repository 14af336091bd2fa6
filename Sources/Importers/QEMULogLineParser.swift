import ArmMemory
import Diagnostics
import MMIOTrace
import PCIeTransport

/// What one event line of a QEMU log gives, read on a parsing thread: an event decided there, or
/// what the reader must decide in file order (the BARs mapped at that point, CF8's value).
struct QEMULogRecord {
    /// The thread (or process) id of the prefix.
    var key: UInt64?
    /// The prefix's timestamp, if the line has one: the reader keeps time in file order.
    var stamp: UInt64?
    var content: Content

    enum Content {
        /// Nothing but the prefix (an event no trace event comes of; the chunk counts why).
        case nothing
        /// An event decided on the thread.
        case event(EventKind, withoutCPU: Bool)
        /// A `memory_region_ops_*` access of an address: in whichever BAR is mapped there then.
        case memory(address: UInt64, size: UInt8, value: UInt64, write: Bool, withoutCPU: Bool)
        /// An access of CF8 (`pci-conf-idx`); a 4-byte aligned write sets it.
        case configAddress(value: UInt64, sets: Bool)
        /// An access through CFC (`pci-conf-data`) to the function CF8 selects then.
        case configData(address: UInt64, size: UInt8, value: UInt64, write: Bool, withoutCPU: Bool)
        /// `pci_update_mappings_add/del` of a BAR region the survey declared.
        case mapping(region: RegionID, base: UInt64, size: UInt64, added: Bool)
    }
}

/// The second pass's line grammar (``ChunkedLineParser``): every decision that needs only the
/// survey's tables is made here, on the parsing threads; the rest is left in the record.
struct QEMULogLineParser: CaptureLineParser {
    /// What a run of lines counted, and the prefix of the line an error stopped it at.
    struct ChunkNotes {
        var continuationLines = 0
        var otherLines = 0
        var unknownEvents: [String: Int] = [:]
        var ignored: [String: Int] = [:]
        /// The prefix of a line whose event could not be read, and its line: its time still
        /// counts, before the error.
        var failedLine: (key: UInt64?, stamp: UInt64?, line: Int)?
    }

    var file: CaptureFileName
    var lineNumber = 0
    private(set) var notes = ChunkNotes()
    private let mapping: QEMULogMapping
    private let survey: QEMULogSurvey
    private let tables: QEMULogTables

    init(fileName: String, mapping: QEMULogMapping, survey: QEMULogSurvey, tables: QEMULogTables) {
        file = CaptureFileName(fileName)
        self.mapping = mapping
        self.survey = survey
        self.tables = tables
    }

    private var topology: Topology { tables.topology }

    mutating func beginChunk() { notes = ChunkNotes() }

    mutating func endChunk() -> ChunkNotes { notes }

    mutating func parseLine(_ bytes: UnsafeBufferPointer<UInt8>, into record: UnsafeMutablePointer<QEMULogRecord>) throws -> Bool {
        var s = QEMULogScanner(bytes, file: file, line: lineNumber)
        switch try s.classify() {
        case .blank: return false
        case .continuation: notes.continuationLines += 1; return false
        case .other: notes.otherLines += 1; return false
        case .event(let key, let stamp, let name):
            let content: QEMULogRecord.Content
            do {
                content = try convert(&s, name: name)
            } catch {
                notes.failedLine = (key, stamp, lineNumber)
                throw error
            }
            if case .nothing = content, stamp == nil { return false }
            record.initialize(to: QEMULogRecord(key: key, stamp: stamp, content: content))
            return true
        }
    }

    private mutating func ignore(_ reason: String) -> QEMULogRecord.Content {
        notes.ignored[reason, default: 0] += 1
        return .nothing
    }

    private func event(_ kind: EventKind) -> QEMULogRecord.Content { .event(kind, withoutCPU: false) }

    private mutating func convert(_ s: inout QEMULogScanner, name: Range<Int>) throws -> QEMULogRecord.Content {
        guard let event = QEMULogEvent(s, name) else {
            let text = s.text(name)
            guard let entry = mapping.events[text] else {
                notes.unknownEvents[text, default: 0] += 1
                return .nothing
            }
            return try convertMapped(&s, event: text, at: name.lowerBound, entry)
        }
        switch event {
        case .opsRead, .opsWrite:
            return try memoryRegionOps(&s, write: event == .opsWrite)
        case .cfgRead, .cfgWrite:
            let record = try s.pciConfig(write: event == .cfgWrite)
            if survey.sawDecodedConfig { return ignore("pci_cfg_* (decoded ECAM/CF8 accesses are authoritative)") }
            let device = record.hasBus
                ? tables.deviceByFunction[record.address]
                : tables.deviceByBusless[BuslessKey(name: s.text(record.name), device: record.address.device, function: record.address.function)]
            guard let device else { return ignore("pci_cfg_* of an unknown function") }
            let size: UInt8 = record.offset & 3 == 0 ? 4 : record.offset & 1 == 0 ? 2 : 1
            let access = ConfigAccess(device: device, offset: UInt16(record.offset), size: size, value: UInt32(record.value))
            return self.event(event == .cfgWrite ? .configWrite(access) : .configRead(access))
        case .mappingsAdd, .mappingsDel:
            let record = try s.barMapping()
            guard record.bar <= 5, let device = tables.deviceByFunction[record.address],
                  let region = tables.barRegion[BARRegionKey(device: device, bar: record.bar)] else {
                return ignore("pci_update_mappings_* (topology)")
            }
            return .mapping(region: region, base: record.base, size: record.size, added: event == .mappingsAdd)
        case .msixWriteConfig:
            try s.msixWriteConfig()
            return ignore("msix_write_config (follows a configuration write)")
        case .vfioRegionRead, .vfioRegionWrite:
            let access = try s.vfioRegionAccess(write: event == .vfioRegionWrite)
            guard let device = tables.vfioDevice[access.host] else { return .nothing }
            if access.index == 7 {
                guard access.offset <= 0xfff, access.size == 1 || access.size == 2 || access.size == 4 else {
                    return ignore("vfio_region_* config access beyond 0xfff or not 1, 2 or 4 bytes")
                }
                let config = ConfigAccess(device: device, offset: UInt16(access.offset), size: access.size, value: UInt32(access.value ?? 0))
                return self.event(event == .vfioRegionWrite ? .configWrite(config) : .configRead(config))
            }
            guard access.index <= 5, let region = tables.barRegion[BARRegionKey(device: device, bar: UInt8(access.index))] else {
                return ignore("vfio_region_* of the ROM or VGA region")
            }
            let memory = MemoryAccess(address: topology.regions[Int(region)].base + access.offset, region: region, size: access.size,
                                      value: AccessValue(access.value ?? 0))
            return self.event(event == .vfioRegionWrite ? .write(memory) : .read(memory))
        case .vfioReadConfig, .vfioWriteConfig:
            let access = try s.vfioConfigAccess(write: event == .vfioWriteConfig)
            guard let device = tables.vfioDevice[access.host] else { return .nothing }
            let config = ConfigAccess(device: device, offset: UInt16(access.offset), size: access.size, value: UInt32(truncatingIfNeeded: access.value))
            return self.event(event == .vfioWriteConfig ? .configWrite(config) : .configRead(config))
        case .vfioReset:
            let host = try s.vfioResetDevice(event)
            return self.event(.mark(MarkText("vfio_pci_reset \(host)")))
        case .vfioResetFLR, .vfioHotReset:
            guard let device = tables.vfioDevice[try s.vfioResetDevice(event)] else { return .nothing }
            return self.event(.reset(event == .vfioResetFLR ? .flr : .hot, device: device))
        case .vfioRegionUnmap:
            let argsStart = s.position
            let unmap = try s.vfioUnmap()
            if let (host, bar) = QEMULogReader.vfioBAR(named: unmap.name, in: s), let device = tables.vfioDevice[host],
               let region = tables.barRegion[BARRegionKey(device: device, bar: UInt8(bar))] {
                return self.event(.unmap(region: region, vm: 0))
            }
            return self.event(.mark(MarkText("vfio_region_unmap " + s.text(argsStart..<s.bytes.count).trimmingSpaces)))
        }
    }

    private mutating func memoryRegionOps(_ s: inout QEMULogScanner, write: Bool) throws -> QEMULogRecord.Content {
        let access = try s.memoryRegionAccess()
        let withoutCPU = access.cpu == nil
        if let name = access.name {
            if s.matches("ioport80", at: name.lowerBound), name.count == 8 {
                guard write else { return ignore("memory_region_ops_read 'ioport80'") }
                return .event(.mark(MarkText("ioport80 0x\(String(access.value, radix: 16))")), withoutCPU: withoutCPU)
            }
            if s.matches("gpex_ioport_window", at: name.lowerBound), name.count == 18 {
                // arm64 virt's PCI I/O window: test harnesses write phase markers to port 0x80.
                guard write else { return ignore("memory_region_ops_read 'gpex_ioport_window'") }
                return .event(.mark(MarkText("gpex_ioport_window 0x\(String(access.address, radix: 16)) 0x\(String(access.value, radix: 16))")), withoutCPU: withoutCPU)
            }
            if s.matches("pci-conf-idx", at: name.lowerBound), name.count == 12 {
                return .configAddress(value: access.value, sets: write && access.size == 4 && access.address & 3 == 0)
            }
            if s.matches("pci-conf-data", at: name.lowerBound), name.count == 13 {
                return .configData(address: access.address, size: access.size, value: access.value, write: write, withoutCPU: withoutCPU)
            }
            if s.matches("pcie-mmcfg-mmio", at: name.lowerBound), name.count == 15 {
                let base = mapping.ecamBase ?? access.address & ~0x0fff_ffff
                guard access.address >= base else { return ignore("memory_region_ops_* 'pcie-mmcfg-mmio' below the ECAM base") }
                let offset = access.address - base
                let address = PCIAddress(bus: UInt8(truncatingIfNeeded: offset >> 20), device: UInt8(offset >> 15 & 0x1f), function: UInt8(offset >> 12 & 7))
                guard let kind = Self.config(address, offset: UInt16(offset & 0xfff), size: access.size, value: access.value, write: write,
                                             tables: tables, ignore: { notes.ignored[$0, default: 0] += 1 }) else { return .nothing }
                return .event(kind, withoutCPU: withoutCPU)
            }
            if survey.sawVFIORegion, QEMULogReader.vfioBAR(named: name, in: s) != nil {
                return ignore("memory_region_ops_* of a vfio BAR (vfio_region_* are authoritative)")
            }
        }
        return .memory(address: access.address, size: access.size, value: access.value, write: write, withoutCPU: withoutCPU)
    }

    /// A configuration access to `address`, or nil (given to `ignore`) when no such function
    /// exists or the size is not 1, 2 or 4 bytes; for the reader too, which counts what it
    /// ignores itself.
    static func config(_ address: PCIAddress, offset: UInt16, size: UInt8, value: UInt64, write: Bool, tables: QEMULogTables,
                       ignore: (String) -> Void) -> EventKind? {
        guard let device = tables.deviceByFunction[address] else {
            ignore("configuration access to an absent function")
            return nil
        }
        guard size == 1 || size == 2 || size == 4 else {
            ignore("configuration access not of 1, 2 or 4 bytes")
            return nil
        }
        let config = ConfigAccess(device: device, offset: offset, size: size, value: UInt32(truncatingIfNeeded: value))
        return write ? .configWrite(config) : .configRead(config)
    }

    private mutating func convertMapped(_ s: inout QEMULogScanner, event: String, at namePosition: Int,
                                        _ entry: QEMULogMapping.Entry) throws -> QEMULogRecord.Content {
        let argsStart = s.position
        let captures = try entry.pattern.map { pattern throws(InputError) in try s.match(pattern, event: event) } ?? QEMULogCaptures()
        switch entry.kind {
        case .ignore:
            return ignore(event)
        case .mark:
            return self.event(.mark(MarkText(event + " " + s.text(argsStart..<s.bytes.count).trimmingSpaces)))
        case .read, .write:
            if survey.sawMemoryRegionOps { return ignore("\(event) (memory_region_ops_* are authoritative)") }
        case .configRead, .configWrite:
            if survey.sawDecodedConfig || survey.sawPCIConfig { return ignore("\(event) (pci_cfg_* or decoded ECAM/CF8 are authoritative)") }
        case .resetFLR, .resetHot:
            break
        }
        let device = try mappedDevice(s, event: event, at: namePosition, entry, captures)
        let offset = captures.offset ?? 0
        let size = captures.size ?? 0
        switch entry.kind {
        case .resetFLR: return self.event(.reset(.flr, device: device))
        case .resetHot: return self.event(.reset(.hot, device: device))
        case .configRead, .configWrite:
            guard offset <= 0xfff, size == 1 || size == 2 || size == 4, (captures.value ?? 0) <= UInt32.max else {
                throw s.error(at: argsStart, "'\(event)' maps to a configuration access of offset 0x\(String(offset, radix: 16)) and \(size) bytes; expected 0x0-0xfff and 1, 2 or 4 bytes")
            }
            let config = ConfigAccess(device: device, offset: UInt16(offset), size: UInt8(size), value: UInt32(captures.value ?? 0),
                                      hasValue: captures.value != nil)
            return self.event(entry.kind == .configWrite ? .configWrite(config) : .configRead(config))
        default:
            let bar = captures.region ?? UInt64(entry.region)
            guard bar <= 5, let region = tables.barRegion[BARRegionKey(device: device, bar: UInt8(bar))] else {
                throw s.error(at: namePosition, "'\(event)' maps to BAR \(bar) of '\(topology.devices[Int(device)].name)', which the log never maps")
            }
            guard (1...64).contains(size) else { throw s.error(at: argsStart, "access size \(size) is not 1 to 64 bytes") }
            guard size >= 8 || (captures.value ?? 0) >> (size * 8) == 0 else {
                throw s.error(at: argsStart, "value 0x\(String(captures.value ?? 0, radix: 16)) does not fit in \(size) byte\(size == 1 ? "" : "s")")
            }
            let memory = MemoryAccess(address: topology.regions[Int(region)].base + offset, region: region, size: UInt8(size),
                                      value: AccessValue(captures.value ?? 0), hasValue: captures.value != nil)
            return self.event(entry.kind == .write ? .write(memory) : .read(memory))
        }
    }

    /// The device a mapped event names: a `{device}` capture (a name or a PCI address), else the
    /// entry's `device`; names are topology names or the names the log gives devices.
    private func mappedDevice(_ s: QEMULogScanner, event: String, at namePosition: Int, _ entry: QEMULogMapping.Entry,
                              _ captures: QEMULogCaptures) throws -> DeviceID {
        let position = captures.device?.lowerBound ?? namePosition
        let name = captures.device.map(s.text) ?? entry.device ?? ""
        if let id = tables.deviceByName[name] ?? tables.deviceByLogName[name] { return id }
        if let range = captures.device {
            var scanner = s
            scanner.position = range.lowerBound
            if let address = try? scanner.pciAddress(""), scanner.position == range.upperBound,
               let id = tables.deviceByFunction[address] ?? tables.vfioDevice[address] { return id }
        }
        let known = topology.devices.map(\.name)
        throw s.error(at: position, "'\(event)' names device '\(name)', which the log does not declare (devices: \(known.isEmpty ? "none" : known.joined(separator: ", ")))")
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    fileprivate var trimmingSpaces: String {
        let bytes = utf8
        guard let first = bytes.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }),
              let last = bytes.lastIndex(where: { $0 != 0x20 && $0 != 0x09 }) else { return "" }
        return String(self[first...last])
    }
}
