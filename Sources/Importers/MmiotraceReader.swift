import ArmMemory
import DeviceModels
import Diagnostics
import MMIOTrace
import PCIeTransport

/// Imports a Linux mmiotrace capture (`trace_pipe` form with `VERSION`/`PCIDEV`, or `trace` form
/// with `# tracer: mmiotrace` headers) as a stream of events (mapping in `docs/importers.md`).
///
/// Two passes over the file, both in constant memory and on `parsingThreads` threads: the first
/// reads only `VERSION`, `PCIDEV` and `MAP` lines to build the topology, so that it is complete
/// before the first event; the second streams the events (``MmiotraceEventParser``).
public final class MmiotraceReader: CaptureSource {
    /// The mmiotrace format version this reader knows (`VERSION 20070824`).
    public static let formatVersion: StaticString = "20070824"

    // The stored properties the event loop touches for every line skip dynamic exclusivity
    // checks: one thread reads a capture.
    @exclusivity(unchecked) public private(set) var topology = Topology()
    public var fileName: String { lines.fileName }
    public var line: Int { parallel?.line ?? lines.lineNumber }
    public var warnings: [CaptureWarning] {
        var all = warningList
        // Read on the caller's thread, the parser's warnings are the events' whole list.
        if parallel == nil { all.absorb(parser.notes.warnings, linesBefore: 0) }
        return all.list(end: SourceLocation(file: fileName, line: max(line, 1), column: 1))
    }
    /// Threads that parse the capture (1: on the caller's thread, as it asks).
    public let parsingThreads: Int
    public var readsAhead: Bool { parsingThreads > 1 }
    /// The pid field of every line (always `0` in kernel output).
    public let agentKeys = ["0"]
    /// The side file the reader applies.
    public let settings: CaptureSettings

    private let lines: CaptureLineReader
    /// The file name lent to the scanner of each topology line.
    private let file: CaptureFileName
    private let agents: [String: Agent]
    private let fallbackAgent: Agent
    /// The topology's warnings, then (read on threads) the events' as their chunks arrive.
    private var warningList = CaptureWarnings()
    /// The event grammar, once the topology is read.
    @exclusivity(unchecked) private var parser: MmiotraceEventParser
    /// Where the parser builds an event read on the caller's thread; allocated once `self` is
    /// whole (an `init` that throws before runs no `deinit` to free it).
    private let parsed: UnsafeMutablePointer<TraceEvent>
    /// About how many bytes of lines each parsing thread takes at a time.
    private let chunkSize: Int
    /// The events, parsed on `parsingThreads` threads once the caller gets there.
    @exclusivity(unchecked) private var parallel: ParallelEventParsing<MmiotraceEventParser>? {
        didSet { unretainedParallel = parallel.map(Unmanaged.passUnretained) }
    }
    /// ``parallel``, called without the retain and release per event that loading it costs.
    private var unretainedParallel: Unmanaged<ParallelEventParsing<MmiotraceEventParser>>?

    /// Opens the capture at `path` and reads its topology.
    /// - Parameters:
    ///   - parsingThreads: Threads to parse the capture on, in chunks of about `chunkSize` bytes
    ///     (the topology, events, lines, warnings and errors are the same for any number).
    /// - Throws: ``InputUnavailableError`` when the file cannot be read, ``InputError`` when a
    ///   `VERSION`, `PCIDEV` or `MAP` line is malformed.
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
        file = CaptureFileName(lines.fileName)
        self.settings = settings
        self.parsingThreads = max(parsingThreads, 1)
        self.chunkSize = max(chunkSize, 1)
        (agents, fallbackAgent) = try settings.parsedAgents()
        parser = MmiotraceEventParser(fileName: lines.fileName, regions: [], agents: agents, fallbackAgent: fallbackAgent)
        parsed = .allocate(capacity: 1)
        try readTopology()
        parser = MmiotraceEventParser(fileName: lines.fileName, regions: topology.regions, agents: agents, fallbackAgent: fallbackAgent)
        try lines.rewind()
    }

    deinit { parsed.deallocate() }

    public func sideFileTemplate() -> String {
        settings.template(for: topology, agents: agentKeys.map { ($0, (agents[$0] ?? fallbackAgent).description) }, modelReasons: modelReasons)
    }

    // MARK: - Pass 1: topology

    /// What the first pass keeps between lines.
    private struct TopologyPass {
        /// Mapped ranges no BAR contains.
        var mappedRanges: [(base: UInt64, end: UInt64)] = []
        var mappedBARs = Set<Int>()
        /// The BAR regions by address, indexed again only after a PCIDEV line added some.
        var bars = (count: 0, index: AddressIndex([Region]()))
    }

    /// Reads the `VERSION`, `PCIDEV` and `MAP` lines in file order; on `parsingThreads` threads,
    /// which find those lines (few, in a capture of accesses) in chunks of the file.
    private func readTopology() throws {
        var pass = TopologyPass()
        var lastLine: Int
        if parsingThreads > 1 {
            // Notes come in file order, without a way to throw: the first malformed line waits
            // in `failure`, and comes before any error the line splitting meets later.
            var failure: (any Error)?
            do {
                lastLine = try lines.parseInParallel(MmiotraceTopologyLines(fileName: fileName), threads: parsingThreads, chunkSize: chunkSize) { found, linesBefore in
                    guard failure == nil else { return }
                    do {
                        for (line, range) in found.lines {
                            try found.bytes.withUnsafeBufferPointer { bytes in
                                try self.readTopologyLine(UnsafeBufferPointer(rebasing: bytes[range]), line: linesBefore + line, &pass)
                            }
                        }
                    } catch {
                        failure = error
                    }
                }
            } catch {
                throw failure ?? error
            }
            if let failure { throw failure }
        } else {
            while let bytes = try lines.nextLine() { try readTopologyLine(bytes, line: lines.lineNumber, &pass) }
            lastLine = lines.lineNumber
        }
        try addUnknownRegions(Self.merged(pass.mappedRanges), lastLine: lastLine)
        let spaces = Array(Set(([fallbackAgent] + agents.values).map(\.addressSpace))).sorted()
        modelReasons = settings.apply(to: &topology, spaces: spaces, identified: identifiedModels) { pass.mappedBARs.contains(Int($0)) || Int($0) >= Int(barCount) }
    }

    private func readTopologyLine(_ bytes: UnsafeBufferPointer<UInt8>, line: Int, _ pass: inout TopologyPass) throws {
        guard let first = bytes.first, first != UInt8(ascii: "R"), first != UInt8(ascii: "W") else { return }
        var s = CaptureScanner(bytes, file: file, line: line)
        let keyword = s.token()
        if s.matches(keyword, "VERSION") {
            let version = s.token()
            if !s.matches(version, Self.formatVersion) {
                warn(at: version.lowerBound, line: line, "mmiotrace version '\(s.text(version))', this reader knows \(Self.formatVersion)")
            }
            try s.expectEnd()
        } else if s.matches(keyword, "PCIDEV") {
            try readPCIDevice(&s)
        } else if s.matches(keyword, "MAP") {
            _ = try s.field("a timestamp (secs.usecs)") { s, r in s.timestamp(r) }
            _ = try s.decimalField("a map id (decimal)")
            let (phys, _) = try s.hexField("a physical address (0x…)")
            _ = try s.hexField("a virtual address (0x…)")
            let (length, lenRange) = s.hexToken()
            guard let length, length > 0, Region.fits(base: phys, size: length) else {
                throw s.expected("a mapping length (0x…, not zero) ending below 2^52 (Arm's largest physical address space)", lenRange)
            }
            _ = try s.hexField("a program counter (0x…)")
            _ = try s.decimalField("a pid (decimal)")
            try s.expectEnd()
            if pass.bars.count != topology.regions.count { pass.bars = (topology.regions.count, AddressIndex(topology.regions)) }
            if let bar = pass.bars.index.first(containing: phys) {
                pass.mappedBARs.insert(bar)
                if !topology.regions[bar].contains(phys + length - 1) {
                    warn(at: lenRange.lowerBound, line: line,
                         "mapping 0x\(String(phys, radix: 16)) +0x\(String(length, radix: 16)) runs past the end of \(topology.regions[bar].name)")
                }
            } else {
                pass.mappedRanges.append((phys, phys + length - 1))
            }
        }
    }

    /// The built-in model each `PCIDEV` device's vendor and device ID chose, by device name.
    private var identifiedModels: [String: (model: String, reason: String)] = [:]
    /// Why each device got its model, by device name.
    private var modelReasons: [String: String] = [:]

    /// The names of the devices of `PCIDEV` lines so far.
    private var deviceNames = Set<String>()

    /// The number of regions that came from `PCIDEV` lines (the rest come from `MAP` lines).
    private var barCount: RegionID = 0

    /// `PCIDEV bbdf vvvvdddd irq <7 starts> <7 sizes> [driver]`: a device and its memory BARs
    /// (I/O BARs, empty BARs and the ROM are skipped).
    private func readPCIDevice(_ s: inout CaptureScanner) throws {
        let (bdf, bdfRange) = s.hexToken(prefixed: false)
        guard bdfRange.count == 4, let bdf else { throw s.expected("a bus and devfn (4 hex digits)", bdfRange) }
        let (ids, idRange) = s.hexToken(prefixed: false)
        guard idRange.count == 8, let ids else { throw s.expected("a vendor and device id (8 hex digits)", idRange) }
        _ = try s.hexField("an IRQ (hex)", prefixed: false)
        var starts: [UInt64] = []
        var sizes: [UInt64] = []
        for i in 0..<14 {
            let what = i < 7 ? "resource \(i)'s start (hex)" : "resource \(i - 7)'s size (hex)"
            let (value, _) = try s.hexField(what, prefixed: false)
            if i < 7 { starts.append(value) } else { sizes.append(value) }
        }
        let driverRange = s.token()
        try s.expectEnd()
        let address = PCIAddress(bus: UInt8(bdf >> 8), device: UInt8(bdf >> 3 & 0x1f), function: UInt8(bdf & 7))
        let hex2 = { (v: UInt8) in (v < 16 ? "0" : "") + String(v, radix: 16) }
        let place = "\(hex2(address.bus))-\(hex2(address.device))-\(address.function)"
        let driver = String(decoding: s.bytes[driverRange].map { b in
            (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7a || b &- 0x30 < 10 || b == 0x5f || b == 0x2d ? b : 0x5f
        }, as: UTF8.self)
        let name = (driverRange.isEmpty || !CaptureSettings.isValidName(driver) ? "dev" : driver) + "-" + place
        guard deviceNames.insert(name).inserted else {
            throw InputError(s.location(bdfRange.lowerBound), "duplicate PCIDEV for \(address)")
        }
        try Topology.checkCounts(devices: topology.devices.count + 1, regions: 0, at: s.location(bdfRange.lowerBound), why: "one per PCIDEV line")
        let device = DeviceID(topology.devices.count)
        topology.devices.append(Device(name: name, bdf: address))
        let vendor = UInt16(truncatingIfNeeded: ids >> 16), deviceID = UInt16(truncatingIfNeeded: ids)
        if let model = DeviceModel.builtIn(vendorID: vendor, deviceID: deviceID) {
            identifiedModels[name] = (model.name, "PCI IDs \(s.text(idRange.lowerBound..<idRange.lowerBound + 4)):\(s.text(idRange.lowerBound + 4..<idRange.upperBound))")
        }
        var bar = 0
        while bar < 6 {
            let raw = starts[bar], size = sizes[bar]
            let is64 = raw & 1 == 0 && raw & 0x6 == 0x4
            defer { bar += is64 ? 2 : 1 }
            guard raw & 1 == 0, size > 0 else { continue }
            let base = raw & ~0xf
            guard Region.fits(base: base, size: size) else {
                let (expected, found) = Region.addressLimitExpectation(base: base, size: size)
                throw InputError(s.location(bdfRange.lowerBound), expected: expected, found: "BAR \(bar) at \(found)")
            }
            let region = Region(name: "\(name)-bar\(bar)", device: device, kind: .bar, base: base, size: size,
                                prefetchable: raw & 0x8 != 0, barIndex: UInt8(bar))
            if let other = topology.regions.first(where: { base < $0.base &+ $0.size && $0.base < base &+ size }) {
                warn(at: bdfRange.lowerBound, line: s.line, "\(region.name) at 0x\(String(base, radix: 16)) overlaps \(other.name); skipped")
                continue
            }
            topology.regions.append(region)
        }
        barCount = RegionID(topology.regions.count)
    }

    /// `ranges` sorted by base, those that overlap merged into one.
    private static func merged(_ ranges: [(base: UInt64, end: UInt64)]) -> [(base: UInt64, end: UInt64)] {
        var merged: [(base: UInt64, end: UInt64)] = []
        for range in ranges.sorted(by: { ($0.base, $0.end) < ($1.base, $1.end) }) {
            if let last = merged.last, range.base <= last.end {
                merged[merged.count - 1].end = max(last.end, range.end)
            } else {
                merged.append(range)
            }
        }
        return merged
    }

    /// One device and region `mem-<base>` per merged range of mapped memory no BAR contains,
    /// cut short where a BAR begins inside it.
    private func addUnknownRegions(_ ranges: [(base: UInt64, end: UInt64)], lastLine: Int) throws(InputError) {
        try Topology.checkCounts(devices: topology.devices.count + ranges.count, regions: topology.regions.count + ranges.count,
                                 at: SourceLocation(file: fileName, line: max(lastLine, 1), column: 1),
                                 why: "one per range of mapped memory outside every BAR")
        let barBases = topology.regions.map(\.base).sorted()
        for (base, end) in ranges {
            let after = barBases.partitionPoint { $0 > base }
            let barStart = after < barBases.count && barBases[after] <= end ? barBases[after] : nil
            let size = (barStart.map { $0 - 1 } ?? end) - base + 1
            let name = "mem-\(String(base, radix: 16))"
            topology.devices.append(Device(name: name))
            topology.regions.append(Region(name: name, device: DeviceID(topology.devices.count - 1), kind: .bar, base: base, size: size))
        }
    }

    // MARK: - Pass 2: events

    public func next() throws -> TraceEvent? {
        if let unretainedParallel { return try unretainedParallel._withUnsafeGuaranteedRef { try $0.next() } }
        if parsingThreads > 1 {
            let rest = lines.handOver()
            let parallel = ParallelEventParsing(unread: rest.unread, descriptor: rest.descriptor, owned: rest.owned, firstLine: 1,
                                                parser: parser, threads: parsingThreads, chunkSize: chunkSize, chunks: 2 * parsingThreads,
                                                maximumLineLength: CaptureLineReader.maximumLineLength) { [unowned self] notes, linesBefore, events, _ in
                for index in notes.timeFromBefore {
                    events[index].time = TraceTime(nanoseconds: warningList.lastTime ?? 0)
                }
                warningList.absorb(notes.warnings, linesBefore: linesBefore)
            }
            self.parallel = parallel
            return try parallel.next()
        }
        while let bytes = try lines.nextLine() {
            parser.lineNumber = line
            if try parser.parseLine(bytes, into: parsed) { return parsed.move() }
        }
        return nil
    }

    private func warn(at position: Int, line: Int, _ message: String) {
        warningList.add(CaptureWarning(SourceLocation(file: fileName, line: line, column: position + 1), message))
    }
}

/// The first pass as a ``ChunkedLineParser``: finds the lines the topology reads (`VERSION`,
/// `PCIDEV`, `MAP`) and keeps a copy of each with its line, for the reader to read in file order.
/// It gives no events.
struct MmiotraceTopologyLines: CaptureLineParser {
    struct ChunkNotes {
        var bytes: [UInt8] = []
        /// Each line found, as its line in the chunk and its bytes in `bytes`.
        var lines: [(line: Int, range: Range<Int>)] = []
    }

    var file: CaptureFileName
    var lineNumber = 0
    private var found = ChunkNotes()

    init(fileName: String) {
        file = CaptureFileName(fileName)
    }

    mutating func beginChunk() { found = ChunkNotes() }

    mutating func parseLine(_ line: UnsafeBufferPointer<UInt8>, into event: UnsafeMutablePointer<TraceEvent>) throws -> Bool {
        guard let first = line.first, first != UInt8(ascii: "R"), first != UInt8(ascii: "W") else { return false }
        var s = CaptureScanner(line, file: file, line: lineNumber)
        let keyword = s.token()
        if s.matches(keyword, "VERSION") || s.matches(keyword, "PCIDEV") || s.matches(keyword, "MAP") {
            found.lines.append((lineNumber, found.bytes.count..<found.bytes.count + line.count))
            found.bytes.append(contentsOf: line)
        }
        return false
    }

    mutating func endChunk() -> ChunkNotes { found }
}
