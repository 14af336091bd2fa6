extension TLP {
    /// The largest address a 3DW memory request header can carry; above it requesters use 4DW
    /// ("Address-Based Routing Rules": addresses below 4 GiB must use the 32-bit format).
    static let largest32BitAddress: UInt64 = 0xffff_ffff

    /// A memory read of `length` DW at the DW-aligned `address`, MRd32 below 4 GiB and MRd64
    /// otherwise.
    public static func memoryRead(
        address: UInt64, length: Int, firstByteEnables: UInt8, lastByteEnables: UInt8,
        requester: PCIAddress, tag: UInt16, attributes: TLPAttributes = [], trafficClass: UInt8 = 0
    ) -> TLP {
        TLP(
            kind: address > largest32BitAddress ? .memoryRead64 : .memoryRead32, trafficClass: trafficClass,
            attributes: attributes, length: length, requesterID: requester, tag: tag,
            firstByteEnables: firstByteEnables, lastByteEnables: lastByteEnables, address: address
        )
    }

    /// A memory write of `payload` (whole DWs) at the DW-aligned `address`, MWr32 below 4 GiB
    /// and MWr64 otherwise. Posted writes need no tag; it defaults to 0.
    public static func memoryWrite(
        address: UInt64, firstByteEnables: UInt8, lastByteEnables: UInt8, payload: TLPPayload,
        requester: PCIAddress, tag: UInt16 = 0, attributes: TLPAttributes = [], trafficClass: UInt8 = 0
    ) -> TLP {
        TLP(
            kind: address > largest32BitAddress ? .memoryWrite64 : .memoryWrite32, trafficClass: trafficClass,
            attributes: attributes, length: payload.dwordCount, requesterID: requester, tag: tag,
            firstByteEnables: firstByteEnables, lastByteEnables: lastByteEnables, address: address, payload: payload
        )
    }

    /// A Type 0 configuration read of the DW `register` (byte offset / 4) of `target`.
    public static func configRead(
        target: PCIAddress, register: UInt16, firstByteEnables: UInt8, requester: PCIAddress, tag: UInt16
    ) -> TLP {
        TLP(
            kind: .configRead0, length: 1, requesterID: requester, tag: tag, firstByteEnables: firstByteEnables,
            targetID: target, register: register
        )
    }

    /// A Type 0 configuration write of `value` to the DW `register` (byte offset / 4) of
    /// `target`; `firstByteEnables` selects the bytes of `value` written (bit 0: its least
    /// significant byte, at the register's byte offset).
    public static func configWrite(
        target: PCIAddress, register: UInt16, firstByteEnables: UInt8, value: UInt32, requester: PCIAddress, tag: UInt16
    ) -> TLP {
        TLP(
            kind: .configWrite0, length: 1, requesterID: requester, tag: tag, firstByteEnables: firstByteEnables,
            targetID: target, register: register, payload: TLPPayload(dword: value)
        )
    }

    /// A completion without data (Cpl): the answer to a non-posted write, or a failed request.
    public static func completion(
        status: CompletionStatus, completer: PCIAddress, requester: PCIAddress, tag: UInt16, byteCount: Int,
        lowerAddress: UInt8 = 0, attributes: TLPAttributes = [], trafficClass: UInt8 = 0
    ) -> TLP {
        TLP(
            kind: .completion, trafficClass: trafficClass, attributes: attributes, requesterID: requester, tag: tag,
            completerID: completer, completionStatus: status, byteCount: byteCount, lowerAddress: lowerAddress
        )
    }

    /// A successful completion with data (CplD): `byteCount` bytes remain to be returned for the
    /// request, the first at `lowerAddress` (the low seven address bits of the first enabled
    /// byte).
    public static func completionWithData(
        completer: PCIAddress, requester: PCIAddress, tag: UInt16, byteCount: Int, lowerAddress: UInt8,
        payload: TLPPayload, attributes: TLPAttributes = [], trafficClass: UInt8 = 0
    ) -> TLP {
        TLP(
            kind: .completionWithData, trafficClass: trafficClass, attributes: attributes, length: payload.dwordCount,
            requesterID: requester, tag: tag, completerID: completer, byteCount: byteCount,
            lowerAddress: lowerAddress, payload: payload
        )
    }

    /// A message without data, e.g. `.message(.errorNonFatal, requester: device)`; error
    /// messages are routed to the root complex and use traffic class 0.
    public static func message(
        _ code: MessageCode, routing: MessageRouting = .toRootComplex, requester: PCIAddress, tag: UInt16 = 0
    ) -> TLP {
        TLP(kind: .message(routing), requesterID: requester, tag: tag, messageCode: code)
    }
}
