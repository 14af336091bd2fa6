import PCIeTransport

/// A device model: what a device's BARs and config space contain and how each register answers.
///
/// Models are data: built-ins and user models alike are YAML files (``load(yaml:file:)``,
/// `docs/device-models.md`) interpreted by ``DeviceState``. A model is immutable once loaded;
/// it precomputes a per-BAR table sorted by offset so that finding the register an access hits
/// is a binary search with no allocation.
public struct DeviceModel: Hashable, Sendable {
    /// The name a trace's `device ... model=` refers to.
    public let name: String
    /// One line saying what the model is.
    public let summary: String
    /// Where the model comes from: `built-in` or `file <path>`.
    public let source: String
    /// The PCI identity in config space; nil for a platform device, which has no config space.
    public let pci: PCIIdentity?
    /// What an access with a size or alignment its register does not accept, straddling
    /// registers, or outside every BAR gets.
    public let unsupported: ErrorResponse
    /// What an access inside a BAR that touches no register and no memory range gets.
    public let unmapped: UnmappedResponse
    /// The BARs, by increasing index.
    public let bars: [BAR]
    /// Function Level Reset behaviour.
    public let flr: FLRBehaviour
    /// AER mask and severity after power-up (FLR leaves them: they are sticky).
    public let aer: AERRegisters
    /// Every register of every BAR, in file order: ``DeviceState`` keeps their values in this order.
    public let registers: [Register]

    /// Per BAR index 0–5: the BAR's size (0 when absent).
    let barSizes: SIMD8<UInt64>
    /// Per BAR index 0–5: registers and memory ranges sorted by offset.
    let layouts: ContiguousArray<ContiguousArray<Slot>>
    /// Per BAR index 0–5: whether the BAR's state is shared (see ``BAR/shared``).
    let sharedBARs: UInt8
    /// Every side effect, grouped by register (``Register/sideEffects`` index into this).
    let sideEffects: ContiguousArray<SideEffect>
    /// The total size of all memory ranges; ``DeviceState`` keeps their bytes in one array.
    let memoryBytes: Int

    /// A register or a memory range in a BAR's sorted layout.
    struct Slot: Hashable, Sendable {
        var start: UInt64
        var end: UInt64
        /// The register's index in ``registers``, or -1 for a memory range.
        var register: Int32
        /// For a memory range: where its bytes start in the state's memory array.
        var storage: Int32
    }

    init(name: String, summary: String, source: String, pci: PCIIdentity?, unsupported: ErrorResponse,
         unmapped: UnmappedResponse? = nil, bars: [BAR], flr: FLRBehaviour, aer: AERRegisters) {
        self.name = name
        self.summary = summary
        self.source = source
        self.pci = pci
        self.unsupported = unsupported
        self.unmapped = unmapped ?? .error(unsupported)
        self.bars = bars.sorted { $0.index < $1.index }
        self.flr = flr
        self.aer = aer
        var registers: [Register] = []
        var effects = ContiguousArray<SideEffect>()
        var sizes = SIMD8<UInt64>()
        var layouts = ContiguousArray(repeating: ContiguousArray<Slot>(), count: 6)
        var shared: UInt8 = 0
        var storage = 0
        for bar in self.bars {
            sizes[Int(bar.index)] = bar.size
            if bar.shared { shared |= 1 << bar.index }
            var slots = ContiguousArray<Slot>()
            for range in bar.memory {
                slots.append(Slot(start: range.offset, end: range.offset + range.size, register: -1, storage: Int32(storage)))
                storage += Int(range.size)
            }
            for var register in bar.registers {
                slots.append(Slot(start: register.offset, end: register.offset + UInt64(register.sizes.width),
                                  register: Int32(registers.count), storage: 0))
                register.firstSideEffect = effects.count
                effects.append(contentsOf: register.sideEffects)
                registers.append(register)
            }
            slots.sort { $0.start < $1.start }
            layouts[Int(bar.index)] = slots
        }
        self.registers = registers
        self.barSizes = sizes
        self.layouts = layouts
        self.sharedBARs = shared
        self.sideEffects = effects
        self.memoryBytes = storage
    }

    /// The index in ``registers`` of the register with this name.
    public func registerIndex(named name: String) -> Int? {
        registers.firstIndex { $0.name == name }
    }

    /// The BAR with this index, if the model has it.
    public func bar(_ index: UInt8) -> BAR? {
        bars.first { $0.index == index }
    }

    /// The slot containing `offset` in BAR `bar`, if any. Inlined, as is ``firstSlot(bar:endingAfter:)``:
    /// called, each made its caller copy the whole model (~200 bytes) on every device access.
    @inline(__always)
    func slotIndex(bar: UInt8, offset: UInt64) -> Int? {
        guard bar < 6 else { return nil }
        let low = firstSlot(bar: bar, endingAfter: offset)
        return low < layouts[Int(bar)].count && layouts[Int(bar)][low].start <= offset ? low : nil
    }

    /// The index of the first slot of BAR `bar` (< 6) that ends after `offset` (the count when
    /// none does): a binary search.
    @inline(__always)
    func firstSlot(bar: UInt8, endingAfter offset: UInt64) -> Int {
        let slots = layouts[Int(bar)]
        var low = 0
        var high = slots.count
        while low < high {
            let mid = (low + high) / 2
            if slots[mid].end <= offset { low = mid + 1 } else { high = mid }
        }
        return low
    }
}

/// What a device answers for an offset of its BAR where it decodes nothing.
public enum UnmappedResponse: Hashable, Sendable {
    /// An Unsupported Request or Completer Abort, as for any unsupported access.
    case error(ErrorResponse)
    /// Reads complete with zero data and writes are dropped (read-as-zero, writes-ignored): what
    /// devices that decode their whole BAR do, QEMU's e1000e among them.
    case zero

    /// The spelling in model files: `ur`, `ca` or `zero`.
    public var spelling: String {
        switch self {
        case .error(let response): response.rawValue
        case .zero: "zero"
        }
    }
}

/// Vendor ID, device ID and class code, as config space shows them.
public struct PCIIdentity: Hashable, Sendable {
    public var vendorID: UInt16
    public var deviceID: UInt16
    /// Base class, subclass and programming interface (e.g. 0x010802 for NVMe).
    public var classCode: UInt32
    public var revision: UInt8

    public init(vendorID: UInt16, deviceID: UInt16, classCode: UInt32, revision: UInt8 = 0) {
        self.vendorID = vendorID
        self.deviceID = deviceID
        self.classCode = classCode
        self.revision = revision
    }
}

/// What a Function Level Reset does (docs/domain.md §3).
public struct FLRBehaviour: Hashable, Sendable {
    /// Default time from the Initiate FLR write until the function is ready: 100 ms, the wait
    /// the PCIe Base Specification gives software before it may access the function again.
    public static let defaultReadyAfterNs: UInt64 = 100_000_000

    /// Nanoseconds from the Initiate FLR write until the function is ready again.
    public var readyAfterNs: UInt64
    /// Whether posted writes that arrive while the FLR is in progress are discarded.
    public var discardPosted: Bool
    /// The completion status memory reads get while the FLR is in progress.
    public var nonPosted: ErrorResponse

    public init(readyAfterNs: UInt64 = defaultReadyAfterNs, discardPosted: Bool = true, nonPosted: ErrorResponse = .ur) {
        self.readyAfterNs = readyAfterNs
        self.discardPosted = discardPosted
        self.nonPosted = nonPosted
    }
}

extension DeviceModel {
    /// A Base Address Register window and what it contains.
    public struct BAR: Hashable, Sendable {
        /// 0–5.
        public var index: UInt8
        /// Bytes; a power of two, at least 16.
        public var size: UInt64
        public var prefetchable: Bool
        /// Whether the state behind the BAR is shared with other guests or the host (the GICv2
        /// VCPU interface): a change there is a `cross-guest` effect.
        public var shared: Bool
        /// Ranges that behave like memory.
        public var memory: [MemoryRange]
        public var registers: [Register]
    }

    /// A range of a BAR that behaves like memory: any size, any alignment, a read returns what
    /// was written (e.g. a write-combining descriptor page). Zero after reset.
    public struct MemoryRange: Hashable, Sendable {
        public var offset: UInt64
        public var size: UInt64
    }
}

/// The access sizes a register accepts, as a set of 1, 2, 4 and 8 (each size is its own bit).
public struct AccessSizes: OptionSet, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let one = AccessSizes(rawValue: 1)
    public static let two = AccessSizes(rawValue: 2)
    public static let four = AccessSizes(rawValue: 4)
    public static let eight = AccessSizes(rawValue: 8)

    /// Whether an access of `size` bytes is accepted.
    @inlinable public func accepts(_ size: Int) -> Bool {
        size > 0 && size <= 8 && size & (size - 1) == 0 && rawValue & UInt8(size) != 0
    }

    /// The register's width in bytes: the largest accepted size.
    @inlinable public var width: Int { rawValue == 0 ? 0 : 1 << (7 - rawValue.leadingZeroBitCount) }

    /// The sizes, smallest first.
    public var sizes: [Int] { [1, 2, 4, 8].filter { rawValue & UInt8($0) != 0 } }
}

/// How a register answers reads and writes (`docs/device-models.md`, "Access types").
public enum RegisterAccess: String, Hashable, Sendable, CaseIterable {
    /// Reads return the value; writes replace the written bytes.
    case rw
    /// Reads return the value; writes are accepted and ignored (the device changes it).
    case ro
    /// Reads return 0; writes replace the written bytes.
    case wo
    /// Reads return the value; a write clears the bits written as 1.
    case w1c
    /// Read-to-clear: a read returns the value and puts the register back to its reset value
    /// (a read side effect: read-sensitive); writes are accepted and ignored.
    case rc
    /// Each write is an event the device consumes (a FIFO push or doorbell ring): counted and
    /// its value kept; reads return 0. `fifo` in a model file means the same.
    case doorbell

    /// Whether writes change the stored value (and so may have side effects).
    public var storesWrites: Bool { self != .ro && self != .rc }
}

/// One register of a BAR.
public struct Register: Hashable, Sendable {
    public var name: String
    /// Byte offset in its BAR, aligned to its width.
    public var offset: UInt64
    public var sizes: AccessSizes
    public var access: RegisterAccess
    /// The value after power-up and after FLR.
    public var reset: UInt64
    /// What a write to it sets in motion.
    public var sideEffects: [SideEffect]
    /// Where its side effects start in the model's flat list.
    var firstSideEffect = 0

    init(name: String, offset: UInt64, sizes: AccessSizes, access: RegisterAccess, reset: UInt64, sideEffects: [SideEffect]) {
        self.name = name
        self.offset = offset
        self.sizes = sizes
        self.access = access
        self.reset = reset
        self.sideEffects = sideEffects
    }

    /// The bits that exist: `width * 8` low bits.
    var valueMask: UInt64 { sizes.width == 8 ? .max : (1 << UInt64(sizes.width * 8)) - 1 }
}

/// A write's effect on another register bit, possibly after a delay: the one behaviour the
/// built-ins need (NVMe CC.EN → CSTS.RDY, CC.SHN → CSTS.SHST).
///
/// After every write to its register, if bit ``triggerBit`` of the register's new value equals
/// ``triggerValue``, bit ``targetBit`` of ``targetRegister`` becomes ``targetValue`` after
/// ``delayNs``. A later trigger aimed at the same target bit replaces one still pending: the
/// device follows the driver's latest write.
public struct SideEffect: Hashable, Sendable {
    public var triggerBit: UInt8
    public var triggerValue: Bool
    /// Index of the target in ``DeviceModel/registers``.
    public var targetRegister: Int
    public var targetBit: UInt8
    /// True for `sets`, false for `clears`.
    public var targetValue: Bool
    public var delayNs: UInt64
}
