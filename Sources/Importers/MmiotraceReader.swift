import ArmMemory
import DeviceModels
import Diagnostics
import MMIOTrace
import PCIeTransport

/// Imports a Linux mmiotrace capture (`trace_pipe` form with `VERSION`/`PCIDEV`, or `trace` form
/// with `# tracer: mmiotrace` headers) as a stream of events (mapping in `docs/importers.md`).
///
/// Two passes over the file, both in constant memory: the first reads only `VERSION`, `PCIDEV`
/// and `MAP` lines to build the topology, so that it is complete before the first event; the
/// second streams `R`/`W` as reads and writes, `MARK` as marks, and `MAP`/`UNMAP` (the guest's
/// own `ioremap`/`iounmap`, not a stage-2 change) as marks `ioremap …`/`iounmap …`.
public final class MmiotraceReader: CaptureSource {
    /// The mmiotrace format version this reader knows (`VERSION 20070824`).
    public static let formatVersion: StaticString = "20070824"
    static let keywords = ["VERSION", "PCIDEV", "MAP", "UNMAP", "R", "W", "MARK", "UNKNOWN"]

    // The stored properties the event loop touches for every line skip dynamic exclusivity
    // checks: one thread reads a capture.
    @exclusivity(unchecked) public private(set) var topology = Topology()
    public var fileName: String { lines.fileName }
    public var line: Int { lines.lineNumber }
    public var warnings: [CaptureWarning] { warningList.list(end: SourceLocation(file: fileName, line: max(line, 1), column: 1)) }
    /// The pid field of every line (always `0` in kernel output).
    public let agentKeys = ["0"]
    /// The side file the reader applies.
    public let settings: CaptureSettings

    private let lines: CaptureLineReader
    private let agents: [String: Agent]
    private let fallbackAgent: Agent
    @exclusivity(unchecked) private var warningList = CaptureWarnings()
    /// The regions by address, once the topology is read.
    @exclusivity(unchecked) private var regions = RegionFinder([])
    /// The previous event's pid and its agent: consecutive events are usually one process's.
    @exclusivity(unchecked) private var lastPID: (text: [UInt8], agent: Agent)

    /// Opens the capture at `path` and reads its topology.
    /// - Throws: ``InputUnavailableError`` when the file cannot be read, ``InputError`` when a
    ///   `VERSION`, `PCIDEV` or `MAP` line is malformed.
    public convenience init(path: String, settings: CaptureSettings = CaptureSettings()) throws {
        try self.init(lines: CaptureLineReader(path: path), settings: settings)
    }

    /// Reads a capture held in memory; `fileName` is used in messages.
    public convenience init(text: String, fileName: String = "<input>", settings: CaptureSettings = CaptureSettings()) throws {
        try self.init(lines: CaptureLineReader(bytes: Array(text.utf8), fileName: fileName), settings: settings)
    }

    private init(lines: CaptureLineReader, settings: CaptureSettings) throws {
        self.lines = lines
        self.settings = settings
        (agents, fallbackAgent) = try settings.parsedAgents()
        lastPID = (Array("0".utf8), agents["0"] ?? fallbackAgent)
        try readTopology()
        regions = RegionFinder(topology.regions)
        try lines.rewind()
    }

    public func sideFileTemplate() -> String {
        settings.template(for: topology, agents: agentKeys.map { ($0, (agents[$0] ?? fallbackAgent).description) }, modelReasons: modelReasons)
    }

    // MARK: - Pass 1: topology

    private func readTopology() throws {
        var mappedRanges: [(base: UInt64, end: UInt64)] = []
        var mappedBARs = Set<Int>()
        // The BAR regions by address, indexed again only after a PCIDEV line added some.
        var bars = (count: 0, index: AddressIndex([Region]()))
        func bar(containing address: UInt64) -> Int? {
            if bars.count != topology.regions.count { bars = (topology.regions.count, AddressIndex(topology.regions)) }
            return bars.index.first(containing: address)
        }
        while let bytes = try lines.nextLine() {
            guard let first = bytes.first, first != UInt8(ascii: "R"), first != UInt8(ascii: "W") else { continue }
            var s = CaptureScanner(bytes, file: fileName, line: line)
            let keyword = s.token()
            if s.matches(keyword, "VERSION") {
                let version = s.token()
                if !s.matches(version, Self.formatVersion) {
                    warn(at: version.lowerBound, "mmiotrace version '\(s.text(version))', this reader knows \(Self.formatVersion)")
                }
                try s.expectEnd()
            } else if s.matches(keyword, "PCIDEV") {
                try readPCIDevice(&s)
            } else if s.matches(keyword, "MAP") {
                _ = try s.field("a timestamp (secs.usecs)") { s, r in s.timestamp(r) }
                _ = try s.field("a map id (decimal)") { s, r in s.decimal(r) }
                let physRange = s.token()
                guard let phys = s.hex(physRange) else { throw s.expected("a physical address (0x…)", physRange) }
                _ = try s.field("a virtual address (0x…)") { s, r in s.hex(r) }
                let lenRange = s.token()
                guard let length = s.hex(lenRange), length > 0, Region.fits(base: phys, size: length) else {
                    throw s.expected("a mapping length (0x…, not zero) ending below 2^52 (Arm's largest physical address space)", lenRange)
                }
                _ = try s.field("a program counter (0x…)") { s, r in s.hex(r) }
                _ = try s.field("a pid (decimal)") { s, r in s.decimal(r) }
                try s.expectEnd()
                if let bar = bar(containing: phys) {
                    mappedBARs.insert(bar)
                    if !topology.regions[bar].contains(phys + length - 1) {
                        warn(at: lenRange.lowerBound, "mapping 0x\(String(phys, radix: 16)) +0x\(String(length, radix: 16)) runs past the end of \(topology.regions[bar].name)")
                    }
                } else {
                    mappedRanges.append((phys, phys + length - 1))
                }
            }
        }
        try addUnknownRegions(Self.merged(mappedRanges))
        let spaces = Array(Set(([fallbackAgent] + agents.values).map(\.addressSpace))).sorted()
        modelReasons = settings.apply(to: &topology, spaces: spaces, identified: identifiedModels) { mappedBARs.contains(Int($0)) || Int($0) >= Int(barCount) }
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
        let bdfRange = s.token()
        guard bdfRange.count == 4, let bdf = s.hex(bdfRange, prefixed: false) else { throw s.expected("a bus and devfn (4 hex digits)", bdfRange) }
        let idRange = s.token()
        guard idRange.count == 8, let ids = s.hex(idRange, prefixed: false) else { throw s.expected("a vendor and device id (8 hex digits)", idRange) }
        _ = try s.field("an IRQ (hex)") { s, r in s.hex(r, prefixed: false) }
        var starts: [UInt64] = []
        var sizes: [UInt64] = []
        for i in 0..<14 {
            let what = i < 7 ? "resource \(i)'s start (hex)" : "resource \(i - 7)'s size (hex)"
            let (value, _) = try s.field(what) { s, r in s.hex(r, prefixed: false) }
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
                warn(at: bdfRange.lowerBound, "\(region.name) at 0x\(String(base, radix: 16)) overlaps \(other.name); skipped")
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
    private func addUnknownRegions(_ ranges: [(base: UInt64, end: UInt64)]) throws(InputError) {
        try Topology.checkCounts(devices: topology.devices.count + ranges.count, regions: topology.regions.count + ranges.count,
                                 at: SourceLocation(file: fileName, line: max(line, 1), column: 1),
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
        while let bytes = try lines.nextLine() {
            var s = CaptureScanner(bytes, file: fileName, line: line)
            let keyword = s.token()
            guard !keyword.isEmpty, bytes[keyword.lowerBound] != UInt8(ascii: "#") else { continue }
            if s.matches(keyword, "R") || s.matches(keyword, "W") {
                return try access(&s, isWrite: bytes[keyword.lowerBound] == UInt8(ascii: "W"))
            } else if s.matches(keyword, "MARK") {
                let (time, timeRange) = try timestamp(&s)
                s.skipSpaces()
                let text = s.rest(from: s.position)
                if text.hasPrefix("Lost "), text.hasSuffix(" events."),
                   let count = UInt64(text.dropFirst(5).dropLast(8)) {
                    warn(at: keyword.lowerBound, "the tracer lost \(count) events here")
                    return TraceEvent(time: TraceTime(nanoseconds: warningList.lastTime ?? 0), agent: fallbackAgent, kind: .mark(text))
                }
                return TraceEvent(time: ordered(time, s, timeRange), agent: fallbackAgent, kind: .mark(text))
            } else if s.matches(keyword, "MAP") {
                let (time, timeRange) = try timestamp(&s)
                let id = s.text(s.token()), phys = s.text(s.token())
                _ = s.token()
                let length = s.text(s.token())
                _ = s.token()
                return try event(time, timeRange, agentRange: s.token(), s, .mark("ioremap map \(id) \(phys) size \(length)"))
            } else if s.matches(keyword, "UNMAP") {
                let (time, timeRange) = try timestamp(&s)
                let (id, _) = try s.field("a map id (decimal)") { s, r in s.decimal(r) }
                _ = try s.field("a program counter (0x…)") { s, r in s.hex(r) }
                let agentRange = s.token()
                guard s.decimal(agentRange) != nil else { throw s.expected("a pid (decimal)", agentRange) }
                try s.expectEnd()
                return try event(time, timeRange, agentRange: agentRange, s, .mark("iounmap map \(id)"))
            } else if s.matches(keyword, "UNKNOWN") {
                _ = try timestamp(&s)
                _ = s.token()
                let phys = s.text(s.token())
                warn(at: keyword.lowerBound, "an access mmiotrace could not decode (UNKNOWN) at \(phys); skipped")
            } else if s.matches(keyword, "VERSION") || s.matches(keyword, "PCIDEV") {
                continue
            } else {
                throw s.expected("an mmiotrace line (\(Self.keywords.joined(separator: ", ")))", keyword, choices: Self.keywords)
            }
        }
        return nil
    }

    /// `R|W width secs.usecs map-id phys value pc pid`.
    private func access(_ s: inout CaptureScanner, isWrite: Bool) throws -> TraceEvent {
        let widthRange = s.token()
        guard let width = s.decimal(widthRange), [1, 2, 4, 8].contains(width) else {
            throw s.expected("an access width (1, 2, 4 or 8)", widthRange)
        }
        let (time, timeRange) = try timestamp(&s)
        _ = try s.field("a map id (decimal)") { s, r in s.decimal(r) }
        let (address, _) = try s.field("a physical address (0x…)") { s, r in s.hex(r) }
        let valueRange = s.token()
        guard let value = s.hex(valueRange) else { throw s.expected("a value (0x…)", valueRange) }
        guard width == 8 || value >> (width * 8) == 0 else {
            throw InputError(s.location(valueRange.lowerBound),
                             "expected a value of at most \(width) bytes, found \(InputError.quote(s.text(valueRange)))")
        }
        _ = try s.field("a program counter (0x…)") { s, r in s.hex(r) }
        let agentRange = s.token()
        guard s.decimal(agentRange) != nil else { throw s.expected("a pid (decimal)", agentRange) }
        try s.expectEnd()
        let access = MemoryAccess(address: address, region: regions.region(containing: address), size: UInt8(width), value: AccessValue(value))
        return try event(time, timeRange, agentRange: agentRange, s, isWrite ? .write(access) : .read(access))
    }

    private func event(_ time: UInt64, _ timeRange: Range<Int>, agentRange: Range<Int>, _ s: CaptureScanner, _ kind: EventKind) throws -> TraceEvent {
        if !s.matches(agentRange, lastPID.text) {
            lastPID = (Array(s.bytes[agentRange]), agents[s.text(agentRange)] ?? fallbackAgent)
        }
        return TraceEvent(time: ordered(time, s, timeRange), agent: lastPID.agent, kind: kind)
    }

    private func timestamp(_ s: inout CaptureScanner) throws(InputError) -> (UInt64, Range<Int>) {
        try s.field("a timestamp (secs.usecs)") { s, r in s.timestamp(r) }
    }

    private func ordered(_ time: UInt64, _ s: CaptureScanner, _ range: Range<Int>) -> TraceTime {
        warningList.ordered(time, at: s.location(range.lowerBound))
    }

    private func warn(at position: Int, _ message: String) {
        warningList.add(CaptureWarning(SourceLocation(file: fileName, line: line, column: position + 1), message))
    }
}
