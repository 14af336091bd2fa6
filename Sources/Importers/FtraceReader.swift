import ArmMemory
import Diagnostics
import MMIOTrace
import PCIeTransport

/// Imports ftrace or `trace-cmd report` text with KVM's `kvm_mmio` and `kvm_unmap_hva_range`
/// events as a stream of events (mapping in `docs/importers.md`).
///
/// Two passes over the file, both in constant memory (plus one entry per touched 4 KiB page and
/// per thread) and on `parsingThreads` threads: the first checks every line and collects the
/// pages `kvm_mmio` touches and the thread names (``FtraceTopologyLines``); the second streams
/// the events (``FtraceEventParser``). Regions are the side file's `regions:`, then one region
/// `gpa-<base>` per run of contiguous touched pages outside them.
public final class FtraceReader: CaptureSource {
    /// The page size touched addresses are grouped by.
    public static let pageSize: UInt64 = 4096

    public private(set) var topology = Topology()
    public var fileName: String { lines.fileName }
    public var line: Int { parallel?.line ?? lines.lineNumber }
    public var warnings: [CaptureWarning] {
        var all = warningList
        // Read on the caller's thread, the parser's warnings are the events' whole list.
        if parallel == nil { all.absorb(parser.notes.warnings, linesBefore: 0) }
        return all.list(end: SourceLocation(file: fileName, line: max(line, 1), column: 1))
    }
    /// The thread names (`comm`) of every `kvm_mmio` and `kvm_unmap_hva_range` line, sorted.
    public private(set) var agentKeys: [String] = []
    /// Lines of other events, skipped (complete before the first event).
    public private(set) var skippedEvents = 0
    /// Threads that parse the capture (1: on the caller's thread, as it asks).
    public let parsingThreads: Int
    public var readsAhead: Bool { parsingThreads > 1 }
    /// The side file the reader applies.
    public let settings: CaptureSettings

    private let lines: CaptureLineReader
    private let agents: [String: Agent]
    private let fallbackAgent: Agent
    /// Why each device got its model, by device name.
    private var modelReasons: [String: String] = [:]
    /// The events' warnings, as their chunks arrive (read on threads).
    private var warningList = CaptureWarnings()
    /// The event grammar, once the topology is read.
    @exclusivity(unchecked) private var parser: FtraceEventParser
    /// Where the parser builds an event read on the caller's thread; allocated once `self` is
    /// whole (an `init` that throws before runs no `deinit` to free it).
    private let parsed: UnsafeMutablePointer<TraceEvent>
    /// About how many bytes of lines each parsing thread takes at a time.
    private let chunkSize: Int
    /// The events, parsed on `parsingThreads` threads once the caller gets there.
    @exclusivity(unchecked) private var parallel: ParallelEventParsing<FtraceEventParser>? {
        didSet { unretainedParallel = parallel.map(Unmanaged.passUnretained) }
    }
    /// ``parallel``, called without the retain and release per event that loading it costs.
    private var unretainedParallel: Unmanaged<ParallelEventParsing<FtraceEventParser>>?
    /// The current chunk's unmaps of several regions (``FtraceEventParser/ChunkNotes/moreUnmaps``),
    /// the next of them, and the index in the chunk of the next event.
    private var chunkUnmaps: [(event: Int, regions: [RegionID])] = []
    private var nextChunkUnmap = 0
    private var chunkEvent = 0
    /// Unmaps of the last event's range still to give, and the next of them.
    private var pending: [TraceEvent] = []
    private var nextPending = 0

    /// Opens the capture at `path`, checks every line and builds the topology.
    /// - Parameters:
    ///   - parsingThreads: Threads to parse the capture on, in chunks of about `chunkSize` bytes
    ///     (the topology, events, lines, warnings and errors are the same for any number).
    /// - Throws: ``InputUnavailableError`` when the file cannot be read, ``InputError`` at the
    ///   first malformed line.
    public convenience init(path: String, settings: CaptureSettings = CaptureSettings(),
                            parsingThreads: Int = ParsingThreads.default, chunkSize: Int = 1 << 19) throws {
        try self.init(lines: CaptureLineReader(path: path), settings: settings, parsingThreads: parsingThreads, chunkSize: chunkSize)
    }

    /// Reads a capture held in memory; `fileName` is used in messages.
    public convenience init(text: String, fileName: String = "<input>", settings: CaptureSettings = CaptureSettings(),
                            parsingThreads: Int = 1, chunkSize: Int = 1 << 19) throws {
        try self.init(lines: CaptureLineReader(bytes: Array(text.utf8), fileName: fileName), settings: settings,
                      parsingThreads: parsingThreads, chunkSize: chunkSize)
    }

    private init(lines: CaptureLineReader, settings: CaptureSettings, parsingThreads: Int, chunkSize: Int) throws {
        self.lines = lines
        self.settings = settings
        self.parsingThreads = max(parsingThreads, 1)
        self.chunkSize = max(chunkSize, 1)
        (agents, fallbackAgent) = try settings.parsedAgents()
        parser = FtraceEventParser(fileName: lines.fileName, regions: [], settings: settings, agents: agents, fallbackAgent: fallbackAgent)
        parsed = .allocate(capacity: 1)
        try readTopology()
        parser = FtraceEventParser(fileName: lines.fileName, regions: topology.regions, settings: settings, agents: agents, fallbackAgent: fallbackAgent)
        try lines.rewind()
    }

    deinit { parsed.deallocate() }

    public func sideFileTemplate() -> String {
        settings.template(for: topology, agents: agentKeys.map { ($0, agent(comm: $0).description) }, modelReasons: modelReasons, regions: true)
    }

    private func agent(comm: String) -> Agent { FtraceThreads.agent(comm: comm, pid: nil, agents: agents, fallbackAgent: fallbackAgent) }

    // MARK: - Pass 1: topology

    private func readTopology() throws {
        try Topology.checkCounts(devices: settings.regions.count, regions: settings.regions.count,
                                 at: SourceLocation(file: fileName, line: 1, column: 1), why: "the side file's regions")
        var devices: [String: DeviceID] = [:]
        for region in settings.regions {
            let device = devices[region.device] ?? {
                topology.devices.append(Device(name: region.device))
                devices[region.device] = DeviceID(topology.devices.count - 1)
                return DeviceID(topology.devices.count - 1)
            }()
            topology.regions.append(Region(name: region.name, device: device, kind: region.kind, base: region.base, size: region.size))
        }
        let declared = topology.regions
        var pages = Set<UInt64>()
        var comms = Set<String>()
        func absorb(_ notes: FtraceTopologyLines.ChunkNotes) {
            pages.formUnion(notes.pages)
            comms.formUnion(notes.comms)
            skippedEvents += notes.skipped
        }
        let pass = FtraceTopologyLines(fileName: fileName, declared: declared, pageSize: Self.pageSize)
        let lastLine: Int
        if parsingThreads > 1 {
            lastLine = try lines.parseInParallel(pass, threads: parsingThreads, chunkSize: chunkSize) { notes, _ in absorb(notes) }
        } else {
            var pass = pass
            let unused = UnsafeMutablePointer<TraceEvent>.allocate(capacity: 1)
            defer { unused.deallocate() }
            while let bytes = try lines.nextLine() {
                pass.lineNumber = lines.lineNumber
                _ = try pass.parseLine(bytes, into: unused)
            }
            absorb(pass.endChunk())
            lastLine = lines.lineNumber
        }
        var runs: [(first: UInt64, last: UInt64)] = []
        for page in pages.sorted() {
            if let last = runs.last, last.last &+ 1 == page { runs[runs.count - 1].last = page } else { runs.append((page, page)) }
        }
        let pieces = runs.flatMap { run in Self.subtract(declared, from: (run.first * Self.pageSize, run.last * Self.pageSize + Self.pageSize - 1)) }
        try Topology.checkCounts(devices: topology.devices.count + pieces.count, regions: topology.regions.count + pieces.count,
                                 at: SourceLocation(file: fileName, line: max(lastLine, 1), column: 1),
                                 why: "one per run of guest pages accessed outside the side file's regions; declare them in the side file")
        for (base, end) in pieces {
            let name = "gpa-\(String(base, radix: 16))"
            topology.devices.append(Device(name: name))
            topology.regions.append(Region(name: name, device: DeviceID(topology.devices.count - 1), kind: .bar, base: base, size: end - base + 1))
        }
        agentKeys = comms.sorted()
        let used = [fallbackAgent] + Array(agents.values) + agentKeys.map { agent(comm: $0) }
        modelReasons = settings.apply(to: &topology, spaces: Array(Set(used.map(\.addressSpace))).sorted()) { _ in true }
    }

    /// The parts of the inclusive range `range` no region of `regions` covers.
    private static func subtract(_ regions: [Region], from range: (UInt64, UInt64)) -> [(UInt64, UInt64)] {
        var pieces = [range]
        for r in regions {
            let (rBase, rEnd) = (r.base, r.base + r.size - 1)
            pieces = pieces.flatMap { piece -> [(UInt64, UInt64)] in
                guard rBase <= piece.1, piece.0 <= rEnd else { return [piece] }
                return (piece.0 < rBase ? [(piece.0, rBase - 1)] : []) + (rEnd < piece.1 ? [(rEnd + 1, piece.1)] : [])
            }
        }
        return pieces
    }

    // MARK: - Pass 2: events

    public func next() throws -> TraceEvent? {
        if nextPending < pending.count {
            nextPending += 1
            return pending[nextPending - 1]
        }
        if let unretainedParallel {
            guard let event = try unretainedParallel._withUnsafeGuaranteedRef({ try $0.next() }) else { return nil }
            if nextChunkUnmap < chunkUnmaps.count, chunkUnmaps[nextChunkUnmap].event == chunkEvent {
                expand(event, chunkUnmaps[nextChunkUnmap].regions)
                nextChunkUnmap += 1
            }
            chunkEvent += 1
            return event
        }
        if parsingThreads > 1 {
            let rest = lines.handOver()
            parallel = ParallelEventParsing(unread: rest.unread, descriptor: rest.descriptor, owned: rest.owned, firstLine: 1,
                                            parser: parser, threads: parsingThreads, chunkSize: chunkSize, chunks: 2 * parsingThreads,
                                            maximumLineLength: CaptureLineReader.maximumLineLength) { [unowned self] notes, linesBefore, _, _ in
                warningList.absorb(notes.warnings, linesBefore: linesBefore)
                chunkUnmaps = notes.moreUnmaps
                nextChunkUnmap = 0
                chunkEvent = 0
            }
            return try next()
        }
        while let bytes = try lines.nextLine() {
            parser.lineNumber = line
            if try parser.parseLine(bytes, into: parsed) {
                let event = parsed.move()
                expand(event, parser.takeMoreUnmaps())
                return event
            }
        }
        return nil
    }

    /// Queues the unmaps of `regions` that follow `event`, the unmap of a range's first region.
    private func expand(_ event: TraceEvent, _ regions: [RegionID]) {
        guard !regions.isEmpty, case .unmap(_, let vm) = event.kind else { return }
        pending = regions.map { TraceEvent(time: event.time, agent: .host, kind: .unmap(region: $0, vm: vm)) }
        nextPending = 0
    }
}
