import ArmMemory
import DequeModule
import MMIOTrace

/// A core running one agent's program: its pending trace events, what it waits for, its
/// write-combining buffer and dirty cache lines, and the accesses it may still reorder.
struct AgentState {
    enum Block: Equatable {
        case none
        /// A load waits for its data (Device loads always; every load here, since the trace's
        /// later events depend on it).
        case load(TransactionID)
        /// A DSB waits for every earlier access, and every earlier TLBI, to complete.
        case barrier
    }

    /// The VMID and, for IPAS2E1IS, the region whose stage-2 entries a TLBI invalidated.
    struct TLBIScope: Equatable {
        var vm: UInt16
        var region: RegionID?

        /// Whether the invalidation covers the mapping `t` went through.
        func covers(_ t: Transaction) -> Bool {
            t.guestVM == vm && (region == nil || region == t.region)
        }
    }

    let agent: Agent
    var pending = Deque<TraceEvent>()
    var block = Block.none
    var stepScheduled = false
    var inGuest = true
    /// When the vCPU last left the guest.
    var lastExit: SimTime?
    /// A fault sited at one of this agent's events, for its next transaction (or -1).
    var pendingFault: Int32 = -1
    var programOrder: UInt64 = 0
    /// Gathering lines (Device-GRE, Normal-NC, Normal-WT).
    var buffer = ContiguousArray<BufferLine>()
    /// Dirty cacheable lines (Normal-WB): not drained by barriers, only by eviction.
    var cache = ContiguousArray<BufferLine>()
    /// Issued accesses held back so that the adversarial schedule may reorder them (R types).
    var window = ContiguousArray<TransactionID>()
    /// TLBIs issued since this agent's last DSB.
    var pendingTLBIs = ContiguousArray<TLBIScope>()
    /// The effective memory type of this agent's accesses to each region (by region index).
    var effectiveTypes = ContiguousArray<MemoryType>()
    /// Per region, which attribute-hazard checks are done (``HazardCheck`` bits).
    var hazardChecks = ContiguousArray<UInt8>()
    /// 4 KiB pages already speculatively read (adversarial: once per page).
    var speculatedPages = Set<UInt64>()

    init(agent: Agent) { self.agent = agent }
}
