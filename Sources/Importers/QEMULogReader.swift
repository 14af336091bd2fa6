import ArmMemory
import Diagnostics
import MMIOTrace
import PCIeTransport

/// Reads a QEMU trace log ("log" backend, `-D FILE`) as a stream of trace events; the format,
/// the mapping of each event and the authority rules are in `docs/qemu-log.md`.
///
/// The file is read twice, in constant memory: a first pass learns devices and BARs
/// (`pci_update_mappings_add`, `pci_cfg_*`, `vfio_*`) so that ``topology`` is complete before
/// the first event; the second pass streams events. On `parsingThreads` threads, both passes
/// read chunks of lines at once: the first merges each chunk's survey in file order; the second
/// parses lines into records (``QEMULogLineParser``), which the reader settles in file order
/// (time, the BARs mapped, CF8).
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
    // The counts are complete once ``next()`` has returned nil (or thrown).
    /// Lines of events neither the importer nor the mapping knows, by event name.
    public private(set) var unknownEvents: [String: Int] = [:]
    /// Lines of known events that became no trace event, by reason (see `docs/qemu-log.md`).
    public private(set) var ignored: [String: Int] = [:]
    /// Lines starting with whitespace: continuations of multi-line events, skipped.
    public private(set) var continuationLines = 0
    /// Lines that are not trace events (messages sharing the log file), skipped.
    public private(set) var otherLines = 0
    /// The first ``maximumWarnings`` warnings; ``warningCount`` counts all of them.
    public private(set) var warnings: [CaptureWarning] = []
    public private(set) var warningCount = 0
    public static let maximumWarnings = 100

    private let lines: CaptureLineReader
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
    /// Who makes the accesses no vCPU makes (`cpu -1`): [model] QEMU itself, the VMM of VM 0 (its
    /// main loop, I/O threads, device emulation), never a guest vCPU, so they stay out of guest
    /// verdicts.
    static let noVCPUAgent = Agent.vmm(vm: 0)
    /// The last value written to port 0xcf8.
    @exclusivity(unchecked) private var cf8: UInt32 = 0

    /// Threads that parse the log (1: on the caller's thread, as it asks).
    public let parsingThreads: Int
    public var readsAhead: Bool { parsingThreads > 1 }
    private let chunkSize: Int
    /// The second pass's line grammar, over the survey's tables.
    @exclusivity(unchecked) private var parser: QEMULogLineParser
    /// Where the parser builds a record read on the caller's thread; allocated last in `init`,
    /// after all that can throw (a throwing `init` runs no `deinit` to free it).
    private let record: UnsafeMutablePointer<QEMULogRecord>
    /// The events, parsed on `parsingThreads` threads once the caller gets there, a chunk at a
    /// time: its events are settled in file order into `settledEvents`, with their lines.
    @exclusivity(unchecked) private var parallel: ParallelEventParsing<QEMULogLineParser>?
    @exclusivity(unchecked) private var settledEvents: [TraceEvent] = []
    @exclusivity(unchecked) private var settledLines: [Int] = []
    @exclusivity(unchecked) private var settled = 0

    /// Opens the log at `path`.
    /// - Parameters:
    ///   - settings: Stage-1 types by region name, models by device name, agents by thread id.
    ///   - mapping: Device-model events; pass `.builtIn.merging(try .load(...))` to extend it.
    ///   - parsingThreads: Threads to parse the log on, in chunks of about `chunkSize` bytes (the
    ///     topology, events, lines, warnings, counts and errors are the same for any number).
    /// - Throws: `InputUnavailableError` when the file cannot be read (or is not a regular file:
    ///   it is read twice), ``InputError`` for malformed lines of the first pass and agent
    ///   spellings that are not agents.
    public convenience init(path: String, settings: CaptureSettings = CaptureSettings(), mapping: QEMULogMapping = .builtIn,
                            parsingThreads: Int = ParsingThreads.default, chunkSize: Int = 1 << 19) throws {
        try self.init(lines: CaptureLineReader(path: path), fileName: path, settings: settings, mapping: mapping,
                      parsingThreads: parsingThreads, chunkSize: chunkSize)
    }

    /// Reads a log held in memory; `fileName` is used in messages.
    public convenience init(text: String, fileName: String = "<input>", settings: CaptureSettings = CaptureSettings(),
                            mapping: QEMULogMapping = .builtIn, parsingThreads: Int = 1, chunkSize: Int = 1 << 19) throws {
        try self.init(lines: CaptureLineReader(bytes: Array(text.utf8), fileName: fileName), fileName: fileName, settings: settings,
                      mapping: mapping, parsingThreads: parsingThreads, chunkSize: chunkSize)
    }

    /// Surveys the log, then rewinds it for the events.
    private init(lines: CaptureLineReader, fileName: String, settings: CaptureSettings, mapping: QEMULogMapping,
                 parsingThreads: Int, chunkSize: Int) throws {
        self.parsingThreads = max(parsingThreads, 1)
        self.chunkSize = max(chunkSize, 1)
        let survey = try Self.survey(lines, fileName: fileName, threads: self.parsingThreads, chunkSize: self.chunkSize)
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
        self.survey = survey
        self.settings = settings
        // Sorted by key: the topology's mappings must not depend on dictionary order.
        let agents = [defaultAgent] + byKey.sorted { $0.key < $1.key }.map(\.value) + (survey.sawAccessWithoutCPU ? [Self.noVCPUAgent] : [])
        tables = Self.topology(survey, settings: settings, agents: agents)
        topology = tables.topology
        live = Array(repeating: nil, count: tables.topology.regions.count)
        parser = QEMULogLineParser(fileName: fileName, mapping: mapping, survey: survey, tables: tables)
        record = .allocate(capacity: 1)
    }

    deinit { record.deallocate() }

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
        if let parallel {
            while settled == settledEvents.count {
                settledEvents.removeAll(keepingCapacity: true)
                settledLines.removeAll(keepingCapacity: true)
                settled = 0
                guard try parallel.nextChunk() else { return nil }
            }
            line = settledLines[settled]
            settled += 1
            return settledEvents[settled - 1]
        }
        if parsingThreads > 1 {
            let rest = lines.handOver()
            parallel = ParallelEventParsing(unread: rest.unread, descriptor: rest.descriptor, owned: rest.owned, firstLine: 1, parser: parser,
                                            threads: parsingThreads, chunkSize: chunkSize, chunks: 2 * parsingThreads,
                                            maximumLineLength: CaptureLineReader.maximumLineLength) { [unowned self] notes, linesBefore, records, lines in
                settle(records, lines: lines, linesBefore: linesBefore, notes: notes)
            }
            return try next()
        }
        do {
            while let bytes = try lines.nextLine() {
                parser.lineNumber = lines.lineNumber
                if try parser.parseLine(bytes, into: record), let event = settle(record.move(), line: lines.lineNumber) {
                    line = lines.lineNumber
                    return event
                }
            }
        } catch {
            count(takeNotes(), linesBefore: 0)
            throw error
        }
        count(takeNotes(), linesBefore: 0)
        return nil
    }

    /// Settles a chunk's records, moving them out, into `settledEvents`.
    private func settle(_ records: UnsafeMutableBufferPointer<QEMULogRecord>, lines: UnsafeBufferPointer<Int>, linesBefore: Int,
                        notes: QEMULogLineParser.ChunkNotes) {
        for index in records.indices {
            if let event = settle((records.baseAddress! + index).move(), line: linesBefore + lines[index]) {
                settledEvents.append(event)
                settledLines.append(linesBefore + lines[index])
            }
        }
        count(notes, linesBefore: linesBefore)
    }

    /// What the parser counted on this thread so far, which it then forgets.
    private func takeNotes() -> QEMULogLineParser.ChunkNotes {
        defer { parser.beginChunk() }
        return parser.endChunk()
    }

    /// Adds what a run of lines after `linesBefore` counted; a line whose event could not be
    /// read still counts its time (its warnings come before the error, as line by line).
    private func count(_ notes: QEMULogLineParser.ChunkNotes, linesBefore: Int) {
        continuationLines += notes.continuationLines
        otherLines += notes.otherLines
        unknownEvents.merge(notes.unknownEvents, uniquingKeysWith: +)
        ignored.merge(notes.ignored, uniquingKeysWith: +)
        if let failed = notes.failedLine {
            _ = settle(QEMULogRecord(key: failed.key, stamp: failed.stamp, content: .nothing), line: linesBefore + failed.line)
        }
    }

    /// Decides, in file order, what the record of line `line` means: the time, then what needs
    /// the BARs mapped and CF8's value at that point.
    private func settle(_ record: QEMULogRecord, line: Int) -> TraceEvent? {
        if let stamp = record.stamp {
            // Relative to the log's first timestamp (the wall clock is kept out of results).
            let origin = survey.firstTime ?? 0
            let time = stamp >= origin ? stamp - origin : 0
            if stamp < origin { warn(line: line, "time is \(origin - stamp) ns before the log's first timestamp; the event is placed at 0") }
            if time < now {
                warn(line: line, "time goes backwards by \(now - time) ns; the event keeps its time")
            }
            now = time
        }
        let kind: EventKind
        var withoutCPU = false
        switch record.content {
        case .nothing:
            return nil
        case .event(let event, let noCPU):
            kind = event
            withoutCPU = noCPU
        case .memory(let address, let size, let value, let write, let noCPU):
            if liveIndex == nil { liveIndex = AddressIndex(live) }
            guard let index = liveIndex!.first(containing: address), let mapped = live[index] else {
                return ignore("memory_region_ops_* outside every mapped BAR")
            }
            let memory = MemoryAccess(address: topology.regions[index].base + (address - mapped.base), region: RegionID(index), size: size,
                                      value: AccessValue(value))
            kind = write ? .write(memory) : .read(memory)
            withoutCPU = noCPU
        case .configAddress(let value, let sets):
            if sets { cf8 = UInt32(value) }
            return ignore("memory_region_ops_* 'pci-conf-idx' (CF8 address)")
        case .configData(let address, let size, let value, let write, let noCPU):
            guard cf8 & 0x8000_0000 != 0 else { return ignore("memory_region_ops_* 'pci-conf-data' with CF8 disabled") }
            let function = PCIAddress(bus: UInt8(truncatingIfNeeded: cf8 >> 16), device: UInt8(cf8 >> 11 & 0x1f), function: UInt8(cf8 >> 8 & 7))
            guard let config = QEMULogLineParser.config(function, offset: UInt16(cf8 & 0xfc) | UInt16(address & 3), size: size, value: value,
                                                        write: write, tables: tables, ignore: { _ = self.ignore($0) }) else { return nil }
            kind = config
            withoutCPU = noCPU
        case .mapping(let region, let base, let size, let added):
            if added {
                let declared = topology.regions[Int(region)]
                if base != declared.base {
                    warn(line: line, "\(declared.name) mapped at 0x\(String(base, radix: 16)), first at 0x\(String(declared.base, radix: 16)); "
                         + "accesses keep their offsets in the region and use the first base")
                }
                live[Int(region)] = (base, size)
            } else {
                live[Int(region)] = nil
            }
            return ignore("pci_update_mappings_* (topology)")
        }
        var agent = withoutCPU ? Self.noVCPUAgent : record.key.flatMap { agentByKey[$0] } ?? defaultAgent
        // QEMU performs resets itself (through vfio for an assigned device): the VMM's, whatever
        // thread logged them.
        if case .reset = kind { agent = .vmm(vm: agent.vm) }
        // A vfio region QEMU unmaps leaves the guest's memory map: KVM removes it from stage 2,
        // a host action (the trace format's `host unmap`).
        if case .unmap = kind { agent = .host }
        return TraceEvent(time: TraceTime(nanoseconds: now), agent: agent, kind: kind)
    }

    private func warn(line: Int, _ message: String) {
        warningCount += 1
        if warnings.count < Self.maximumWarnings {
            warnings.append(CaptureWarning(SourceLocation(file: fileName, line: line, column: 1), message))
        }
    }

    private func ignore(_ reason: String) -> TraceEvent? {
        ignored[reason, default: 0] += 1
        return nil
    }
}
