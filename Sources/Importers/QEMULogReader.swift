import ArmMemory
import Diagnostics
import MMIOTrace
import PCIeTransport


/// Reads a QEMU trace log ("log" backend, `-D FILE`) as a stream of trace events; the format,
/// the mapping of each event and the authority rules are in `docs/qemu-log.md`.
///
/// The file is read twice, in constant memory: a first pass learns devices and BARs
/// (`pci_update_mappings_add`, `pci_cfg_*`, `vfio_*`) so that ``topology`` is complete before
/// the first event; the second pass streams events.
///
/// Where two event streams describe the same access, one is authoritative and the other is
/// counted in ``ignored``: `memory_region_ops_*` over device-model events (``QEMULogMapping``)
/// for memory accesses; decoded ECAM and CF8/CFC traffic over `pci_cfg_*` for configuration
/// accesses; `vfio_region_*` over `memory_region_ops_*` on vfio's own MemoryRegions.
public final class QEMULogReader: CaptureSource {
    // The stored properties the event loop touches for every line skip dynamic exclusivity
    // checks: one thread reads a capture.
    public let topology: Topology
    public let fileName: String
    /// The line the last returned event came from.
    @exclusivity(unchecked) public private(set) var line = 0
    /// Lines of events neither the importer nor the mapping knows, by event name.
    public private(set) var unknownEvents: [String: Int] = [:]
    /// Lines of known events that became no trace event, by reason (see `docs/qemu-log.md`).
    public private(set) var ignored: [String: Int] = [:]
    /// Lines starting with whitespace: continuations of multi-line events, skipped.
    @exclusivity(unchecked) public private(set) var continuationLines = 0
    /// Lines that are not trace events (messages sharing the log file), skipped.
    @exclusivity(unchecked) public private(set) var otherLines = 0
    /// The first ``maximumWarnings`` warnings; ``warningCount`` counts all of them.
    public private(set) var warnings: [CaptureWarning] = []
    public private(set) var warningCount = 0
    public static let maximumWarnings = 100

    private let lines: CaptureLineReader
    private let mapping: QEMULogMapping
    private let survey: QEMULogSurvey
    /// The side file the reader applies.
    public let settings: CaptureSettings

    /// The thread (or process) ids of the log's prefixes: the keys `agents:` may map.
    public var agentKeys: [String] { survey.threads.sorted().map { String($0) } }

    public func sideFileTemplate() -> String {
        settings.template(for: topology, agents: survey.threads.sorted().map { key in
            (String(key), (agentByKey[key] ?? defaultAgent).description)
        }, modelReasons: tables.modelReasons)
    }
    private let tables: QEMULogTables
    private let defaultAgent: Agent
    private let agentByKey: [UInt64: Agent]
    /// The nanosecond time of the last line that had one.
    @exclusivity(unchecked) private var now: UInt64 = 0
    /// The current guest base and size of each BAR region (nil while unmapped; always nil for
    /// vfio regions, which events name by index), by region ID.
    @exclusivity(unchecked) private var live: [(base: UInt64, size: UInt64)?] {
        didSet { liveIndex = nil }
    }
    /// `live` by address, rebuilt at the first access after a mapping changes.
    @exclusivity(unchecked) private var liveIndex: AddressIndex?
    /// Whether the event being converted is an access made by no vCPU (`cpu -1`).
    @exclusivity(unchecked) private var accessWithoutCPU = false
    /// Who makes the accesses no vCPU makes (`cpu -1`): [model] QEMU itself, the VMM of VM 0 (its
    /// main loop, I/O threads, device emulation), never a guest vCPU, so they stay out of guest
    /// verdicts.
    static let noVCPUAgent = Agent.vmm(vm: 0)
    /// The last value written to port 0xcf8.
    @exclusivity(unchecked) private var cf8: UInt32 = 0

    /// Opens the log at `path`.
    /// - Parameters:
    ///   - settings: Stage-1 types by region name, models by device name, agents by thread id.
    ///   - mapping: Device-model events; pass `.builtIn.merging(try .load(...))` to extend it.
    ///   - surveyThreads: Threads for the first pass, in chunks of about `chunkSize` bytes (the
    ///     topology and errors are the same for any number).
    /// - Throws: `InputUnavailableError` when the file cannot be read (or is not a regular file:
    ///   it is read twice), ``InputError`` for malformed lines of the first pass and agent
    ///   spellings that are not agents.
    public convenience init(path: String, settings: CaptureSettings = CaptureSettings(), mapping: QEMULogMapping = .builtIn,
                            surveyThreads: Int = ParsingThreads.default, chunkSize: Int = 1 << 19) throws {
        try self.init(lines: CaptureLineReader(path: path), fileName: path, settings: settings, mapping: mapping,
                      surveyThreads: surveyThreads, chunkSize: chunkSize)
    }

    /// Reads a log held in memory; `fileName` is used in messages.
    public convenience init(text: String, fileName: String = "<input>", settings: CaptureSettings = CaptureSettings(),
                            mapping: QEMULogMapping = .builtIn, surveyThreads: Int = 1, chunkSize: Int = 1 << 19) throws {
        try self.init(lines: CaptureLineReader(bytes: Array(text.utf8), fileName: fileName), fileName: fileName, settings: settings,
                      mapping: mapping, surveyThreads: surveyThreads, chunkSize: chunkSize)
    }

    /// Surveys the log, then rewinds it for the events.
    private init(lines: CaptureLineReader, fileName: String, settings: CaptureSettings, mapping: QEMULogMapping,
                 surveyThreads: Int, chunkSize: Int) throws {
        let survey = try Self.survey(lines, fileName: fileName, threads: max(surveyThreads, 1), chunkSize: max(chunkSize, 1))
        try lines.rewind()
        let settingsFile = SourceLocation(file: "capture settings", line: 1, column: 1)
        func agent(_ spelling: String, for key: String) throws -> Agent {
            guard let agent = Self.agent(spelling: spelling) else {
                throw InputError(settingsFile, expected: "an agent (vcpuN, vmm, host, vmK.vcpuN, vmK.vmm) for '\(key)'", found: spelling)
            }
            return agent
        }
        defaultAgent = try agent(settings.defaultAgent, for: "the default agent")
        var byKey: [UInt64: Agent] = [:]
        for (key, spelling) in settings.agents {
            let parsed = try agent(spelling, for: key)
            if let id = UInt64(key) { byKey[id] = parsed }
        }
        agentByKey = byKey
        self.lines = lines
        self.fileName = fileName
        self.mapping = mapping
        self.survey = survey
        self.settings = settings
        // Sorted by key: the topology's mappings must not depend on dictionary order.
        let agents = [defaultAgent] + byKey.sorted { $0.key < $1.key }.map(\.value) + (survey.sawAccessWithoutCPU ? [Self.noVCPUAgent] : [])
        tables = Self.topology(survey, settings: settings, agents: agents)
        topology = tables.topology
        live = Array(repeating: nil, count: tables.topology.regions.count)
    }

    /// Parses `host`, `vmm`, `vcpuN`, `vmK.vmm` and `vmK.vcpuN`.
    static func agent(spelling: String) -> Agent? {
        var vm: UInt16 = 0
        var rest = Substring(spelling)
        if rest.hasPrefix("vm"), let dot = rest.firstIndex(of: "."), let parsed = UInt16(rest[rest.index(rest.startIndex, offsetBy: 2)..<dot]) {
            vm = parsed
            rest = rest[rest.index(after: dot)...]
        }
        if rest == "host", vm == 0, spelling == "host" { return .host }
        if rest == "vmm" { return .vmm(vm: vm) }
        if rest.hasPrefix("vcpu"), let index = UInt16(rest.dropFirst(4)), rest.dropFirst(4).allSatisfy(\.isASCII) {
            return .vcpu(index, vm: vm)
        }
        return nil
    }

    public func next() throws -> TraceEvent? {
        while let bytes = try lines.nextLine() {
            var s = QEMULogScanner(bytes, file: fileName, line: lines.lineNumber)
            let key: UInt64?
            let name: Range<Int>
            switch try s.classify() {
            case .blank: continue
            case .continuation: continuationLines += 1; continue
            case .other: otherLines += 1; continue
            case .event(let k, let time, let n):
                key = k
                name = n
                if let stamp = time {
                    // Relative to the log's first timestamp (the wall clock is kept out of results).
                    let origin = survey.firstTime ?? 0
                    let time = stamp >= origin ? stamp - origin : 0
                    if stamp < origin { warn(at: 0, "time is \(origin - stamp) ns before the log's first timestamp; the event is placed at 0") }
                    if time < now {
                        warn(at: 0, "time goes backwards by \(now - time) ns; the event keeps its time")
                    }
                    now = time
                }
            }
            accessWithoutCPU = false
            guard let kind = try convert(&s, name: name) else { continue }
            line = lines.lineNumber
            var agent = accessWithoutCPU ? Self.noVCPUAgent : key.flatMap { agentByKey[$0] } ?? defaultAgent
            // QEMU performs resets itself (through vfio for an assigned device): the VMM's, whatever
            // thread logged them.
            if case .reset = kind { agent = .vmm(vm: agent.vm) }
            // A vfio region QEMU unmaps leaves the guest's memory map: KVM removes it from stage 2,
            // a host action (the trace format's `host unmap`).
            if case .unmap = kind { agent = .host }
            return TraceEvent(time: TraceTime(nanoseconds: now), agent: agent, kind: kind)
        }
        return nil
    }

    private func warn(at position: Int, _ message: String) {
        warningCount += 1
        if warnings.count < Self.maximumWarnings {
            warnings.append(CaptureWarning(SourceLocation(file: fileName, line: lines.lineNumber, column: position + 1), message))
        }
    }

    private func ignore(_ reason: String) -> EventKind? {
        ignored[reason, default: 0] += 1
        return nil
    }

    // MARK: - Events

    private func convert(_ s: inout QEMULogScanner, name: Range<Int>) throws -> EventKind? {
        guard let event = QEMULogEvent(s, name) else {
            let text = s.text(name)
            guard let entry = mapping.events[text] else {
                unknownEvents[text, default: 0] += 1
                return nil
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
            return event == .cfgWrite ? .configWrite(access) : .configRead(access)
        case .mappingsAdd, .mappingsDel:
            let record = try s.barMapping()
            guard record.bar <= 5, let device = tables.deviceByFunction[record.address],
                  let region = tables.barRegion[BARRegionKey(device: device, bar: record.bar)] else {
                return ignore("pci_update_mappings_* (topology)")
            }
            if event == .mappingsDel {
                live[Int(region)] = nil
            } else {
                let declared = topology.regions[Int(region)]
                if record.base != declared.base {
                    warn(at: 0, "\(declared.name) mapped at 0x\(String(record.base, radix: 16)), first at 0x\(String(declared.base, radix: 16)); "
                         + "accesses keep their offsets in the region and use the first base")
                }
                live[Int(region)] = (record.base, record.size)
            }
            return ignore("pci_update_mappings_* (topology)")
        case .msixWriteConfig:
            try s.msixWriteConfig()
            return ignore("msix_write_config (follows a configuration write)")
        case .vfioRegionRead, .vfioRegionWrite:
            let access = try s.vfioRegionAccess(write: event == .vfioRegionWrite)
            guard let device = tables.vfioDevice[access.host] else { return nil }
            if access.index == 7 {
                guard access.offset <= 0xfff, access.size == 1 || access.size == 2 || access.size == 4 else {
                    return ignore("vfio_region_* config access beyond 0xfff or not 1, 2 or 4 bytes")
                }
                let config = ConfigAccess(device: device, offset: UInt16(access.offset), size: access.size, value: UInt32(access.value ?? 0))
                return event == .vfioRegionWrite ? .configWrite(config) : .configRead(config)
            }
            guard access.index <= 5, let region = tables.barRegion[BARRegionKey(device: device, bar: UInt8(access.index))] else {
                return ignore("vfio_region_* of the ROM or VGA region")
            }
            let memory = MemoryAccess(address: topology.regions[Int(region)].base + access.offset, region: region, size: access.size,
                                      value: AccessValue(access.value ?? 0))
            return event == .vfioRegionWrite ? .write(memory) : .read(memory)
        case .vfioReadConfig, .vfioWriteConfig:
            let access = try s.vfioConfigAccess(write: event == .vfioWriteConfig)
            guard let device = tables.vfioDevice[access.host] else { return nil }
            let config = ConfigAccess(device: device, offset: UInt16(access.offset), size: access.size, value: UInt32(truncatingIfNeeded: access.value))
            return event == .vfioWriteConfig ? .configWrite(config) : .configRead(config)
        case .vfioReset:
            let host = try s.vfioResetDevice(event)
            return .mark("vfio_pci_reset \(host)")
        case .vfioResetFLR, .vfioHotReset:
            guard let device = tables.vfioDevice[try s.vfioResetDevice(event)] else { return nil }
            return .reset(event == .vfioResetFLR ? .flr : .hot, device: device)
        case .vfioRegionUnmap:
            let argsStart = s.position
            let unmap = try s.vfioUnmap()
            if let (host, bar) = Self.vfioBAR(named: unmap.name, in: s), let device = tables.vfioDevice[host],
               let region = tables.barRegion[BARRegionKey(device: device, bar: UInt8(bar))] {
                return .unmap(region: region, vm: 0)
            }
            return .mark("vfio_region_unmap " + s.text(argsStart..<s.bytes.count).trimmingSpaces)
        }
    }

    private func memoryRegionOps(_ s: inout QEMULogScanner, write: Bool) throws -> EventKind? {
        let access = try s.memoryRegionAccess()
        accessWithoutCPU = access.cpu == nil
        if let name = access.name {
            if s.matches("ioport80", at: name.lowerBound), name.count == 8 {
                guard write else { return ignore("memory_region_ops_read 'ioport80'") }
                return .mark("ioport80 0x\(String(access.value, radix: 16))")
            }
            if s.matches("gpex_ioport_window", at: name.lowerBound), name.count == 18 {
                // arm64 virt's PCI I/O window: test harnesses write phase markers to port 0x80.
                guard write else { return ignore("memory_region_ops_read 'gpex_ioport_window'") }
                return .mark("gpex_ioport_window 0x\(String(access.address, radix: 16)) 0x\(String(access.value, radix: 16))")
            }
            if s.matches("pci-conf-idx", at: name.lowerBound), name.count == 12 {
                if write, access.size == 4, access.address & 3 == 0 { cf8 = UInt32(access.value) }
                return ignore("memory_region_ops_* 'pci-conf-idx' (CF8 address)")
            }
            if s.matches("pci-conf-data", at: name.lowerBound), name.count == 13 {
                guard cf8 & 0x8000_0000 != 0 else { return ignore("memory_region_ops_* 'pci-conf-data' with CF8 disabled") }
                let address = PCIAddress(bus: UInt8(truncatingIfNeeded: cf8 >> 16), device: UInt8(cf8 >> 11 & 0x1f), function: UInt8(cf8 >> 8 & 7))
                return config(address, offset: UInt16(cf8 & 0xfc) | UInt16(access.address & 3), access, write: write)
            }
            if s.matches("pcie-mmcfg-mmio", at: name.lowerBound), name.count == 15 {
                let base = mapping.ecamBase ?? access.address & ~0x0fff_ffff
                guard access.address >= base else { return ignore("memory_region_ops_* 'pcie-mmcfg-mmio' below the ECAM base") }
                let offset = access.address - base
                let address = PCIAddress(bus: UInt8(truncatingIfNeeded: offset >> 20), device: UInt8(offset >> 15 & 0x1f), function: UInt8(offset >> 12 & 7))
                return config(address, offset: UInt16(offset & 0xfff), access, write: write)
            }
            if survey.sawVFIORegion, Self.vfioBAR(named: name, in: s) != nil {
                return ignore("memory_region_ops_* of a vfio BAR (vfio_region_* are authoritative)")
            }
        }
        if liveIndex == nil { liveIndex = AddressIndex(live) }
        guard let index = liveIndex!.first(containing: access.address), let mapped = live[index] else {
            return ignore("memory_region_ops_* outside every mapped BAR")
        }
        let memory = MemoryAccess(address: topology.regions[index].base + (access.address - mapped.base), region: RegionID(index), size: access.size,
                                  value: AccessValue(access.value))
        return write ? .write(memory) : .read(memory)
    }

    private func config(_ address: PCIAddress, offset: UInt16, _ access: MemoryRegionAccess, write: Bool) -> EventKind? {
        guard let device = tables.deviceByFunction[address] else { return ignore("configuration access to an absent function") }
        guard access.size == 1 || access.size == 2 || access.size == 4 else { return ignore("configuration access not of 1, 2 or 4 bytes") }
        let config = ConfigAccess(device: device, offset: offset, size: access.size, value: UInt32(truncatingIfNeeded: access.value))
        return write ? .configWrite(config) : .configRead(config)
    }

    private func convertMapped(_ s: inout QEMULogScanner, event: String, at namePosition: Int, _ entry: QEMULogMapping.Entry) throws -> EventKind? {
        let argsStart = s.position
        let captures = try entry.pattern.map { pattern throws(InputError) in try s.match(pattern, event: event) } ?? QEMULogCaptures()
        switch entry.kind {
        case .ignore:
            return ignore(event)
        case .mark:
            return .mark(event + " " + s.text(argsStart..<s.bytes.count).trimmingSpaces)
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
        case .resetFLR: return .reset(.flr, device: device)
        case .resetHot: return .reset(.hot, device: device)
        case .configRead, .configWrite:
            guard offset <= 0xfff, size == 1 || size == 2 || size == 4, (captures.value ?? 0) <= UInt32.max else {
                throw s.error(at: argsStart, "'\(event)' maps to a configuration access of offset 0x\(String(offset, radix: 16)) and \(size) bytes; expected 0x0-0xfff and 1, 2 or 4 bytes")
            }
            let config = ConfigAccess(device: device, offset: UInt16(offset), size: UInt8(size), value: UInt32(captures.value ?? 0),
                                      hasValue: captures.value != nil)
            return entry.kind == .configWrite ? .configWrite(config) : .configRead(config)
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
            return entry.kind == .write ? .write(memory) : .read(memory)
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
