import ArmMemory
import DeviceModels
import Faults
import MMIOTrace
import Platforms

/// A trace held in memory, so that a replay of it can be copied at any point and resumed.
public struct LoadedTrace: Sendable {
    /// The name in messages and results.
    public let name: String
    public let topology: Topology
    public let events: [TraceEvent]

    public init(name: String, topology: Topology, events: [TraceEvent]) {
        self.name = name
        self.topology = topology
        self.events = events
    }

    /// Reads every event of `source`.
    public init(reading source: some TraceEventSource, name: String) throws {
        var events: [TraceEvent] = []
        while let event = try source.next() { events.append(event) }
        self.init(name: name, topology: source.topology, events: events)
    }
}

/// The events of a ``LoadedTrace`` from a position on.
public final class LoadedTraceSource: TraceEventSource {
    let trace: LoadedTrace
    var position: Int

    public init(_ trace: LoadedTrace, position: Int = 0) {
        self.trace = trace
        self.position = position
    }

    public var topology: Topology { trace.topology }
    public var fileName: String { trace.name }
    public var line: Int { position }

    public func next() -> TraceEvent? {
        guard position < trace.events.count else { return nil }
        defer { position += 1 }
        return trace.events[position]
    }
}

/// A replay of an in-memory trace that advances step by step and is a value: a copy is a
/// snapshot that continues exactly as the original would (campaigns fork experiments from
/// copies of their golden run; docs/campaigns.md).
///
/// `@unchecked Sendable`: the simulation's only references are the TLP and timeline observers,
/// which a stepped replay never sets.
public struct SteppedReplay: @unchecked Sendable {
    var simulation: Simulation
    let trace: LoadedTrace
    /// How many events of the trace the simulation has read.
    var position = 0

    /// A replay at its start. The report lists no device observations and no hazards (they are
    /// counted); the trace's own `fault` lines are injected only if `options` says so.
    public init(trace: LoadedTrace, policy: AttributePolicy, platform: PlatformProfile, models: [DeviceModel] = [],
                options: ReplayOptions) throws {
        self.trace = trace
        simulation = try Replay.makeSimulation(topology: trace.topology, policy: policy, platform: platform, models: models, options: options)
        let source = LoadedTraceSource(trace, position: 0)
        try simulation.readAhead(source)
        position = source.position
    }

    /// The queue events processed so far.
    public var steps: Int { simulation.steps }

    /// Whether nothing is left to simulate.
    public var isFinished: Bool { simulation.queue.isEmpty }

    /// The name of the agent with this index (``FaultSiteRecord/agent``).
    public func agentName(_ index: Int32) -> String { simulation.agents[Int(index)].agent.description }

    /// Starts logging fault sites (every TLP a fault could strike) and context epochs.
    public mutating func recordSites() { simulation.siteLog = SiteLog() }

    /// The sites logged so far; logging stops.
    public mutating func takeSiteLog() -> SiteLog {
        defer { simulation.siteLog = nil }
        return simulation.siteLog ?? SiteLog()
    }

    /// A copy to continue from here, without the site log.
    public func fork() -> SteppedReplay {
        var copy = self
        copy.simulation.siteLog = nil
        return copy
    }

    /// Processes events until `step` of them have been processed in all, or none is left.
    public mutating func advance(toStep step: Int) throws {
        let source = LoadedTraceSource(trace, position: position)
        defer { position = source.position }
        while simulation.steps < step, !simulation.queue.isEmpty { try simulation.stepOnce(source) }
    }

    /// Runs to the end and returns the report.
    public mutating func finish() throws -> ReplayReport {
        try advance(toStep: .max)
        simulation.finish()
        return simulation.report
    }

    /// Adds the fault of an experiment, as if it had been injected from the start and had
    /// already counted `matchesSoFar` matching TLPs (the golden run's count up to here). From
    /// now on, injected faults' verdicts are kept for ``runExperiment(earlyStop:)``.
    public mutating func inject(_ fault: Fault, matchesSoFar: Int = 0) {
        var state = FaultState(fault)
        state.counter = OccurrenceCounter(state.counter.occurrence, matchesSoFar: matchesSoFar)
        simulation.faults.append(state)
        simulation.hasTLPFaults = simulation.hasTLPFaults || !state.isTimeOrEvent
        if case .time(let ns) = fault.site {
            simulation.queue.schedule(.linkFault(Int32(simulation.faults.count - 1)), at: max(SimTime(nanoseconds: ns), simulation.now),
                                      priority: .transport)
        }
        if simulation.experimentVerdicts == nil { simulation.experimentVerdicts = [] }
    }

    /// Runs an experiment (a replay with an injected fault) until the verdict of its faults is
    /// final (``Simulation/faultVerdictsAreFinal``) or, without `earlyStop`, to the end.
    public mutating func runExperiment(earlyStop: Bool = true) throws -> ExperimentOutcome {
        let source = LoadedTraceSource(trace, position: position)
        defer { position = source.position }
        var stoppedEarly = false
        while !simulation.queue.isEmpty {
            try simulation.stepOnce(source)
            if earlyStop, simulation.faultVerdictsAreFinal {
                stoppedEarly = !simulation.queue.isEmpty
                break
            }
        }
        if stoppedEarly { simulation.summarize() } else { simulation.finish() }
        return ExperimentOutcome(verdicts: Array(simulation.experimentVerdicts ?? []), summary: simulation.report.summary,
                                 steps: simulation.steps, stoppedEarly: stoppedEarly)
    }
}

/// What an experiment ended with.
public struct ExperimentOutcome: Hashable, Sendable {
    public init(verdicts: [VerdictReport], summary: ReplaySummary, steps: Int, stoppedEarly: Bool) {
        self.verdicts = verdicts
        self.summary = summary
        self.steps = steps
        self.stoppedEarly = stoppedEarly
    }

    /// The verdicts of the injected fault (one per error it caused; `not-fired` or `none` when
    /// it caused none).
    public var verdicts: [VerdictReport]
    /// The counters when the experiment stopped.
    public var summary: ReplaySummary
    /// Simulation events processed, from the start of the replay.
    public var steps: Int
    /// Whether the experiment stopped before the end because its verdict was final.
    public var stoppedEarly: Bool
}

extension Simulation {
    /// Whether no later event can change the verdicts of the injected faults (the early-stop
    /// rule, docs/campaigns.md): every fault has fired and can fire no more (a `first` or `#N`
    /// TLP site, or an event site; link faults never qualify: they strike whatever crosses the
    /// link while it is down), caused at least one error, and every error it caused has its
    /// verdict: no signal is on its way and no pending event or live transaction carries it.
    var faultVerdictsAreFinal: Bool {
        guard let verdicts = experimentVerdicts else { return false }
        var incidents = 0
        for f in faults {
            guard f.fired > 0, f.incidents > 0, !f.fault.kind.isLinkEvent, f.isTimeOrEvent || f.counter.isExhausted else { return false }
            incidents += f.incidents
        }
        guard verdicts.count == incidents, freeSignalSlots.count == pendingSignals.count else { return false }
        if transactions.contains(where: { $0.fault >= 0 }) { return false }
        if agents.contains(where: { $0.pendingFault >= 0 }) { return false }
        return !queue.contains { event in
            switch event {
            case .writeArrives(_, _, _, let fault), .completionTimeout(_, let fault, _): fault >= 0
            default: false
            }
        }
    }
}
