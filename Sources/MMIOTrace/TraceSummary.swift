import ArmMemory

/// What `inspect` reports about a trace: topology, event counts by kind and agent, time span,
/// and warnings. Built in one streaming pass by ``TraceSummarizer``.
public struct TraceSummary: Codable, Hashable, Sendable {
    public struct Events: Codable, Hashable, Sendable {
        public var total = 0
        /// Count per event kind keyword (every kind present, zeros included).
        public var byKind: [String: Int] = [:]
        /// Count per agent (`vcpu0`, `host`, ...).
        public var byAgent: [String: Int] = [:]
    }

    public struct TimeSpan: Codable, Hashable, Sendable {
        public var firstNs: UInt64
        public var lastNs: UInt64
        public var durationNs: UInt64
    }

    public struct DeviceInfo: Codable, Hashable, Sendable {
        public var name: String
        public var bdf: String?
        public var model: String
    }

    public struct RegionInfo: Codable, Hashable, Sendable {
        public var name: String
        public var device: String
        public var kind: String
        public var base: String
        public var size: String
        public var prefetchable: Bool
        /// Stage-1 type per address space that declares a mapping (`vm0`, `vmm`, ...).
        public var stage1: [String: String]
        public var reads: Int
        public var writes: Int
    }

    public struct Warning: Codable, Hashable, Sendable {
        /// A stable identifier: `non-monotonic-time`, `outside-region`, `unsupported-size`,
        /// `unaligned-access`, `access-outside-guest`.
        public var code: String
        public var message: String
        /// `file:line` of the event.
        public var location: String
    }

    public var file: String
    public var devices: [DeviceInfo]
    public var regions: [RegionInfo]
    public var events: Events
    public var timeSpan: TimeSpan?
    /// The first few warnings of each code, in input order.
    public var warnings: [Warning]
    /// How many warnings of each code occurred in all (including those not listed).
    public var warningCounts: [String: Int]
}

/// Accumulates a ``TraceSummary`` over an event stream in memory independent of its length.
public struct TraceSummarizer {
    /// How many warnings of each code are kept as examples.
    public static let examplesPerCode = 10

    private let topology: Topology
    private let file: String
    private var kindCounts = [Int](repeating: 0, count: EventKind.Category.allCases.count)
    /// What is kept per agent, by dense index (``agentIndex``).
    private struct AgentState {
        var agent: Agent
        var events = 0
        var lastTime: UInt64?
        var exited = false
    }
    private var agents: [AgentState] = []
    private var agentIndices: [Agent: Int] = [:]
    /// The agent of the previous event and its index: consecutive events usually share one.
    private var lastAgent: (agent: Agent, index: Int)?
    private var regionReads: [Int]
    private var regionWrites: [Int]
    /// Each region's address range, apart from its names (which a copy of a region retains).
    private let regionRanges: [(base: UInt64, size: UInt64)]
    private var first: UInt64?
    private var last: UInt64 = 0
    private var total = 0
    private var warnings: [TraceSummary.Warning] = []
    private var warningCounts: [String: Int] = [:]

    public init(topology: Topology, file: String) {
        self.topology = topology
        self.file = file
        regionReads = Array(repeating: 0, count: topology.regions.count)
        regionWrites = regionReads
        regionRanges = topology.regions.map { ($0.base, $0.size) }
    }

    /// Counts one event read from `line` of the input.
    public mutating func add(_ event: TraceEvent, line: Int) {
        total += 1
        kindCounts[Int(event.kind.category.rawValue)] += 1
        let a = agentIndex(event.agent)
        agents[a].events += 1
        let t = event.time.nanoseconds
        if first == nil { first = t }
        first = min(first!, t)
        last = max(last, t)
        if let previous = agents[a].lastTime, t < previous {
            warn("non-monotonic-time", line, "\(event.agent) goes back in time from \(previous) ns to \(t) ns")
        }
        agents[a].lastTime = t

        switch event.kind {
        case .read(let access), .write(let access):
            let isRead = event.kind.category == .read
            check(access, agent: a, line: line)
            if let region = access.region {
                if isRead { regionReads[Int(region)] += 1 } else { regionWrites[Int(region)] += 1 }
            }
        case .guestExit:
            agents[a].exited = true
        case .guestEntry:
            agents[a].exited = false
        default:
            break
        }
    }

    /// The dense index of `agent`, added at its first event.
    private mutating func agentIndex(_ agent: Agent) -> Int {
        if let last = lastAgent, last.agent == agent { return last.index }
        let index: Int
        if let known = agentIndices[agent] {
            index = known
        } else {
            index = agents.count
            agents.append(AgentState(agent: agent))
            agentIndices[agent] = index
        }
        lastAgent = (agent, index)
        return index
    }

    private mutating func check(_ access: MemoryAccess, agent a: Int, line: Int) {
        let agent = agents[a].agent
        let size = UInt64(access.size)
        if let region = access.region {
            let r = regionRanges[Int(region)]
            let offset = access.address &- r.base
            if access.address < r.base || offset >= r.size || r.size - offset < size {
                let name = topology.regions[Int(region)].name
                warn("outside-region", line, "\(size)-byte access at \(name)+0x\(String(offset, radix: 16)) extends past the end of \(name) (size 0x\(String(r.size, radix: 16)))")
            }
        } else {
            warn("outside-region", line, "access at 0x\(String(access.address, radix: 16)) is outside every declared region")
        }
        if size.nonzeroBitCount != 1 {
            warn("unsupported-size", line, "\(size)-byte access: the architecture only has 1, 2, 4, 8, 16, 32 and 64-byte accesses")
        } else if access.address % size != 0 {
            warn("unaligned-access", line, "\(size)-byte access at 0x\(String(access.address, radix: 16)) is not naturally aligned (an alignment fault on Device memory)")
        }
        if agent.role == .vcpu, agents[a].exited {
            warn("access-outside-guest", line, "\(agent) accesses device memory after its guest exit and before re-entry")
        }
    }

    private mutating func warn(_ code: String, _ line: Int, _ message: String) {
        warningCounts[code, default: 0] += 1
        if warningCounts[code]! <= Self.examplesPerCode {
            warnings.append(TraceSummary.Warning(code: code, message: message, location: "\(file):\(line)"))
        }
    }

    /// The summary of everything added so far.
    public func finish() -> TraceSummary {
        let hex = { (v: UInt64) in "0x" + String(v, radix: 16) }
        // Each region's stage-1 types by address space (the last mapping of a space wins).
        var stage1s = [[String: String]](repeating: [:], count: topology.regions.count)
        for mapping in topology.mappings { stage1s[Int(mapping.region)][mapping.addressSpace.description] = mapping.type.name }
        let regions = topology.regions.enumerated().map { i, r in
            TraceSummary.RegionInfo(name: r.name, device: topology.devices[Int(r.device)].name, kind: r.kind.rawValue,
                                           base: hex(r.base), size: hex(r.size), prefetchable: r.prefetchable, stage1: stage1s[i],
                                           reads: regionReads[i], writes: regionWrites[i])
        }
        var events = TraceSummary.Events(total: total)
        for category in EventKind.Category.allCases { events.byKind[category.name] = kindCounts[Int(category.rawValue)] }
        for state in agents { events.byAgent[state.agent.description] = state.events }
        return TraceSummary(
            file: file,
            devices: topology.devices.map { .init(name: $0.name, bdf: $0.bdf?.description, model: $0.model) },
            regions: regions,
            events: events,
            timeSpan: first.map { TraceSummary.TimeSpan(firstNs: $0, lastNs: last, durationNs: last - $0) },
            warnings: warnings,
            warningCounts: warningCounts)
    }
}

extension TraceSummary {
    /// Summarises every remaining event of `source`.
    public static func of(_ source: some TraceEventSource) throws -> TraceSummary {
        var summarizer = TraceSummarizer(topology: source.topology, file: source.fileName)
        while let event = try source.next() { summarizer.add(event, line: source.line) }
        return summarizer.finish()
    }
}
