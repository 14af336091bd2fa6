extension TLP {
    /// The header, byte-exact per the PCIe Base Spec layouts ("Memory, I/O, and Configuration
    /// Request Rules", "Completion Rules", "Message Request Rules"); fields a kind does not carry
    /// are left out, reserved bits are zero. Does not allocate.
    ///
    /// The TLP must satisfy ``validate()``; fields wider than their header field trap.
    public var header: TLPHeader {
        precondition(trafficClass < 8 && tag < 1024 && length <= 1024, "TLP field out of range: \(self)")
        var header = TLPHeader(count: kind.headerByteCount)
        var dw0 = UInt32(kind.fmtType) << 24
        dw0 |= UInt32(tag >> 9 & 1) << 23 | UInt32(trafficClass) << 20 | UInt32(tag >> 8 & 1) << 19
        dw0 |= (digest == nil ? 0 : 1) << 15 | (isPoisoned ? 1 : 0) << 14 | UInt32(attributes.rawValue & 0b11) << 12
        dw0 |= UInt32(length & 0x3ff)
        header.setDW(0, dw0)
        let tag8 = UInt32(tag & 0xff)
        switch kind {
        case .memoryRead32, .memoryWrite32:
            precondition(address <= Self.largest32BitAddress, "a 3DW memory request carries a 32-bit address")
            header.setDW(1, requestDW1(byte7: byteEnables))
            header.setDW(2, UInt32(truncatingIfNeeded: address) & ~3)
        case .memoryRead64, .memoryWrite64:
            header.setDW(1, requestDW1(byte7: byteEnables))
            header.setDW(2, UInt32(truncatingIfNeeded: address >> 32))
            header.setDW(3, UInt32(truncatingIfNeeded: address) & ~3)
        case .configRead0, .configWrite0:
            precondition(register < 1024, "a configuration register number has 10 bits")
            header.setDW(1, requestDW1(byte7: byteEnables))
            header.setDW(2, UInt32(targetID.routingID) << 16 | UInt32(register >> 6) << 8 | UInt32(register & 0x3f) << 2)
        case .completion, .completionWithData:
            precondition((1...4096).contains(byteCount), "a completion's byte count is 1 to 4096")
            header.setDW(1, UInt32(completerID.routingID) << 16 | UInt32(completionStatus.rawValue) << 13
                | (byteCountModified ? 1 : 0) << 12 | UInt32(byteCount & 0xfff))
            header.setDW(2, UInt32(requesterID.routingID) << 16 | tag8 << 8 | UInt32(lowerAddress & 0x7f))
        case .message(let routing), .messageWithData(let routing):
            header.setDW(1, requestDW1(byte7: messageCode.rawValue))
            switch routing {
            case .byAddress:
                header.setDW(2, UInt32(truncatingIfNeeded: address >> 32))
                header.setDW(3, UInt32(truncatingIfNeeded: address) & ~3)
            case .byID:
                header.setDW(2, UInt32(targetID.routingID) << 16)
            case .toRootComplex, .broadcastFromRootComplex, .local, .gatheredToRootComplex:
                break
            }
        }
        return header
    }

    /// Last DW BE in bits 7:4, First DW BE in bits 3:0: header byte 7 of a memory or
    /// configuration request.
    var byteEnables: UInt8 { (lastByteEnables & 0xf) << 4 | firstByteEnables & 0xf }

    /// Bytes 4–7 of a request header: Requester ID, Tag[7:0], then `byte7`.
    private func requestDW1(byte7: UInt8) -> UInt32 {
        UInt32(requesterID.routingID) << 16 | UInt32(tag & 0xff) << 8 | UInt32(byte7)
    }

    /// The TLP's size in bytes as the transaction layer hands it down: header, payload and,
    /// when TD is set, the 4-byte digest. Link framing comes on top (``LinkSignalling``).
    public var byteCountWithoutFraming: Int {
        kind.headerByteCount + (kind.hasData ? payload.count : 0) + (digest == nil ? 0 : 4)
    }

    /// Appends header, payload and digest (most significant byte first) to `buffer`; reusing
    /// one buffer avoids an allocation per TLP.
    public func append(to buffer: inout [UInt8]) {
        let header = header
        for index in 0..<header.count { buffer.append(header.storage[index]) }
        if kind.hasData {
            for index in 0..<payload.count { buffer.append(payload[index]) }
        }
        if let digest {
            for byte in 0..<4 { buffer.append(UInt8(truncatingIfNeeded: digest >> UInt32(24 - byte * 8))) }
        }
    }

    /// Header, payload and digest as a new array, e.g. for one pcap record.
    public var bytes: [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(byteCountWithoutFraming)
        append(to: &buffer)
        return buffer
    }
}
