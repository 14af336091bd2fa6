import DeviceModels
import Faults
import PCIeTransport
import Verdicts

/// What reached a device (or what it did), as its device view lists it.
public enum ObservationKind: String, CaseIterable, Hashable, Sendable, Encodable {
    case memoryWrite = "MWr"
    case memoryRead = "MRd"
    case speculativeRead = "MRd (speculative)"
    case configWrite = "CfgWr"
    case configRead = "CfgRd"
    case flr = "FLR"
    case hotReset = "hot-reset"
    case controllerReset = "controller-reset"
    /// The device finished a reset.
    case ready

    public var isConfig: Bool { self == .configWrite || self == .configRead }
}

/// What a device made of a request.
public enum DeviceAnswer: Hashable, Sendable {
    /// A write (or reset request) taken as it came.
    case accepted
    /// A non-posted request's completion status.
    case completion(CompletionStatus)
    /// A posted write the model refused with UR or CA (no completion; AER logged).
    case writeRefused(ErrorResponse)
    /// A posted write dropped because an FLR was in progress.
    case discardedInReset
    /// A posted write an injected fault stopped at the device, with the error it caused.
    case injectedWriteError(ErrorKind)
    /// The device is ready again after a reset.
    case ready
}

/// A device's answer, and the injected fault that replaced or altered it, if any.
public struct DeviceOutcome: Hashable, Sendable, Encodable, CustomStringConvertible {
    public var answer: DeviceAnswer
    /// The fault injected on a non-posted request (its completion status then reflects it).
    public var injected: FaultKind?

    public init(_ answer: DeviceAnswer, injected: FaultKind? = nil) {
        self.answer = answer
        self.injected = injected
    }

    /// `accepted`, `SC`, `UR`, `CA (CA injected)`, `discarded-in-reset`, `ur (injected)`, `ready`.
    public var description: String {
        let text = switch answer {
        case .accepted: "accepted"
        case .completion(let status): status.abbreviation
        case .writeRefused(let response): response.completionStatus.abbreviation
        case .discardedInReset: "discarded-in-reset"
        case .injectedWriteError(let error): "\(error.rawValue) (injected)"
        case .ready: "ready"
        }
        return injected.map { "\(text) (\($0.spelling) injected)" } ?? text
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// What arrived at a device, when, from whom, and what the device made of it.
public struct DeviceObservation: Encodable, Hashable, Sendable {
    public var timePs: UInt64
    public var device: String
    public var kind: ObservationKind
    public var agent: String
    public var region: String?
    public var offset: UInt64
    public var size: Int
    /// The data written or returned, as hex.
    public var value: String?
    public var outcome: DeviceOutcome
    /// The program-order index of the (first) access at its agent.
    public var programOrder: UInt64
    /// How many CPU accesses the transaction carries (more than one when merged).
    public var accesses: Int
    /// The position of the TLP on the downstream link (0-based), for PCIe requests.
    public var linkSequence: Int?
    /// Set when the access was issued before the device's latest reset began and arrived after:
    /// a write landing on the reset (or next owner's) device.
    public var afterReset: Bool
}

/// A driver hazard (docs/domain.md §4): the guest's own business, but users want to see it.
public struct Hazard: Encodable, Hashable, Sendable {
    public var kind: HazardKind
    public var timePs: UInt64
    public var agent: String
    public var device: String?
    public var region: String?
    public var offset: UInt64?
    public var detail: String
}

/// A containment verdict (docs/domain.md §4) for one error or hazard, with the chain of rules that
/// produced it.
public struct VerdictReport: Encodable, Hashable, Sendable {
    public var verdict: Verdict
    /// The injected fault, as written (nil for the device model's own errors and for hazards).
    public var fault: String?
    public var origin: VerdictOrigin
    public var timePs: UInt64
    public var agent: String
    public var device: String?
    public var region: String?
    public var offset: UInt64?
    /// The rules applied, in order.
    public var evidence: [Evidence]

    /// Whether the outcome stayed contained (the verdict's own property).
    public var contained: Bool { verdict.contained }

    /// The evidence as one line, `… → … ⇒ verdict`.
    public var chain: String { VerdictDerivation(verdict: verdict, evidence: evidence).chain }

    /// What the verdict is about, for grouping: its origin, agent and place (or fault).
    public var site: VerdictSite {
        VerdictSite(origin: origin, fault: fault, agent: agent, device: device, region: region, offset: offset)
    }

    private enum CodingKeys: String, CodingKey {
        case verdict, contained, fault, origin, timePs, agent, device, region, offset, evidence, chain
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(verdict, forKey: .verdict)
        try c.encode(contained, forKey: .contained)
        try c.encodeIfPresent(fault, forKey: .fault)
        try c.encode(origin, forKey: .origin)
        try c.encode(timePs, forKey: .timePs)
        try c.encode(agent, forKey: .agent)
        try c.encodeIfPresent(device, forKey: .device)
        try c.encodeIfPresent(region, forKey: .region)
        try c.encodeIfPresent(offset, forKey: .offset)
        try c.encode(evidence, forKey: .evidence)
        try c.encode(chain, forKey: .chain)
    }
}

/// What a verdict is about: where it struck and what caused it, without when.
public struct VerdictSite: Hashable, Sendable, Comparable {
    public var origin: VerdictOrigin
    public var fault: String?
    public var agent: String
    public var device: String?
    public var region: String?
    public var offset: UInt64?

    private var key: [String] {
        [origin.rawValue, fault ?? "", agent, device ?? "", region ?? "", offset.map { String($0) } ?? ""]
    }

    public static func < (a: VerdictSite, b: VerdictSite) -> Bool { a.key.lexicographicallyPrecedes(b.key) }
}

/// TLPs counted by kind.
public typealias TLPCounts = KindCounts<TLPName>

extension TLPName: CountedKind {
    public var countIndex: Int { Int(rawValue) }
    public var countName: String { name }
}

/// Counts of one replay under one (policy, platform).
public struct ReplaySummary: Encodable, Hashable, Sendable {
    public var events = 0
    /// TLPs by kind, both directions.
    public var tlps = TLPCounts()
    /// Bytes on the wire, downstream + upstream, framing included.
    public var linkBytes = 0
    public var linkBytesDownstream = 0
    public var linkBytesUpstream = 0
    /// From the first event to the last delivery.
    public var simulatedNs: UInt64 = 0
    /// CPU write accesses that left the core as transactions.
    public var cpuWrites = 0
    /// Memory-write transactions that reached the root complex or a platform bus.
    public var writeTransactions = 0
    /// CPU writes per write transaction (1.0 when nothing merged).
    public var writeCombiningRatio: Double = 0
    /// Requests (write TLPs, reads, config accesses) issued before their device's latest reset
    /// began that arrived after it.
    public var arrivalsAfterReset = 0
    /// Recorded read values against the device models' answers.
    public var reads = ReadComparison()

    public init() {}
}

/// The result of replaying a trace under one policy, platform and schedule.
///
/// Every verdict is kept, whatever is displayed; hazards and the device view are listed up to
/// the replay's limits (which bound memory), and counted in full.
public struct ReplayReport: Encodable, Hashable, Sendable {
    public var policy: String
    public var platform: String
    public var schedule: String
    public var seed: UInt64?
    public var summary: ReplaySummary
    public var hazards: [Hazard]
    /// Hazards beyond the listed ones (counted, not listed).
    public var hazardsNotListed: Int
    /// How many hazards of each kind, listed or not.
    public var hazardCounts: HazardCounts
    public var deviceView: [DeviceObservation]
    /// Observations beyond ``ReplayOptions/deviceViewLimit`` (counted, not listed).
    public var deviceViewNotListed: Int
    /// One per injected fault (`not-fired` when its site never occurred), per error the device
    /// models answered on their own, and per hazard that needs no fault, in the order they were
    /// decided.
    public var verdicts: [VerdictReport]
    /// How many verdicts of each kind.
    public var verdictCounts: VerdictCounts
}
