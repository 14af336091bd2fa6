import ArmMemory
import Diagnostics
import MMIOTrace
import PCIeTransport

/// Imports ftrace or `trace-cmd report` text with KVM's `kvm_mmio` and `kvm_unmap_hva_range`
/// events as a stream of events (mapping in `docs/importers.md`).
///
/// Two passes over the file, both in constant memory (plus one entry per touched 4 KiB page and
/// per thread name): the first checks every line and collects the pages `kvm_mmio` touches and
/// the thread names; the second streams the events. Regions are the side file's `regions:`,
/// then one region `gpa-<base>` per run of contiguous touched pages outside them.
public final class FtraceReader: CaptureSource {
    /// The page size touched addresses are grouped by.
    public static let pageSize: UInt64 = 4096

    public private(set) var topology = Topology()
    public var fileName: String { lines.fileName }
    public var line: Int { lines.lineNumber }
    public var warnings: [CaptureWarning] { warningList.list(end: SourceLocation(file: fileName, line: max(line, 1), column: 1)) }
    /// The thread names (`comm`) of every `kvm_mmio` and `kvm_unmap_hva_range` line, sorted.
    public private(set) var agentKeys: [String] = []
    /// Lines of other events, skipped (complete before the first event).
    public private(set) var skippedEvents = 0
    /// The side file the reader applies.
    public let settings: CaptureSettings

    private let lines: CaptureLineReader
    private let agents: [String: Agent]
    private let fallbackAgent: Agent
    private var agentCache: [String: Agent] = [:]
    /// Why each device got its model, by device name.
    private var modelReasons: [String: String] = [:]
    private var warningList = CaptureWarnings()
    private var pending: [TraceEvent] = []
    /// True during the first pass, which counts ``skippedEvents``.
    private var countsSkipped = true
    /// The regions by address, once the topology is read.
    private var regions = RegionFinder([])

    /// Opens the capture at `path`, checks every line and builds the topology.
    /// - Throws: ``InputUnavailableError`` when the file cannot be read, ``InputError`` at the
    ///   first malformed line.
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
        try readTopology()
        regions = RegionFinder(topology.regions)
        try lines.rewind()
        countsSkipped = false
    }

    public func sideFileTemplate() -> String {
        settings.template(for: topology, agents: agentKeys.map { ($0, agent(comm: $0, pid: nil).description) }, modelReasons: modelReasons,
                          regions: true)
    }

    /// The agent of a thread: the side file's `comm-pid`, then `comm` entry, then `CPU N/KVM` →
    /// `vcpuN`, then the default agent.
    private func agent(comm: String, pid: UInt64?) -> Agent {
        if let pid, let agent = agents["\(comm)-\(pid)"] { return agent }
        if let cached = agentCache[comm] { return cached }
        var derived: Agent?
        if comm.hasPrefix("CPU "), comm.hasSuffix("/KVM"),
           case let digits = comm.dropFirst(4).dropLast(4), digits.allSatisfy({ $0.isASCII && $0.isNumber }), let n = UInt16(digits) {
            derived = .vcpu(n)
        }
        let agent = agents[comm] ?? derived ?? fallbackAgent
        agentCache[comm] = agent
        return agent
    }

    // MARK: - Lines

    /// One line's meaning.
    private enum Line {
        case access(isWrite: Bool, hasValue: Bool, gpa: UInt64, size: UInt64, value: UInt64)
        case unmapHVA(start: UInt64, end: UInt64)
    }

    /// A `kvm_mmio` or `kvm_unmap_hva_range` line with its prefix; nil for anything else that
    /// may appear (other events, headers, comments).
    private func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(InputError) -> (line: Line, comm: String, pid: UInt64, time: UInt64, timeAt: Int)? {
        var s = CaptureScanner(bytes, file: fileName, line: line)
        s.skipSpaces()
        guard !s.atEnd, !Self.isHeader(s) else { return nil }
        guard let (commRange, pid, cpuEnd) = Self.prefix(s) else {
            throw s.expected("an ftrace line (COMM-PID [CPU] secs.usecs: event: …)", s.position..<s.bytes.count)
        }
        s.position = cpuEnd
        var field = s.token()
        if !field.isEmpty, s.bytes[field.lowerBound] &- 0x30 >= 10 {
            guard (4...5).contains(field.count) else { throw s.expected("irq flags (4 or 5 characters, as d..1.) or a timestamp", field) }
            field = s.token()
        }
        guard field.count > 1, s.bytes[field.upperBound - 1] == UInt8(ascii: ":"), let time = s.timestamp(field.lowerBound..<(field.upperBound - 1)) else {
            throw s.expected("a timestamp (secs.usecs:)", field)
        }
        s.skipSpaces()
        let nameStart = s.position
        while !s.atEnd, s.bytes[s.position] != UInt8(ascii: ":"), !CaptureScanner.isSpace(s.bytes[s.position]) { s.position += 1 }
        let name = nameStart..<s.position
        s.skipSpaces()
        guard !name.isEmpty, !s.atEnd, s.bytes[s.position] == UInt8(ascii: ":") else { throw s.expected("an event name and ':'", name) }
        s.position += 1
        let parsed: Line
        if s.matches(name, "kvm_mmio") {
            parsed = try mmio(&s)
        } else if s.matches(name, "kvm_unmap_hva_range") {
            parsed = try unmapHVA(&s)
        } else {
            if countsSkipped { skippedEvents += 1 }
            return nil
        }
        return (parsed, s.text(commRange), pid, time, field.lowerBound)
    }

    /// `mmio write|read|unsatisfied-read len N gpa 0x… val 0x…`.
    private func mmio(_ s: inout CaptureScanner) throws(InputError) -> Line {
        let mmio = s.token()
        guard s.matches(mmio, "mmio") else { throw s.expected("'mmio'", mmio) }
        let kinds: [StaticString] = ["write", "read", "unsatisfied-read"]
        let kind = s.token()
        guard let k = kinds.firstIndex(where: { s.matches(kind, $0) }) else { throw s.expected("write, read or unsatisfied-read", kind, choices: kinds.map(\.description)) }
        try keyword(&s, "len")
        let (size, _) = try s.field("an access length (1, 2, 4 or 8)") { s, r in s.decimal(r).flatMap { [1, 2, 4, 8].contains($0) ? $0 : nil } }
        try keyword(&s, "gpa")
        let (gpa, gpaRange) = try s.hexField("a guest physical address (0x…)")
        guard Region.fits(base: gpa, size: size) else {
            throw InputError(s.location(gpaRange.lowerBound), expected: "a guest physical address below 2^52 (Arm's largest intermediate physical address space)",
                             found: s.text(gpaRange))
        }
        try keyword(&s, "val")
        let (value, valueRange) = try s.hexField("a value (0x…)")
        guard size == 8 || value >> (size * 8) == 0 else {
            throw InputError(s.location(valueRange.lowerBound), "expected a value of at most \(size) bytes, found \(InputError.quote(s.text(valueRange)))")
        }
        try s.expectEnd()
        return .access(isWrite: k == 0, hasValue: k != 2, gpa: gpa, size: size, value: value)
    }

    /// `mmu notifier unmap range: 0x… -- 0x…`.
    private func unmapHVA(_ s: inout CaptureScanner) throws(InputError) -> Line {
        for word: StaticString in ["mmu", "notifier", "unmap", "range:"] { try keyword(&s, word) }
        let (start, _) = try s.hexField("a start address (0x…)")
        try keyword(&s, "--")
        let (end, _) = try s.hexField("an end address (0x…)")
        try s.expectEnd()
        return .unmapHVA(start: start, end: end)
    }

    private func keyword(_ s: inout CaptureScanner, _ word: StaticString) throws(InputError) {
        let range = s.token()
        guard s.matches(range, word) else { throw s.expected("'\(word)'", range) }
    }

    /// Header and continuation lines of ftrace and trace-cmd: `#` comments, `version = 6`,
    /// `cpus=4`, `CPU 3 is empty`, `CPU:2 [LOST 12 EVENTS]`, and `=>` stack lines.
    private static func isHeader(_ s: CaptureScanner) -> Bool {
        let rest = s.rest(from: s.position)
        return rest.hasPrefix("#") || rest.hasPrefix("=>") || rest.hasPrefix("version = ") || rest.hasPrefix("cpus=")
            || (rest.hasPrefix("CPU ") && rest.hasSuffix(" is empty")) || (rest.hasPrefix("CPU:") && rest.contains("[LOST "))
    }

    /// Finds `COMM-PID [(TGID)] [CPU]`, anchored on the first `-PID` followed by an optional
    /// `(TGID)` and `[CPU]`, so that thread names may contain spaces and dashes. Returns the
    /// name's range (leading blanks skipped), the pid, and where the CPU field ends.
    private static func prefix(_ s: CaptureScanner) -> (comm: Range<Int>, pid: UInt64, cpuEnd: Int)? {
        let b = s.bytes
        var dash = s.position + 1
        while dash < b.count {
            defer { dash += 1 }
            guard b[dash] == UInt8(ascii: "-") else { continue }
            var p = dash + 1
            while p < b.count, b[p] &- 0x30 < 10 { p += 1 }
            guard p > dash + 1, let pid = s.decimal((dash + 1)..<p) else { continue }
            while p < b.count, CaptureScanner.isSpace(b[p]) { p += 1 }
            if p < b.count, b[p] == UInt8(ascii: "(") {
                while p < b.count, b[p] != UInt8(ascii: ")") { p += 1 }
                p += 1
                while p < b.count, CaptureScanner.isSpace(b[p]) { p += 1 }
            }
            guard p < b.count, b[p] == UInt8(ascii: "[") else { continue }
            var q = p + 1
            while q < b.count, b[q] &- 0x30 < 10 { q += 1 }
            guard q > p + 1, q < b.count, b[q] == UInt8(ascii: "]") else { continue }
            return (s.position..<dash, pid, q + 1)
        }
        return nil
    }

    // MARK: - Pass 1: topology

    private func readTopology() throws {
        var pages = Set<UInt64>()
        var comms = Set<String>()
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
        let declaredIndex = AddressIndex(declared)
        while let bytes = try lines.nextLine() {
            guard let parsed = try parse(bytes) else { continue }
            comms.insert(parsed.comm)
            if case .access(_, _, let gpa, let size, _) = parsed.line, declaredIndex.first(containing: gpa) == nil {
                pages.insert(gpa / Self.pageSize)
                pages.insert((gpa &+ size &- 1) / Self.pageSize)
            }
        }
        var runs: [(first: UInt64, last: UInt64)] = []
        for page in pages.sorted() {
            if let last = runs.last, last.last &+ 1 == page { runs[runs.count - 1].last = page } else { runs.append((page, page)) }
        }
        let pieces = runs.flatMap { run in Self.subtract(declared, from: (run.first * Self.pageSize, run.last * Self.pageSize + Self.pageSize - 1)) }
        try Topology.checkCounts(devices: topology.devices.count + pieces.count, regions: topology.regions.count + pieces.count,
                                 at: SourceLocation(file: fileName, line: max(line, 1), column: 1),
                                 why: "one per run of guest pages accessed outside the side file's regions; declare them in the side file")
        for (base, end) in pieces {
            let name = "gpa-\(String(base, radix: 16))"
            topology.devices.append(Device(name: name))
            topology.regions.append(Region(name: name, device: DeviceID(topology.devices.count - 1), kind: .bar, base: base, size: end - base + 1))
        }
        agentKeys = comms.sorted()
        let used = [fallbackAgent] + Array(agents.values) + agentKeys.map { agent(comm: $0, pid: nil) }
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
        if !pending.isEmpty { return pending.removeFirst() }
        while let bytes = try lines.nextLine() {
            guard let parsed = try parse(bytes) else { continue }
            let time = warningList.ordered(parsed.time, at: SourceLocation(file: fileName, line: line, column: parsed.timeAt + 1))
            let agent = agent(comm: parsed.comm, pid: parsed.pid)
            switch parsed.line {
            case .access(let isWrite, let hasValue, let gpa, let size, let value):
                let access = MemoryAccess(address: gpa, region: regions.region(containing: gpa), size: UInt8(size), value: AccessValue(value), hasValue: hasValue)
                return TraceEvent(time: time, agent: agent, kind: isWrite ? .write(access) : .read(access))
            case .unmapHVA(let start, let end):
                // The side file's regions are the topology's first ones, in its order.
                let hit = settings.regions.indices.filter { i in settings.regions[i].hva.map { $0 < end && start < $0 &+ settings.regions[i].size } ?? false }
                guard !hit.isEmpty else {
                    return TraceEvent(time: time, agent: agent, kind: .mark("kvm_unmap_hva_range 0x\(String(start, radix: 16)) -- 0x\(String(end, radix: 16))"))
                }
                pending = hit.map { TraceEvent(time: time, agent: .host, kind: .unmap(region: RegionID($0), vm: agent.vm)) }
                return pending.removeFirst()
            }
        }
        return nil
    }
}
