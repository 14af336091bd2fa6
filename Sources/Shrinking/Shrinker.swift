import ArmMemory
import DeviceModels
import MMIOTrace
import ModelLearning
import Platforms
import ReplayEngine
import Verdicts

/// Cuts a trace down to the fewest events that still give a verdict (docs/shrink.md): delta
/// debugging (Zeller and Hildebrandt's ddmin) over the trace's events, each candidate replayed as
/// `mmio-replay replay` would replay it written out on its own: the whole topology header (so every
/// kept access has its device, region and mapping), the trace's and the user's faults, and models
/// learned from the candidate itself for devices that have no other. The result is 1-minimal:
/// removing any single event of it loses the verdict.
public struct Shrinker: Sendable {
    public let topology: Topology
    public let policy: AttributePolicy
    public let platform: PlatformProfile
    /// User device models (`--device-model`).
    public let models: [DeviceModel]
    /// The schedule and faults (the trace's own `fault` directives are part of ``topology``).
    public let options: ReplayOptions
    /// The verdict every candidate must still give.
    public let verdict: Verdict

    public init(topology: Topology, policy: AttributePolicy, platform: PlatformProfile, models: [DeviceModel] = [],
                options: ReplayOptions, verdict: Verdict) {
        self.topology = topology
        self.policy = policy
        self.platform = platform
        self.models = models
        self.options = options
        self.verdict = verdict
    }

    /// What a shrink did.
    public struct Result: Sendable {
        /// The kept events, in trace order.
        public var events: [TraceEvent]
        /// Candidates replayed.
        public var tests: Int
    }

    /// Whether `events` (with the topology) still give the verdict.
    public func holds(_ events: [TraceEvent]) throws -> Bool {
        let learned = ModelLearner.learning(topology: topology, events: events)
        let trace = LoadedTrace(name: "candidate", topology: topology, events: events)
        let report = try Replay.run(LoadedTraceSource(trace), policy: policy, platform: platform,
                                    models: models + (try learned.models(source: "candidate")), options: options)
        return report.verdicts.contains { $0.verdict == verdict }
    }

    /// The fewest events of `events` that still give the verdict.
    /// - Parameter progress: Called after each candidate with the events kept so far and the tests run.
    /// - Throws: ``ShrinkError`` when the whole trace does not give the verdict; replay errors.
    public func shrink(_ events: [TraceEvent], progress: (Int, Int) -> Void = { _, _ in }) throws -> Result {
        var tests = 0
        var cache: [[Int]: Bool] = [:]
        func test(_ indices: [Int]) throws -> Bool {
            if let known = cache[indices] { return known }
            tests += 1
            let result = try holds(indices.map { events[$0] })
            cache[indices] = result
            return result
        }
        var kept = Array(events.indices)
        guard try test(kept) else { throw ShrinkError.verdictNotGiven(verdict) }
        // ddmin: try each of n chunks alone, then each complement; on success restart from the
        // smaller set, else split finer, until chunks are single events.
        var n = 2
        while kept.count >= 2 {
            let chunks = Self.split(kept, into: n)
            var reduced = false
            for chunk in chunks where try test(chunk) {
                (kept, n, reduced) = (chunk, 2, true)
                break
            }
            if !reduced {
                for i in chunks.indices {
                    let complement = chunks.enumerated().filter { $0.offset != i }.flatMap(\.element)
                    if try test(complement) {
                        (kept, n, reduced) = (complement, max(n - 1, 2), true)
                        break
                    }
                }
            }
            progress(kept.count, tests)
            if !reduced {
                guard n < kept.count else { break }
                n = min(n * 2, kept.count)
            }
        }
        if kept.count == 1, try test([]) { kept = [] }
        return Result(events: kept.map { events[$0] }, tests: tests)
    }

    /// `items` in `n` contiguous chunks of nearly equal size.
    static func split(_ items: [Int], into n: Int) -> [[Int]] {
        (0..<n).map { k in Array(items[(items.count * k / n)..<(items.count * (k + 1) / n)]) }.filter { !$0.isEmpty }
    }
}

/// Why a trace cannot be shrunk.
public enum ShrinkError: Error, CustomStringConvertible {
    case verdictNotGiven(Verdict)

    public var description: String {
        switch self {
        case .verdictNotGiven(let verdict): "the trace does not give the verdict \(verdict) under these options: nothing to shrink"
        }
    }
}
