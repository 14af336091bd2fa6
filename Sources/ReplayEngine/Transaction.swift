import ArmMemory
import MMIOTrace
import PCIeTransport

/// An index into the transaction table.
typealias TransactionID = Int32

/// One request travelling from a core to a device: a (possibly merged) write, a read, a
/// configuration access or a reset. Lives in ``TransactionTable`` so that events carry only its
/// index.
struct Transaction {
    enum Kind: UInt8 {
        case write, read, speculativeRead, configRead, configWrite
        /// A Function Level Reset: a configuration write of Initiate FLR.
        case flr
        /// A secondary bus reset through the root port.
        case hotReset
        /// A write to a platform reset controller.
        case controllerReset
    }

    /// The request the transaction is on the bus (a reset is the configuration write, or the
    /// controller write, that starts it).
    var request: RequestKind {
        switch kind {
        case .write, .controllerReset: .memoryWrite
        case .read, .speculativeRead: .memoryRead
        case .configRead: .configRead
        case .configWrite, .flr, .hotReset: .configWrite
        }
    }

    /// Which way a transaction leaves the serialisation point.
    enum Path: UInt8 { case mmio, ecam, platform }

    var kind: Kind
    var agent: Int32
    var type: MemoryType
    var path: Path
    var device: DeviceID
    var region: RegionID?
    /// For memory accesses: the first byte's address; writes are within one aligned 64-byte line.
    var address: UInt64
    /// Bytes accessed (reads, configuration accesses).
    var size: UInt8
    /// Valid bytes of a write within its 64-byte line (bit i: byte line+i).
    var mask: UInt64
    /// Data of a write, by byte of its 64-byte line; configuration values in the low bytes.
    var data: SIMD8<UInt64>
    /// Program order of the first access in the transaction (per agent).
    var programOrder: UInt64
    /// How many CPU accesses the transaction carries (more than one when merged).
    var accesses: UInt16
    /// The guest VM whose stage-2 mapping the access went through, if any.
    var guestVM: UInt16?
    /// When the program made the access (for a merged line, its first store).
    var issued: SimTime
    /// Whether the architecture considers the access complete (DSB and TLBI wait for this).
    var complete = false
    /// The tag of its request TLP (non-posted requests).
    var tag: UInt16 = 0
    /// The injected fault (index) this request carries, or -1.
    var fault: Int32 = -1
    /// The position of its request TLP on the downstream link (-1 before, or off the link).
    var linkSequence: Int32 = -1
    /// Whether its acknowledgement or completion is on the way back to the core.
    var acknowledged = false
    /// Whether the device has received all of it.
    var delivered = false
    /// For a write carrying several accesses: per byte of the line, the program order of the
    /// access that wrote it, as an offset from ``programOrder`` (zero for a single access).
    var byteOrders = SIMD64<UInt8>()
    /// A write's TLPs not yet delivered or ended (one until the root complex splits it).
    var piecesLeft: UInt8 = 1
    /// For a read: whether ``data`` holds the value the trace recorded for it.
    var hasRecordedValue = false
    /// Whether a DSB has waited for it (docs/domain.md §10 timing freedom: until then it may
    /// stay in its path for any finite time).
    var awaitedByDSB = false
    /// The link fault (index) whose outage cut this request off after the root complex had
    /// accepted it, or -1.
    var cutByLink: Int32 = -1

    /// The request TLP's name in evidence chains.
    var requestTLPName: String {
        switch kind {
        case .read, .speculativeRead: "MRd"
        case .configRead: "CfgRd0"
        case .write, .controllerReset: "MWr"
        case .configWrite, .flr, .hotReset: "CfgWr0"
        }
    }
}

/// Transactions in flight, in a table whose slots are reused: no allocation per transaction once
/// the table has grown to the largest number in flight. A slot is read and changed in place.
struct TransactionTable {
    /// Every slot; a free one holds the transaction that last used it.
    private var slots: ContiguousArray<Transaction> = []
    /// Whether each slot holds a live transaction.
    private var occupied: ContiguousArray<Bool> = []
    private var free: ContiguousArray<TransactionID> = []
    private(set) var live = 0

    mutating func insert(_ t: Transaction) -> TransactionID {
        live += 1
        if let id = free.popLast() {
            slots[Int(id)] = t
            occupied[Int(id)] = true
            return id
        }
        slots.append(t)
        occupied.append(true)
        return TransactionID(slots.count - 1)
    }

    /// The live transaction `id`. Inlined, so that reading a field reads only that field: out of
    /// line, the read copied the whole transaction (~230 bytes) out of the array for every field.
    subscript(id: TransactionID) -> Transaction {
        @inline(__always) _read {
            precondition(occupied[Int(id)], "transaction \(id) is not live")
            yield slots[Int(id)]
        }
        @inline(__always) _modify {
            precondition(occupied[Int(id)], "transaction \(id) is not live")
            yield &slots[Int(id)]
        }
    }

    mutating func remove(_ id: TransactionID) {
        occupied[Int(id)] = false
        free.append(id)
        live -= 1
    }

    /// The live transactions, in slot order (deterministic).
    var ids: some Sequence<TransactionID> {
        occupied.indices.lazy.filter { occupied[$0] }.map { TransactionID($0) }
    }

    /// Changes, in place and in slot order, each live transaction `predicate` selects. (A loop
    /// over ``ids`` that changes transactions would copy every slot: the sequence holds the table.)
    mutating func update(where predicate: (Transaction) -> Bool, _ change: (inout Transaction) -> Void) {
        for i in occupied.indices where occupied[i] && predicate(slots[i]) { change(&slots[i]) }
    }

    /// Whether a live transaction satisfies `predicate`.
    func contains(where predicate: (Transaction) -> Bool) -> Bool {
        occupied.indices.contains { occupied[$0] && predicate(slots[$0]) }
    }
}
