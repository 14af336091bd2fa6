import ArmMemory
import Faults
import MMIOTrace
import PCIeTransport

/// One TLP of a golden run that a fault could strike: where it went, what it carried, and the
/// context it was sent in (docs/campaigns.md, "Fault sites" and "Pruning").
public struct FaultSiteRecord: Hashable, Sendable {
    /// The simulation step that sent the TLP: a copy of the run taken after `step - 1` steps
    /// is just before the site.
    public var step: Int
    public var timePs: UInt64
    /// The issuing agent, as an index into ``SteppedReplay/agentName(_:)``.
    public var agent: Int32
    public var device: DeviceID
    /// The region of a memory request; nil for configuration requests.
    public var region: RegionID?
    /// The offset in the region, or in configuration space.
    public var offset: UInt64
    public var request: RequestKind
    /// Bytes the TLP carries or asks for.
    public var bytes: Int
    /// The access's effective memory type.
    public var type: MemoryType
    /// How many CPU accesses the transaction carries (more than one when merged).
    public var accesses: UInt16
    /// Whether the read is a speculative one (no program access behind it).
    public var speculative: Bool
    /// The context epoch the TLP was sent in (see ``SiteLog/epochStarts``).
    public var epoch: Int
}

/// Every fault site of a golden run, and when each context epoch began.
public struct SiteLog: Sendable {
    public internal(set) var sites: [FaultSiteRecord] = []
    /// When each epoch after the first began, in picoseconds: epoch `e` (≥ 1) began at
    /// `epochStarts[e - 1]`.
    public internal(set) var epochStarts: [UInt64] = []
}

extension Simulation {
    /// Starts a new context epoch: something happened that can change the verdict of an error.
    mutating func newContextEpoch() {
        contextEpoch += 1
        siteLog?.epochStarts.append(now.picoseconds)
    }

    /// Records a TLP as a fault site of the golden run.
    mutating func logSite(_ t: Transaction, offset: UInt64, request: RequestKind, bytes: Int) {
        siteLog?.sites.append(FaultSiteRecord(step: steps, timePs: now.picoseconds, agent: t.agent, device: t.device, region: t.region,
                                              offset: offset, request: request, bytes: bytes, type: t.type, accesses: t.accesses,
                                              speculative: t.kind == .speculativeRead, epoch: contextEpoch))
    }
}
