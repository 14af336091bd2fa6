import ArmMemory
import PCIeTransport

/// A point in a trace's time, in nanoseconds from an arbitrary origin.
public struct TraceTime: Hashable, Comparable, Sendable, BitwiseCopyable {
    public var nanoseconds: UInt64
    @inlinable public init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }
    @inlinable public static func < (a: TraceTime, b: TraceTime) -> Bool { a.nanoseconds < b.nanoseconds }
}

/// One event of a trace: what happened, when, and who did it. Plain data: the replay moves
/// millions of them without reference counting.
public struct TraceEvent: Hashable, Sendable, BitwiseCopyable {
    public var time: TraceTime
    public var agent: Agent
    public var kind: EventKind

    @inlinable public init(time: TraceTime, agent: Agent, kind: EventKind) {
        self.time = time
        self.agent = agent
        self.kind = kind
    }
}

/// What an event does.
public enum EventKind: Hashable, Sendable, BitwiseCopyable {
    /// A load from device memory; `value` is the recorded result when known.
    case read(MemoryAccess)
    /// A store to device memory.
    case write(MemoryAccess)
    case barrier(Barrier)
    /// The vCPU leaves guest context (a guest exit to the hypervisor).
    case guestExit
    /// The vCPU enters (or re-enters) guest context.
    case guestEntry
    /// The host destroys a VM.
    case teardown(vm: UInt16)
    /// The host removes a region from a VM's stage-2 tables.
    case unmap(region: RegionID, vm: UInt16)
    case tlbi(TLBInvalidation)
    /// A configuration-space read; `value` is the recorded result when known.
    case configRead(ConfigAccess)
    case configWrite(ConfigAccess)
    case reset(ResetKind, device: DeviceID)
    /// A named point in time (mmiotrace `MARK`, a test step).
    case mark(MarkText)
}

/// A load or store to device memory.
public struct MemoryAccess: Hashable, Sendable, BitwiseCopyable {
    /// The accessed address (the trace's physical/intermediate-physical address).
    public var address: UInt64
    /// The region the trace names (or that contains `address`); nil when outside every region.
    public var region: RegionID?
    /// Bytes accessed: 1, 2, 4, 8, 16, 32 or 64 architecturally; the reader accepts 1...64.
    public var size: UInt8
    /// The value written, or the recorded value read.
    public var value: AccessValue
    /// False for a read whose value was not recorded.
    public var hasValue: Bool

    @inlinable
    public init(address: UInt64, region: RegionID?, size: UInt8, value: AccessValue = .zero, hasValue: Bool = true) {
        self.address = address
        self.region = region
        self.size = size
        self.value = value
        self.hasValue = hasValue
    }
}

/// The shareability domain of a barrier.
public enum BarrierDomain: UInt8, CaseIterable, Hashable, Sendable, BitwiseCopyable {
    case fullSystem, outerShareable, innerShareable, nonShareable
    /// The option prefix: `sy`, `osh`, `ish`, `nsh`.
    public var spelling: String { ["sy", "osh", "ish", "nsh"][Int(rawValue)] }
}

/// Which accesses a barrier orders.
public enum BarrierAccesses: UInt8, CaseIterable, Hashable, Sendable, BitwiseCopyable {
    case all, loads, stores
    public var suffix: String { ["", "ld", "st"][Int(rawValue)] }
}

/// A barrier instruction (Arm ARM B2.3.12).
public enum Barrier: Hashable, Sendable, BitwiseCopyable {
    case dmb(BarrierDomain, BarrierAccesses)
    case dsb(BarrierDomain, BarrierAccesses)
    case isb

    /// The instruction option as Arm assembly spells it: `sy`, `st`, `ld`, `ish`, `ishst`, ...
    public static func optionSpelling(_ domain: BarrierDomain, _ accesses: BarrierAccesses) -> String {
        if domain == .fullSystem, accesses != .all { return accesses.suffix }
        return domain.spelling + accesses.suffix
    }
}

/// A TLB invalidation instruction issued by the host.
public struct TLBInvalidation: Hashable, Sendable, BitwiseCopyable {
    public enum Operation: String, CaseIterable, Hashable, Sendable, BitwiseCopyable {
        /// By IPA, stage 2 only, EL1&0 regime, Inner Shareable.
        case ipas2e1is
        /// All stage-1 entries of the current VMID, Inner Shareable.
        case vmalle1is
        /// All stage-1 and stage-2 entries of the current VMID, Inner Shareable.
        case vmalls12e1is
    }

    public var operation: Operation
    /// The VM whose VMID is invalidated.
    public var vm: UInt16
    /// The intermediate physical address, for `ipas2e1is`.
    public var address: UInt64?
    /// The region `address` lies in, when known.
    public var region: RegionID?

    public init(operation: Operation, vm: UInt16 = 0, address: UInt64? = nil, region: RegionID? = nil) {
        self.operation = operation
        self.vm = vm
        self.address = address
        self.region = region
    }
}

/// A configuration-space access to a device.
public struct ConfigAccess: Hashable, Sendable, BitwiseCopyable {
    public var device: DeviceID
    /// Offset in the function's configuration space (0...0xfff).
    public var offset: UInt16
    /// 1, 2 or 4 bytes.
    public var size: UInt8
    public var value: UInt32
    public var hasValue: Bool

    public init(device: DeviceID, offset: UInt16, size: UInt8, value: UInt32 = 0, hasValue: Bool = true) {
        self.device = device
        self.offset = offset
        self.size = size
        self.value = value
        self.hasValue = hasValue
    }
}

/// How a device is reset.
public enum ResetKind: String, CaseIterable, Hashable, Sendable, BitwiseCopyable {
    /// PCIe Function Level Reset (a config write of Initiate FLR).
    case flr
    /// PCIe secondary bus (hot) reset.
    case hot
    /// A write to a platform reset-controller register.
    case controller
}
