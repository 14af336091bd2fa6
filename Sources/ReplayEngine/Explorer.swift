import ArmMemory
import DeviceModels
import MMIOTrace
import Platforms
import Verdicts

/// How far an exploration may go (docs/explore.md).
public struct ExploreBounds: Hashable, Sendable {
    /// Replays at most this many executions.
    public var maxExecutions: Int
    /// Explores executions that differ from a baseline in at most this many choices (nil: no
    /// limit).
    public var maxDeviations: Int?
    /// Only the choices met while these trace events (1-based) are read are open; the others
    /// are in-order (nil: the whole trace).
    public var window: ClosedRange<Int>?

    public init(maxExecutions: Int = 20_000, maxDeviations: Int? = nil, window: ClosedRange<Int>? = nil) {
        self.maxExecutions = maxExecutions
        self.maxDeviations = maxDeviations
        self.window = window
    }
}

/// What the explorer found for one policy and platform: every verdict and hazard possible in the
/// explored executions, how often, and a witness execution for each.
public struct ExploreResult: Encodable, Hashable, Sendable {
    /// How the search went.
    public struct Search: Encodable, Hashable, Sendable {
        /// Whether every execution was explored: then an outcome with count 0 is impossible.
        public var complete: Bool
        /// Distinct executions replayed.
        public var executions: Int
        /// Choice points met, summed over the executions (the nodes of the choice tree visited).
        public var states: Int
        /// The open choices of the in-order execution.
        public var choicePoints: Int
        /// Every execution with at most this many choices different from a baseline was explored
        /// (nil when the budget ran out before both baselines were).
        public var deviations: Int?
        /// The bound that cut the search (`executions` or `deviations`), nil when complete.
        public var bound: String?
        /// The trace events (`FROM-TO`, 1-based) whose choices were open; nil for all.
        public var window: String?

        enum CodingKeys: String, CodingKey { case complete, executions, states, choicePoints, deviations, bound, window }

        /// Every key always present: `bound`, `deviations` and `window` as null when absent.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(complete, forKey: .complete)
            try container.encode(executions, forKey: .executions)
            try container.encode(states, forKey: .states)
            try container.encode(choicePoints, forKey: .choicePoints)
            try container.encode(deviations, forKey: .deviations)
            try container.encode(bound, forKey: .bound)
            try container.encode(window, forKey: .window)
        }
    }

    public var policy: String
    public var platform: String
    public var explore: Search
    /// Per verdict: in how many explored executions it occurred (possible iff positive).
    public var verdictCounts: VerdictCounts
    /// Per hazard kind: in how many explored executions it occurred.
    public var hazardCounts: HazardCounts
    /// One per verdict and hazard kind that occurred: the first execution found with the fewest
    /// deviations.
    public var witnesses: [Witness]
}

/// An execution that produces an outcome, replayable with ``Schedule/decided(_:)``.
public struct Witness: Encodable, Hashable, Sendable {
    public var verdict: Verdict?
    public var hazard: HazardKind?
    public var agent: String
    public var region: String?
    public var offset: UInt64?
    /// The execution's choices.
    public var choices: ChoiceVector
    /// The execution it deviates from: `in-order` (no choice taken) or `adversarial` (all taken).
    public var baseline: String
    /// How many choices differ from its baseline.
    public var deviations: Int
    /// The witness schedule file, once written.
    public var file: String?

    /// What the witness is for: a verdict's or hazard's name.
    public var outcome: String { verdict?.name ?? hazard?.rawValue ?? "" }

    enum CodingKeys: String, CodingKey { case verdict, hazard, agent, region, offset, choices, baseline, deviations, file }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(verdict, forKey: .verdict)
        try container.encodeIfPresent(hazard, forKey: .hazard)
        try container.encode(agent, forKey: .agent)
        try container.encodeIfPresent(region, forKey: .region)
        try container.encodeIfPresent(offset, forKey: .offset)
        try container.encode(choices.spelling, forKey: .choices)
        try container.encode(baseline, forKey: .baseline)
        try container.encode(deviations, forKey: .deviations)
        try container.encodeIfPresent(file, forKey: .file)
    }
}

/// Enumerates the executions a trace allows: every combination of the open choices the
/// schedules decide (merging, reordering, holding complete writes, speculation, answering from
/// a buffer), by iterative deepening on the number of choices that differ from each of two
/// baselines, in-order (none taken) and adversarial (all taken). Level k replays every
/// execution with exactly k deviations; when a level has none left, the choice tree has been
/// covered and the result is complete (docs/explore.md).
public struct Explorer {
    let trace: LoadedTrace
    let policy: AttributePolicy
    let platform: PlatformProfile
    let models: [DeviceModel]
    let options: ReplayOptions
    let bounds: ExploreBounds

    public init(trace: LoadedTrace, policy: AttributePolicy, platform: PlatformProfile, models: [DeviceModel] = [],
                options: ReplayOptions = ReplayOptions(), bounds: ExploreBounds = ExploreBounds()) {
        self.trace = trace
        self.policy = policy
        self.platform = platform
        self.models = models
        self.options = options
        self.bounds = bounds
    }

    /// A node of the choice tree: deviations from a baseline at these choice positions.
    private struct Node: Hashable {
        var baseline: Bool
        var positions: [Int32]

        var baselineName: String { baseline ? Schedule.adversarial.name : Schedule.inOrder.name }
    }

    private struct State {
        var observe: ((ReplayReport, ChoiceVector) -> Void)?
        /// Choices met by each node's execution.
        var met: [Node: Int] = [:]
        /// Full choice vectors already counted.
        var counted: Set<[Bool]> = []
        var result: ExploreResult
        var runs = 0
    }

    /// Runs the exploration.
    /// - Parameter observe: Called with the report and choices of every distinct execution, in
    ///   the order they are explored (for litmus tests and the like).
    /// - Throws: ``InputError`` from the trace, ``UnknownDeviceModelError``.
    public func run(observe: ((ReplayReport, ChoiceVector) -> Void)? = nil) throws -> ExploreResult {
        var state = State(observe: observe, result: ExploreResult(
            policy: policy.name, platform: platform.name,
            explore: .init(complete: false, executions: 0, states: 0, choicePoints: 0, deviations: nil, bound: nil,
                          window: bounds.window.map { "\($0.lowerBound)-\($0.upperBound)" }),
            verdictCounts: VerdictCounts(), hazardCounts: HazardCounts(), witnesses: []))
        var level = 0
        while true {
            if let limit = bounds.maxDeviations, level > limit {
                state.result.explore.bound = "deviations"
                break
            }
            var grew = false
            for baseline in [false, true] {
                guard try enumerate(Node(baseline: baseline, positions: []), level: level, state: &state, grew: &grew) else {
                    state.result.explore.bound = "executions"
                    return state.result
                }
            }
            if level == 0 { state.result.explore.choicePoints = state.met[Node(baseline: false, positions: [])] ?? 0 }
            state.result.explore.deviations = level
            if !grew {
                state.result.explore.complete = true
                break
            }
            level += 1
        }
        return state.result
    }

    /// Replays every node below `node` with exactly `level` deviations; false when the execution
    /// budget ran out.
    private func enumerate(_ node: Node, level: Int, state: inout State, grew: inout Bool) throws -> Bool {
        if node.positions.count == level {
            grew = true
            return try execute(node, state: &state)
        }
        guard let met = state.met[node] else { return true }
        let first = Int(node.positions.last.map { $0 + 1 } ?? 0)
        for position in first..<max(first, met) {
            if !(try enumerate(Node(baseline: node.baseline, positions: node.positions + [Int32(position)]), level: level,
                               state: &state, grew: &grew)) { return false }
        }
        return true
    }

    /// Replays one node's execution and counts what it produced.
    private func execute(_ node: Node, state: inout State) throws -> Bool {
        guard state.runs < bounds.maxExecutions else { return false }
        state.runs += 1
        var choices = [Bool](repeating: node.baseline, count: Int(node.positions.last.map { $0 + 1 } ?? 0))
        for position in node.positions { choices[Int(position)] = !node.baseline }
        let vector = ChoiceVector(choices, otherwise: node.baseline, window: bounds.window)
        var options = self.options
        options.schedule = .decided(vector)
        var simulation = try Replay.makeSimulation(topology: trace.topology, policy: policy, platform: platform, models: models,
                                                   options: options)
        try simulation.run(LoadedTraceSource(trace, position: 0))
        let met = simulation.decisions.asked
        state.met[node] = met
        state.result.explore.states += met
        var full = choices
        if full.count < met { full += [Bool](repeating: node.baseline, count: met - full.count) }
        full.removeLast(full.count - met)
        guard state.counted.insert(full).inserted else { return true }
        state.result.explore.executions += 1
        let report = simulation.report
        let exact = ChoiceVector(full, otherwise: false, window: bounds.window)
        state.observe?(report, exact)
        for verdict in Verdict.allCases where report.verdictCounts[verdict] > 0 {
            if state.result.verdictCounts[verdict] == 0, let first = report.verdicts.first(where: { $0.verdict == verdict }) {
                state.result.witnesses.append(Witness(verdict: verdict, hazard: nil, agent: first.agent, region: first.region,
                                                      offset: first.offset, choices: exact, baseline: node.baselineName,
                                                      deviations: node.positions.count))
            }
            state.result.verdictCounts[verdict] += 1
        }
        for kind in HazardKind.allCases where report.hazardCounts[kind] > 0 {
            if state.result.hazardCounts[kind] == 0 {
                let first = report.hazards.first { $0.kind == kind }
                state.result.witnesses.append(Witness(verdict: nil, hazard: kind, agent: first?.agent ?? "", region: first?.region,
                                                      offset: first?.offset, choices: exact, baseline: node.baselineName,
                                                      deviations: node.positions.count))
            }
            state.result.hazardCounts[kind] += 1
        }
        return true
    }
}
