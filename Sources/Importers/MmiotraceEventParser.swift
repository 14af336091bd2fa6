import Diagnostics
import MMIOTrace
import PCIeTransport

/// The event lines of a Linux mmiotrace capture (the second pass of ``MmiotraceReader``): `R`/`W`
/// as reads and writes, `MARK` as marks, and `MAP`/`UNMAP` (the guest's own `ioremap`/`iounmap`,
/// not a stage-2 change) as marks `ioremap …`/`iounmap …`.
///
/// A value that parses on its own over a finished topology, so that several threads can parse
/// chunks of one capture at once; what depends on the lines before a chunk (the time to warn
/// about or to give a lost-events mark) is left in ``ChunkNotes`` for the reader to settle.
struct MmiotraceEventParser: CaptureLineParser {
    /// What a run of lines noted: its warnings (with its first timestamp), and the marks that
    /// take the time of an event before the run.
    struct ChunkNotes {
        var warnings = CaptureWarnings()
        /// The events (by index in the run) that take the last time before the run: lost-events
        /// marks before the run's first timed event.
        var timeFromBefore: [Int] = []
        /// Events in the run so far.
        var events = 0
    }

    static let keywords = ["VERSION", "PCIDEV", "MAP", "UNMAP", "R", "W", "MARK", "UNKNOWN"]

    var file: CaptureFileName
    var lineNumber = 0
    private let agents: [String: Agent]
    private let fallbackAgent: Agent
    private var regions: RegionFinder
    /// The previous event's pid and its agent: consecutive events are usually one process's.
    private var lastPID: (text: [UInt8], agent: Agent)
    /// The marks of the texts seen so far: a capture repeats a few.
    private var marks = NameMemo<MarkText>()
    private(set) var notes = ChunkNotes()

    init(fileName: String, regions: [Region], agents: [String: Agent], fallbackAgent: Agent) {
        file = CaptureFileName(fileName)
        self.regions = RegionFinder(regions)
        self.agents = agents
        self.fallbackAgent = fallbackAgent
        lastPID = (Array("0".utf8), agents["0"] ?? fallbackAgent)
    }

    mutating func beginChunk() { notes = ChunkNotes() }

    mutating func endChunk() -> ChunkNotes { notes }

    mutating func parseLine(_ bytes: UnsafeBufferPointer<UInt8>, into event: UnsafeMutablePointer<TraceEvent>) throws -> Bool {
        var s = CaptureScanner(bytes, file: file, line: lineNumber)
        let keyword = s.token()
        guard !keyword.isEmpty, bytes[keyword.lowerBound] != UInt8(ascii: "#") else { return false }
        if s.matches(keyword, "R") || s.matches(keyword, "W") {
            event.initialize(to: try access(&s, isWrite: bytes[keyword.lowerBound] == UInt8(ascii: "W")))
        } else if s.matches(keyword, "MARK") {
            let (time, timeRange) = try timestamp(&s)
            s.skipSpaces()
            let textRange = s.restRange(from: s.position)
            let textBytes = UnsafeBufferPointer(rebasing: bytes[textRange])
            // Only a text that starts "Lost " can be the tracer's lost-events message; any other
            // mark is found again from its bytes, without a `String` or the mark table's lock.
            let text = textBytes.starts(with: "Lost ".utf8) ? s.text(textRange) : nil
            if let text, text.hasSuffix(" events."), let count = UInt64(text.dropFirst(5).dropLast(8)) {
                warn(at: keyword.lowerBound, "the tracer lost \(count) events here")
                // The time of the event before: the reader gives it when that came before the run.
                if notes.warnings.lastTime == nil { notes.timeFromBefore.append(notes.events) }
                event.initialize(to: TraceEvent(time: TraceTime(nanoseconds: notes.warnings.lastTime ?? 0), agent: fallbackAgent, kind: .mark(MarkText(text))))
            } else {
                event.initialize(to: TraceEvent(time: ordered(time, s, timeRange), agent: fallbackAgent, kind: .mark(marks.value(of: textBytes) { MarkText(String(decoding: textBytes, as: UTF8.self)) })))
            }
        } else if s.matches(keyword, "MAP") {
            let (time, timeRange) = try timestamp(&s)
            let id = s.text(s.token()), phys = s.text(s.token())
            _ = s.token()
            let length = s.text(s.token())
            _ = s.token()
            event.initialize(to: try self.event(time, timeRange, agentRange: s.token(), s, .mark(MarkText("ioremap map \(id) \(phys) size \(length)"))))
        } else if s.matches(keyword, "UNMAP") {
            let (time, timeRange) = try timestamp(&s)
            let (id, _) = try s.decimalField("a map id (decimal)")
            _ = try s.hexField("a program counter (0x…)")
            let agentRange = s.token()
            guard s.decimal(agentRange) != nil else { throw s.expected("a pid (decimal)", agentRange) }
            try s.expectEnd()
            event.initialize(to: try self.event(time, timeRange, agentRange: agentRange, s, .mark(MarkText("iounmap map \(id)"))))
        } else if s.matches(keyword, "UNKNOWN") {
            _ = try timestamp(&s)
            _ = s.token()
            let phys = s.text(s.token())
            warn(at: keyword.lowerBound, "an access mmiotrace could not decode (UNKNOWN) at \(phys); skipped")
            return false
        } else if s.matches(keyword, "VERSION") || s.matches(keyword, "PCIDEV") {
            return false
        } else {
            throw s.expected("an mmiotrace line (\(Self.keywords.joined(separator: ", ")))", keyword, choices: Self.keywords)
        }
        notes.events += 1
        return true
    }

    /// `R|W width secs.usecs map-id phys value pc pid`.
    private mutating func access(_ s: inout CaptureScanner, isWrite: Bool) throws -> TraceEvent {
        let widthRange = s.token()
        guard let width = s.decimal(widthRange), [1, 2, 4, 8].contains(width) else {
            throw s.expected("an access width (1, 2, 4 or 8)", widthRange)
        }
        let (time, timeRange) = try timestamp(&s)
        _ = try s.decimalField("a map id (decimal)")
        let (address, _) = try s.hexField("a physical address (0x…)")
        let (value, valueRange) = try s.hexField("a value (0x…)")
        guard width == 8 || value >> (width * 8) == 0 else {
            throw InputError(s.location(valueRange.lowerBound),
                             "expected a value of at most \(width) bytes, found \(InputError.quote(s.text(valueRange)))")
        }
        _ = try s.hexField("a program counter (0x…)")
        let agentRange = s.token()
        guard s.decimal(agentRange) != nil else { throw s.expected("a pid (decimal)", agentRange) }
        try s.expectEnd()
        let access = MemoryAccess(address: address, region: regions.region(containing: address), size: UInt8(width), value: AccessValue(value))
        return try event(time, timeRange, agentRange: agentRange, s, isWrite ? .write(access) : .read(access))
    }

    private mutating func event(_ time: UInt64, _ timeRange: Range<Int>, agentRange: Range<Int>, _ s: CaptureScanner, _ kind: EventKind) throws -> TraceEvent {
        if !s.matches(agentRange, lastPID.text) {
            lastPID = (Array(s.bytes[agentRange]), agents[s.text(agentRange)] ?? fallbackAgent)
        }
        return TraceEvent(time: ordered(time, s, timeRange), agent: lastPID.agent, kind: kind)
    }

    private func timestamp(_ s: inout CaptureScanner) throws(InputError) -> (UInt64, Range<Int>) {
        try s.field("a timestamp (secs.usecs)") { s, r in s.timestamp(r) }
    }

    private mutating func ordered(_ time: UInt64, _ s: CaptureScanner, _ range: Range<Int>) -> TraceTime {
        notes.warnings.ordered(time, at: s.location(range.lowerBound))
    }

    private mutating func warn(at position: Int, _ message: String) {
        notes.warnings.add(CaptureWarning(SourceLocation(file: file.text, line: lineNumber, column: position + 1), message))
    }
}
