/// One Transaction Layer Packet: pure data, with no routing or link state (PCIe Base Spec,
/// "Transaction Layer Protocol - Packet Definition").
///
/// One flat value covers every kind; a field that a kind's header does not carry is zero (or
/// empty) there, which is what decoding produces, so `TLP(decoding: tlp.bytes) == tlp` for
/// every valid TLP. The factories (``memoryWrite(address:firstByteEnables:lastByteEnables:payload:requester:tag:attributes:trafficClass:)``
/// and friends) fill in exactly the fields a kind uses; ``validate()`` states the rules.
///
/// The value is about 120 bytes with the payload inline and never allocates.
public struct TLP: Hashable, Sendable {
    /// Fmt and Type.
    public var kind: TLPKind
    /// TC[2:0], 0 through 7 (byte 1 bits 6:4).
    public var trafficClass: UInt8
    /// Relaxed Ordering and No Snoop (byte 2 bits 5:4).
    public var attributes: TLPAttributes
    /// EP, the TLP is poisoned: its data must not be used (byte 2 bit 6).
    public var isPoisoned: Bool
    /// The TLP Digest (ECRC) when TD (byte 2 bit 7) is set; carried as given, not computed or
    /// checked here.
    public var digest: UInt32?
    /// The Length field in DW, 1 through 1024 for requests and data TLPs (the field encodes
    /// 1024 as 0); 0 for Cpl and Msg, whose Length is reserved.
    public var length: Int
    /// The requester (bytes 4–5 of requests; bytes 8–9 of completions).
    public var requesterID: PCIAddress
    /// The tag: 10 bits with T9 and T8 in byte 1 bits 7 and 3 (10-Bit Tag Requester), the low
    /// eight bits in byte 6 of requests, byte 10 of completions.
    public var tag: UInt16
    /// First DW BE[3:0] of memory and configuration requests (byte 7 bits 3:0); bit `i` enables
    /// byte `i` of the first DW.
    public var firstByteEnables: UInt8
    /// Last DW BE[3:0] of memory requests (byte 7 bits 7:4); 0 for 1-DW requests.
    public var lastByteEnables: UInt8
    /// The byte address of the first DW of a memory request (bits 1:0 zero), or of an
    /// address-routed message.
    public var address: UInt64
    /// The completer of a completion (bytes 4–5).
    public var completerID: PCIAddress
    /// The completion status (byte 6 bits 7:5).
    public var completionStatus: CompletionStatus
    /// BCM, Byte Count Modified (byte 6 bit 4): set only by PCI-X completers.
    public var byteCountModified: Bool
    /// The Byte Count of a completion, 1 through 4096 (the 12-bit field encodes 4096 as 0).
    public var byteCount: Int
    /// Lower Address[6:0] of a completion (byte 11).
    public var lowerAddress: UInt8
    /// The function a configuration request or an ID-routed message targets (bytes 8–9).
    public var targetID: PCIAddress
    /// A configuration request's register as a DW index, 0 through 1023: Extended Register
    /// Number in byte 10 bits 3:0, Register Number in byte 11 bits 7:2 (byte offset = 4 ×
    /// register).
    public var register: UInt16
    /// The Message Code of a message (byte 7).
    public var messageCode: MessageCode
    /// The data payload of MWr, CfgWr0, CplD and MsgD.
    public var payload: TLPPayload

    /// A TLP of `kind` with every other field given or zero; prefer the factories, which set
    /// the fields a kind uses consistently.
    public init(
        kind: TLPKind, trafficClass: UInt8 = 0, attributes: TLPAttributes = [], isPoisoned: Bool = false,
        digest: UInt32? = nil, length: Int = 0, requesterID: PCIAddress = PCIAddress(routingID: 0), tag: UInt16 = 0,
        firstByteEnables: UInt8 = 0, lastByteEnables: UInt8 = 0, address: UInt64 = 0,
        completerID: PCIAddress = PCIAddress(routingID: 0), completionStatus: CompletionStatus = .successful,
        byteCountModified: Bool = false, byteCount: Int = 0, lowerAddress: UInt8 = 0,
        targetID: PCIAddress = PCIAddress(routingID: 0), register: UInt16 = 0, messageCode: MessageCode = MessageCode(rawValue: 0),
        payload: TLPPayload = TLPPayload()
    ) {
        self.kind = kind
        self.trafficClass = trafficClass
        self.attributes = attributes
        self.isPoisoned = isPoisoned
        self.digest = digest
        self.length = length
        self.requesterID = requesterID
        self.tag = tag
        self.firstByteEnables = firstByteEnables
        self.lastByteEnables = lastByteEnables
        self.address = address
        self.completerID = completerID
        self.completionStatus = completionStatus
        self.byteCountModified = byteCountModified
        self.byteCount = byteCount
        self.lowerAddress = lowerAddress
        self.targetID = targetID
        self.register = register
        self.messageCode = messageCode
        self.payload = payload
    }

    /// The ordering class of ``kind``.
    public var category: TLPCategory { kind.category }

    /// Whether Relaxed Ordering is set.
    public var isRelaxedOrdered: Bool { attributes.contains(.relaxedOrdering) }
}
