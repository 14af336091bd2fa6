import ArmMemory
import Diagnostics
import Faults
import MMIOTrace
import PCIeTransport
import Platforms
import Verdicts

/// What happens next in a simulation. Events are values carrying indices, never closures.
enum SimEvent {
    /// The next event of the trace stream is due.
    case traceInput
    /// An agent may issue its next pending program events.
    case agentStep(Int32)
    /// A write-combining line's timeout, or a dirty cache line's eviction.
    case drainTimeout(address: UInt64, agent: Int32, generation: UInt32, cache: Bool)
    case atSerialization(TransactionID)
    case atRootComplex(TransactionID)
    /// One write TLP (the bytes of `mask` within the transaction's line) reaches the device.
    case writeArrives(mask: UInt64, TransactionID, link: Int32, fault: Int32)
    /// A non-posted request (read, configuration access, reset) reaches the device.
    case requestArrives(TransactionID)
    /// The completion or acknowledgement of a transaction reaches its core.
    case completionArrives(TransactionID)
    /// A device finished its reset and is ready again.
    case resetComplete(DeviceID)
    /// A link fault (down, or contained by DPC) starts.
    case linkFault(Int32)
    /// An asynchronous error signal (SError, AER interrupt, firmware-first) arrives.
    case signalDelivery(Int32)
    /// A non-posted request got no completion: the root complex's Completion Timeout expires.
    case completionTimeout(TransactionID, fault: Int32, error: UInt8)
}

/// The TLP kinds the summary counts.
public enum TLPName: UInt8, CaseIterable, Hashable, Sendable {
    case MWr32, MWr64, MRd32, MRd64, CfgRd0, CfgWr0, Cpl, CplD, Msg

    /// Each kind's name, by raw value (interpolating an enum case reflects on it every time).
    static let names = allCases.map { "\($0)" }

    /// The kind's name, e.g. `MWr32`.
    public var name: String { Self.names[Int(rawValue)] }
}

/// What the hot path needs of a region, without reference-counted fields.
struct RegionInfo {
    var base: UInt64
    var size: UInt64
    var device: DeviceID
    var bar: UInt8
    var kind: RegionKind
}

/// Everything a replay needs that does not change while it runs. A class: a fork of the
/// simulation (one per campaign experiment) shares it with one reference count, instead of
/// retaining each of its arrays and texts.
final class SimulationSetup: Sendable {
    let topology: Topology
    let policy: AttributePolicy
    let timing: TransportTiming
    let errors: ErrorParameters
    let ras: RASParameters
    let deviceViewLimit: Int
    let hazardLimit: Int
    /// ``topology``'s regions, flattened for the hot path.
    let regions: ContiguousArray<RegionInfo>
    /// Per device: the root port whose link it is below (docs/domain.md §10 "paths and links").
    /// [model] A PCIe device is below the root port of its bus: devices on one bus share a link;
    /// platform devices have none (port 0, never used).
    let rootPort: ContiguousArray<Int>
    /// How many root ports (links) the topology has, at least one.
    let rootPorts: Int
    /// Per region, under a kernel policy: the kernel's decision for the VMA behind it (nil under
    /// a named policy). A refused region is never mapped into a guest.
    let kernelDecisions: ContiguousArray<KernelStage2?>
    /// Per region: whether the kernel refuses to map it (the hot path's test).
    let refused: ContiguousArray<Bool>
    /// The declared stage-1 types (``Topology/stage1Types()``).
    let stage1Types: [AddressSpace: [RegionID: MemoryType]]

    init(topology: Topology, policy: AttributePolicy, platform: PlatformProfile, deviceViewLimit: Int, hazardLimit: Int) {
        self.topology = topology
        self.policy = policy
        timing = TransportTiming(platform.transport)
        errors = platform.errors
        ras = platform.ras
        self.deviceViewLimit = deviceViewLimit
        self.hazardLimit = hazardLimit
        let bars = topology.barIndices()
        regions = ContiguousArray(topology.regions.indices.map { i in
            let r = topology.regions[i]
            return RegionInfo(base: r.base, size: r.size, device: r.device, bar: bars[i], kind: r.kind)
        })
        stage1Types = topology.stage1Types()
        var ports: [UInt32: Int] = [:]  // (domain, bus) -> port, in order of first appearance
        rootPort = ContiguousArray(topology.devices.map { device in
            guard let bdf = device.bdf else { return 0 }
            let key = UInt32(bdf.domain) << 8 | UInt32(bdf.bus)
            if let port = ports[key] { return port }
            ports[key] = ports.count
            return ports.count - 1
        })
        rootPorts = max(ports.count, 1)
        kernelDecisions = ContiguousArray(topology.regions.map { policy.kernelDecision(for: $0.kind, mapping: $0.effectiveHostMapping) })
        refused = ContiguousArray(kernelDecisions.map { decision in
            if case .refuse = decision?.outcome { true } else { false }
        })
    }


    /// The stage-1 type `space` maps `region` with (``Topology/stage1Type(of:in:)`` in constant time).
    func stage1Type(of region: RegionID, in space: AddressSpace) -> MemoryType {
        stage1Types[space]?[region] ?? Topology.defaultStage1(for: space)
    }

    /// The stage-2 attribute of `region` for a guest (Device-nGnRE standing in for a refused
    /// mapping, whose accesses are never performed).
    func stage2Attribute(of region: RegionID, vmmStage1: MemoryType) -> Stage2Attribute {
        let r = topology.regions[Int(region)]
        return policy.stage2Attribute(for: r.kind, mapping: r.effectiveHostMapping, vmmStage1: vmmStage1)
            ?? policy.stage2Attribute(for: r.kind, vmmStage1: vmmStage1)
    }
}

/// The whole state of one replay as a value: copying it snapshots the simulation, and the copy
/// continues exactly as the original would.
struct Simulation {
    let setup: SimulationSetup
    var now = SimTime.zero
    var queue = EventQueue<SimEvent>()
    var decisions: ScheduleDecisions
    var agents = ContiguousArray<AgentState>()
    var transactions = TransactionTable()
    var endpoints: ContiguousArray<Endpoint>
    /// The next event of the stream, read ahead.
    var lookahead: TraceEvent?
    var inputExhausted = false
    /// Per path (``channel(for:)``): when its last transaction reaches the far end (paths are FIFO).
    var pathTail: ContiguousArray<SimTime>
    /// Adversarial: complete writes held in a path, in order (released by later traffic on the
    /// path, by their device's reset completing, or at the end).
    var held: ContiguousArray<[TransactionID]>
    /// The paths that hold writes, in the order their oldest held write was held.
    var heldPaths: [Int] = []
    /// Per root port's link: when each direction is free again, and how many TLPs have been put
    /// on the downstream direction.
    var linkDownBusy: ContiguousArray<SimTime>
    var linkSequence: ContiguousArray<Int>
    var linkUpBusy: ContiguousArray<SimTime>
    /// The key of a (VM, region) pair in ``unmapTimes`` and ``refusedReported``.
    @inline(__always) static func vmRegionKey(_ vm: UInt16, _ region: RegionID) -> UInt64 { UInt64(vm) << 32 | UInt64(region) }
    /// When each (VM, region) was removed from stage 2, by ``vmRegionKey(_:_:)``.
    var unmapTimes: [UInt64: SimTime] = [:]
    /// Agents by identity (``Agent/replayKey``), and the last one looked up (consecutive events
    /// are usually one agent's).
    var agentIDs = IntegerKeyMap<Int32>(filler: 0)
    var lastAgent: Int32?
    /// Each (VM, region), by ``vmRegionKey(_:_:)``, whose refused mapping has its verdict.
    var refusedReported = Set<UInt64>()
    /// Per region: which sides have accessed it (``AliasSide``); mismatched aliases are looked
    /// for only once both have.
    var regionSides: ContiguousArray<UInt8>
    /// VMs the host has begun reclaiming (any region unmapped), and VMs torn down.
    var unmappedVMs = Set<UInt16>()
    var tornDown = Set<UInt16>()
    /// When the host began reclaiming each VM: its first stage-2 unmap, or its teardown.
    var reclaimBegan: [UInt16: SimTime] = [:]
    var resetStarted: ContiguousArray<SimTime?>
    let platformName: String
    /// The replay's injected faults.
    var faults: ContiguousArray<FaultState>
    var hasTLPFaults: Bool
    /// Per root port: the link fault that has its link down, if any.
    var linkDown: ContiguousArray<LinkOutage?>
    /// Errors whose asynchronous signal is on its way (slots reused once delivered, so memory
    /// does not grow with the number of errors).
    var pendingSignals = ContiguousArray<PendingSignal?>()
    var freeSignalSlots = ContiguousArray<Int32>()
    /// Every device reset of the replay, in order.
    var resets = ContiguousArray<ResetRecord>()
    /// Guest writes that arrived during a reclaim, judged at the end.
    var reclaimCandidates = ContiguousArray<ReclaimCandidate>()
    /// Per (agent, device), keyed `agent << 32 | device`: the highest program order seen at the device.
    var lastArrivedOrder = IntegerKeyMap<UInt64>(filler: 0)
    var report: ReplayReport
    /// Agents waiting in a DSB (a few at most), in agent order, so that asking whether one waits
    /// for a write, or re-checking them after a completion, never looks at the other agents.
    var agentsInDSB: [Int32] = []
    /// Where reads differed from the recording: index into the report's per-register list.
    var divergingPlaces: [ReadPlace: Int] = [:]
    /// Who sees every TLP on the link, if anyone (a reference: snapshots share it).
    var tlpObserver: (any TLPObserver)?
    /// Who draws the replay's timeline, if anyone (a reference: snapshots share it).
    var timeline: (any TimelineObserver)?
    /// The next request tag (8 bits).
    var nextTag: UInt16 = 0
    /// The time of the last event that did something (a stale timeout does not count).
    var lastActivity = SimTime.zero
    /// How many queue events have been processed: a position in the replay that a copy made
    /// then resumes from.
    var steps = 0
    /// Counts the changes of context that can change a verdict (exits, entries, unmaps,
    /// teardowns, configuration writes, resets, link faults): fault sites in the same epoch
    /// share that context (docs/campaigns.md, "Pruning").
    var contextEpoch = 0
    /// Campaigns: where every TLP a fault could strike was, in the golden run (nil otherwise).
    var siteLog: SiteLog?
    /// Campaigns: the injected faults' verdicts, kept apart from the report's (nil otherwise).
    var experimentVerdicts: ContiguousArray<VerdictReport>?

    init(setup: SimulationSetup, schedule: Schedule, endpoints: ContiguousArray<Endpoint>, faults: [Fault], policyName: String, platformName: String) {
        self.setup = setup
        decisions = ScheduleDecisions(schedule)
        self.endpoints = endpoints
        self.platformName = platformName
        self.faults = ContiguousArray(faults.map(FaultState.init))
        hasTLPFaults = self.faults.contains { !$0.isTimeOrEvent }
        resetStarted = ContiguousArray(repeating: nil, count: setup.topology.devices.count)
        let paths = Self.firstDeviceChannel + setup.topology.devices.count
        pathTail = ContiguousArray(repeating: .zero, count: paths)
        held = ContiguousArray(repeating: [], count: paths)
        linkDownBusy = ContiguousArray(repeating: .zero, count: setup.rootPorts)
        linkUpBusy = ContiguousArray(repeating: .zero, count: setup.rootPorts)
        linkSequence = ContiguousArray(repeating: 0, count: setup.rootPorts)
        regionSides = ContiguousArray(repeating: 0, count: setup.topology.regions.count)
        linkDown = ContiguousArray(repeating: nil, count: setup.rootPorts)
        var seed: UInt64?
        if case .random(let s) = schedule { seed = s }
        report = ReplayReport(policy: policyName, platform: platformName, schedule: schedule.name, seed: seed, summary: ReplaySummary(),
                              hazards: [], hazardsNotListed: 0, hazardCounts: HazardCounts(), deviceView: [], deviceViewNotListed: 0,
                              verdicts: [], verdictCounts: VerdictCounts())
        scheduleTimedFaults()
    }

    var isAdversarial: Bool { if case .adversarial = decisions.schedule { true } else { false } }

    // MARK: - Driving

    /// Runs until the stream is exhausted and nothing is left in flight, then completes the
    /// report.
    mutating func run(_ source: some TraceEventSource) throws {
        try run(source, until: .never)
        finish()
    }

    /// Processes every event up to `limit` (inclusive); the simulation can go on later, or a copy
    /// of it can.
    mutating func run(_ source: some TraceEventSource, until limit: SimTime) throws {
        if lookahead == nil, !inputExhausted { try readAhead(source) }
        while let next = queue.nextTime, next <= limit { try stepOnce(source) }
    }

    /// Processes the next event of the queue (there must be one); ``steps`` counts them.
    mutating func stepOnce(_ source: some TraceEventSource) throws {
        guard let (time, event) = queue.pop() else { return }
        steps += 1
        now = time
        var active = true
        switch event {
        case .traceInput: try acceptInput(source)
        case .agentStep(let a): step(a)
        case .drainTimeout(let address, let a, let generation, let cache):
            active = drainTimeout(a, address, generation, cache: cache)
        case .atSerialization(let t): atSerialization(t)
        case .atRootComplex(let t): atRootComplex(t)
        case .writeArrives(let mask, let t, let link, let fault): writeArrives(t, mask: mask, link: link, fault: fault)
        case .requestArrives(let t): requestArrives(t)
        case .completionArrives(let t): completionArrives(t)
        case .resetComplete(let d): resetComplete(d)
        case .linkFault(let i): linkFault(i)
        case .signalDelivery(let i): signalDelivery(i)
        case .completionTimeout(let t, let fault, let error): completionTimedOut(t, fault: fault, error: error)
        }
        if active { lastActivity = now }
        if queue.isEmpty {
            drainEverything()
            releaseEverythingHeld()
        }
    }

    mutating func readAhead(_ source: some TraceEventSource) throws {
        if let event = try source.next() {
            guard event.time.nanoseconds <= SimTime.latestEventNanoseconds else {
                throw InputError(SourceLocation(file: source.fileName, line: source.line, column: 1),
                                 expected: "an event time of at most \(SimTime.latestEventNanoseconds) ns (about 106 days: the replay counts "
                                     + "picoseconds in 64 bits, with room for what follows the last event)",
                                 found: "\(event.time.nanoseconds) ns")
            }
            lookahead = event
            queue.schedule(.traceInput, at: max(SimTime(nanoseconds: event.time.nanoseconds), now), priority: .traceInput)
        } else {
            inputExhausted = true
        }
    }

    private mutating func acceptInput(_ source: some TraceEventSource) throws {
        guard let event = lookahead.take() else { return }
        report.summary.events += 1
        decisions.eventNumber = report.summary.events
        let a = agentIndex(event.agent)
        if !faults.isEmpty { faultsAtEvent(report.summary.events, agent: a) }
        // Trace input runs last at its instant, so an idle agent can issue the event at once,
        // exactly as a step scheduled now would.
        if agents[Int(a)].block == .none, agents[Int(a)].pending.isEmpty, !agents[Int(a)].stepScheduled {
            agents[Int(a)].programOrder += 1
            execute(event, agent: a)
        } else {
            agents[Int(a)].pending.append(event)
            scheduleStep(a)
        }
        try readAhead(source)
    }

    mutating func agentIndex(_ agent: Agent) -> Int32 {
        if let last = lastAgent, agents[Int(last)].agent == agent { return last }
        if let i = agentIDs.value(for: agent.replayKey) {
            lastAgent = i
            return i
        }
        var state = AgentState(agent: agent)
        state.effectiveTypes = ContiguousArray(setup.topology.regions.indices.map { effectiveType(agent: agent, region: RegionID($0)) })
        state.hazardChecks = ContiguousArray(repeating: 0, count: setup.topology.regions.count)
        agents.append(state)
        agentIDs.set(Int32(agents.count - 1), for: agent.replayKey)
        lastAgent = Int32(agents.count - 1)
        return Int32(agents.count - 1)
    }

    mutating func scheduleStep(_ a: Int32) {
        guard !agents[Int(a)].stepScheduled, agents[Int(a)].block == .none else { return }
        agents[Int(a)].stepScheduled = true
        queue.schedule(.agentStep(a), at: now, priority: .agentStep)
    }

    /// Issues pending program events until the agent blocks or has none left.
    private mutating func step(_ a: Int32) {
        agents[Int(a)].stepScheduled = false
        while agents[Int(a)].block == .none, let event = agents[Int(a)].pending.popFirst() {
            agents[Int(a)].programOrder += 1
            execute(event, agent: a)
        }
    }

    mutating func finish() {
        judgeReclaimedWrites()
        reportUnfiredFaults()
        summarize()
    }

    /// Completes the report's summary from the running counters.
    mutating func summarize() {
        report.summary.simulatedNs = lastActivity.nanoseconds
        let s = report.summary
        report.summary.linkBytes = s.linkBytesDownstream + s.linkBytesUpstream
        report.summary.writeCombiningRatio = s.writeTransactions == 0 ? 0 : Double(s.cpuWrites) / Double(s.writeTransactions)
    }

    // MARK: - Recording

    mutating func hazard(_ kind: HazardKind, agent: Int32, device: DeviceID?, region: RegionID?, offset: UInt64?, at time: SimTime? = nil,
                         _ detail: String) {
        report.hazardCounts[kind] += 1
        guard report.hazards.count < setup.hazardLimit else { report.hazardsNotListed += 1; return }
        report.hazards.append(Hazard(kind: kind, timePs: (time ?? now).picoseconds, agent: agents[Int(agent)].agent.description,
                                     device: device.map { setup.topology.devices[Int($0)].name },
                                     region: region.map { setup.topology.regions[Int($0)].name }, offset: offset, detail: detail))
    }

    /// Whether to build a device observation: the device view has room for one more or a
    /// timeline wants it (counted as not listed otherwise). Observations, strings and all, are
    /// built only when it says so.
    mutating func roomToObserve() -> Bool {
        guard report.deviceView.count < setup.deviceViewLimit || timeline != nil else {
            report.deviceViewNotListed += 1
            return false
        }
        return true
    }

    /// Lists an observation in the device view (or counts it when the view is full) and puts
    /// it on the timeline.
    mutating func observeDevice(_ observation: DeviceObservation, device: DeviceID) {
        timelineDevice(observation, device: device)
        guard report.deviceView.count < setup.deviceViewLimit else {
            report.deviceViewNotListed += 1
            return
        }
        report.deviceView.append(observation)
    }

    mutating func countTLP(_ kind: TLPName, bytes: Int, downstream: Bool) {
        report.summary.tlps[kind] += 1
        if downstream { report.summary.linkBytesDownstream += bytes } else { report.summary.linkBytesUpstream += bytes }
    }
}

/// A device location a read can target: a register of a region, or a config-space offset.
struct ReadPlace: Hashable {
    var device: DeviceID
    /// The region, or -1 for configuration space.
    var region: Int32
    var offset: UInt64
}
