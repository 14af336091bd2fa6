import Verdicts

/// What arrived at a device, when, from whom, and what the device made of it.
public struct DeviceObservation: Codable, Hashable, Sendable {
    public var timePs: UInt64
    public var device: String
    /// `MWr`, `MRd`, `CfgWr`, `CfgRd`, `FLR`, `hot-reset`, `controller-reset`, `ready`.
    public var kind: String
    public var agent: String
    public var region: String?
    public var offset: UInt64
    public var size: Int
    /// The data written or returned, as hex.
    public var value: String?
    /// `accepted`, `UR`, `CA`, `discarded-in-reset`, ...
    public var outcome: String
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

/// A driver hazard (DOMAIN.md §4): the guest's own business, but users want to see it.
public struct Hazard: Codable, Hashable, Sendable {
    /// `merged-size`, `out-of-order`, `read-from-buffer`, `speculative-read-sensitive`,
    /// `cacheable-device-access`, `stage2-fault`, `outside-region`.
    public var kind: String
    public var timePs: UInt64
    public var agent: String
    public var device: String?
    public var region: String?
    public var offset: UInt64?
    public var detail: String
}

/// A containment verdict (DOMAIN.md §4) for one error or hazard, with the chain of rules that
/// produced it.
public struct VerdictReport: Codable, Hashable, Sendable {
    /// `none`, `guest-silent`, `guest-abort`, `host-handled`, `post-reclaim-write`,
    /// `cross-guest`, `forbidden-attribute`, `host-panic`, `not-fired`.
    public var verdict: String
    public var contained: Bool
    /// The injected fault, as written (nil for the device model's own errors and for hazards).
    public var fault: String?
    /// `injected`, `device` (the device model's own answer) or `hazard`.
    public var origin: String
    public var timePs: UInt64
    public var agent: String
    public var device: String?
    public var region: String?
    public var offset: UInt64?
    public var evidence: [Evidence]
    /// The evidence as one line, `… → … ⇒ verdict`.
    public var chain: String
}

/// Counts of one replay under one (policy, platform).
public struct ReplaySummary: Codable, Hashable, Sendable {
    public var events = 0
    /// TLPs by type name (`MWr32`, `MRd64`, `CplD`, `CfgWr0`, ...), both directions.
    public var tlps: [String: Int] = [:]
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
}

/// The result of replaying a trace under one policy, platform and schedule.
public struct ReplayReport: Codable, Hashable, Sendable {
    public var policy: String
    public var platform: String
    public var schedule: String
    public var seed: UInt64?
    public var summary: ReplaySummary
    public var hazards: [Hazard]
    /// Hazards beyond the recorded ones (counted, not listed).
    public var hazardsNotListed: Int
    public var deviceView: [DeviceObservation]
    /// Observations beyond ``ReplayOptions/deviceViewLimit`` (counted, not listed).
    public var deviceViewNotListed: Int
    /// One per injected fault (`not-fired` when its site never occurred), per error the device
    /// models answered on their own, and per hazard that needs no fault.
    public var verdicts: [VerdictReport]
    /// Verdicts beyond the listed ones (counted, not listed).
    public var verdictsNotListed: Int
    /// How many verdicts of each kind, listed or not.
    public var verdictCounts: [String: Int]
}
