import Diagnostics
import MMIOTrace
import PCIeTransport

/// The event lines of an ftrace capture (the second pass of ``FtraceReader``): `kvm_mmio` as
/// reads and writes, `kvm_unmap_hva_range` as stage-2 unmaps of the side file's regions whose
/// host addresses it covers (a mark when it covers none).
///
/// A value that parses on its own over a finished topology, so that several threads can parse
/// chunks of one capture at once; what depends on the lines before a chunk (a time that went
/// back) is left in ``ChunkNotes`` for the reader to settle.
struct FtraceEventParser: CaptureLineParser {
    /// What a run of lines noted beside its events.
    struct ChunkNotes {
        var warnings = CaptureWarnings()
        /// The unmaps that cover more than one region: the event (by index in the run) that
        /// unmaps the first, and the regions the reader unmaps right after it.
        var moreUnmaps: [(event: Int, regions: [RegionID])] = []
        /// Events in the run so far.
        var events = 0
    }

    var file: CaptureFileName
    var lineNumber = 0
    private var threads: FtraceThreads
    private var regions: RegionFinder
    /// The side file's regions' host addresses and sizes (they are the topology's first regions).
    private let hostRanges: [(hva: UInt64?, size: UInt64)]
    private(set) var notes = ChunkNotes()

    init(fileName: String, regions: [Region], settings: CaptureSettings, agents: [String: Agent], fallbackAgent: Agent) {
        file = CaptureFileName(fileName)
        self.regions = RegionFinder(regions)
        hostRanges = settings.regions.map { ($0.hva, $0.size) }
        threads = FtraceThreads(agents: agents, fallbackAgent: fallbackAgent)
    }

    mutating func beginChunk() { notes = ChunkNotes() }

    mutating func endChunk() -> ChunkNotes { notes }

    mutating func parseLine(_ bytes: UnsafeBufferPointer<UInt8>, into event: UnsafeMutablePointer<TraceEvent>) throws -> Bool {
        var s = CaptureScanner(bytes, file: file, line: lineNumber)
        guard case .line(let line) = try FtraceLine.read(&s) else { return false }
        let time = notes.warnings.ordered(line.time, at: SourceLocation(file: file.text, line: lineNumber, column: line.timeAt + 1))
        let agent = threads.agent(line, s)
        switch line.kind {
        case .access(let isWrite, let hasValue, let gpa, let size, let value):
            let access = MemoryAccess(address: gpa, region: regions.region(containing: gpa), size: UInt8(size), value: AccessValue(value), hasValue: hasValue)
            event.initialize(to: TraceEvent(time: time, agent: agent, kind: isWrite ? .write(access) : .read(access)))
        case .unmapHVA(let start, let end):
            let hit = hostRanges.indices.filter { i in hostRanges[i].hva.map { $0 < end && start < $0 &+ hostRanges[i].size } ?? false }
            if let first = hit.first {
                event.initialize(to: TraceEvent(time: time, agent: .host, kind: .unmap(region: RegionID(first), vm: agent.vm)))
                if hit.count > 1 { notes.moreUnmaps.append((notes.events, hit.dropFirst().map { RegionID($0) })) }
            } else {
                event.initialize(to: TraceEvent(time: time, agent: agent,
                                                kind: .mark(MarkText("kvm_unmap_hva_range 0x\(String(start, radix: 16)) -- 0x\(String(end, radix: 16))"))))
            }
        }
        notes.events += 1
        return true
    }

    /// On the caller's thread: the regions the event just parsed unmaps after its first, which
    /// the notes then forget.
    mutating func takeMoreUnmaps() -> [RegionID] {
        guard let last = notes.moreUnmaps.last, last.event == notes.events - 1 else { return [] }
        notes.moreUnmaps.removeLast()
        return last.regions
    }
}

/// The first pass as a ``ChunkedLineParser``: checks every line, and notes the pages `kvm_mmio`
/// touches outside the side file's regions, the thread names and the other events' lines. It
/// gives no events.
struct FtraceTopologyLines: CaptureLineParser {
    struct ChunkNotes {
        /// Touched 4 KiB pages (by number) outside the side file's regions.
        var pages = Set<UInt64>()
        /// Thread names this thread had not met before (another thread may have).
        var comms: [String] = []
        /// Lines of other events.
        var skipped = 0
    }

    var file: CaptureFileName
    var lineNumber = 0
    private let declared: AddressIndex
    private let pageSize: UInt64
    /// The thread names this parser has reported, in any chunk.
    private var reported = NameTable()
    private var lastComm = 0
    private var notes = ChunkNotes()

    init(fileName: String, declared: [Region], pageSize: UInt64) {
        file = CaptureFileName(fileName)
        self.declared = AddressIndex(declared)
        self.pageSize = pageSize
    }

    mutating func beginChunk() { notes = ChunkNotes() }

    mutating func endChunk() -> ChunkNotes { notes }

    mutating func parseLine(_ bytes: UnsafeBufferPointer<UInt8>, into event: UnsafeMutablePointer<TraceEvent>) throws -> Bool {
        var s = CaptureScanner(bytes, file: file, line: lineNumber)
        switch try FtraceLine.read(&s) {
        case .nothing:
            break
        case .otherEvent:
            notes.skipped += 1
        case .line(let line):
            let comm = UnsafeBufferPointer(rebasing: bytes[line.comm])
            if let known = reported.find(comm, hint: lastComm) {
                lastComm = known
            } else {
                lastComm = reported.insert(comm)!
                notes.comms.append(s.text(line.comm))
            }
            if case .access(_, _, let gpa, let size, _) = line.kind, declared.first(containing: gpa) == nil {
                notes.pages.insert(gpa / pageSize)
                notes.pages.insert((gpa &+ size &- 1) / pageSize)
            }
        }
        return false
    }
}
