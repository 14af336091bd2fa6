extension TLP {
    /// Decodes one whole TLP (header, payload, digest) from `bytes`, as ``bytes`` encodes it.
    ///
    /// Reserved bits are ignored, as receivers must ("Reserved" in the conventions chapter).
    /// The result is checked with ``validate()``. Does not allocate.
    ///
    /// - Throws: ``TLPFormatError`` for too few or too many bytes, a kind or header feature this
    ///   model does not represent, a reserved completion status, or a broken rule.
    public init<Bytes: RandomAccessCollection<UInt8>>(decoding bytes: Bytes) throws(TLPFormatError) {
        func byte(_ offset: Int) -> UInt8 { bytes[bytes.index(bytes.startIndex, offsetBy: offset)] }
        func dw(_ index: Int) -> UInt32 {
            (0..<4).reduce(0) { $0 << 8 | UInt32(byte(index * 4 + $1)) }
        }
        guard bytes.count >= 4 else {
            throw TLPFormatError(.truncated, at: bytes.count, "\(bytes.count) bytes are too few for a TLP header")
        }
        guard let kind = TLPKind(fmtType: byte(0)) else {
            throw TLPFormatError(
                .unsupportedType, at: 0,
                "Fmt/Type 0x\(String(byte(0), radix: 16)) is not MRd, MWr, CfgRd0, CfgWr0, Cpl, CplD or Msg"
            )
        }
        let headerCount = kind.headerByteCount
        guard bytes.count >= headerCount else {
            throw TLPFormatError(.truncated, at: bytes.count, "a \(kind.mnemonic) header is \(headerCount) bytes, found \(bytes.count)")
        }
        let dw0 = dw(0)
        guard dw0 & 0x0007_0000 == 0 else {
            throw TLPFormatError(.unsupportedField, at: 1, "ID-Based Ordering, LN and TH are not modelled (byte 1 bits 2:0)")
        }
        guard dw0 & 0x0000_0c00 == 0 else {
            throw TLPFormatError(.unsupportedField, at: 2, "Address Type (AT, byte 2 bits 3:2) other than 00b is not modelled")
        }
        let lengthField = Int(dw0 & 0x3ff)
        let dataLength = lengthField == 0 ? 1024 : lengthField
        self.init(
            kind: kind, trafficClass: UInt8(dw0 >> 20 & 0x7),
            attributes: TLPAttributes(rawValue: UInt8(dw0 >> 12 & 0x3)), isPoisoned: dw0 & 0x4000 != 0,
            tag: UInt16(dw0 >> 23 & 1) << 9 | UInt16(dw0 >> 19 & 1) << 8
        )
        let dw1 = dw(1)
        let dw2 = dw(2)
        switch kind {
        case .memoryRead32, .memoryRead64, .memoryWrite32, .memoryWrite64, .configRead0, .configWrite0:
            length = dataLength
            requesterID = PCIAddress(routingID: UInt16(dw1 >> 16))
            tag |= UInt16(dw1 >> 8 & 0xff)
            firstByteEnables = UInt8(dw1 & 0xf)
            lastByteEnables = UInt8(dw1 >> 4 & 0xf)
            switch kind {
            case .memoryRead32, .memoryWrite32: address = UInt64(dw2 & ~3)
            case .memoryRead64, .memoryWrite64: address = UInt64(dw2) << 32 | UInt64(dw(3) & ~3)
            default:
                targetID = PCIAddress(routingID: UInt16(dw2 >> 16))
                register = UInt16(dw2 >> 8 & 0xf) << 6 | UInt16(dw2 >> 2 & 0x3f)
            }
        case .completion, .completionWithData:
            length = kind.hasData ? dataLength : 0
            completerID = PCIAddress(routingID: UInt16(dw1 >> 16))
            guard let status = CompletionStatus(rawValue: UInt8(dw1 >> 13 & 0x7)) else {
                throw TLPFormatError(.reservedStatus, at: 6, "Completion Status \(dw1 >> 13 & 0x7) is reserved (SC 0, UR 1, CRS 2, CA 4)")
            }
            completionStatus = status
            byteCountModified = dw1 & 0x1000 != 0
            let byteCountField = Int(dw1 & 0xfff)
            byteCount = byteCountField == 0 ? 4096 : byteCountField
            requesterID = PCIAddress(routingID: UInt16(dw2 >> 16))
            tag |= UInt16(dw2 >> 8 & 0xff)
            lowerAddress = UInt8(dw2 & 0x7f)
        case .message(let routing), .messageWithData(let routing):
            length = kind.hasData ? dataLength : 0
            requesterID = PCIAddress(routingID: UInt16(dw1 >> 16))
            tag |= UInt16(dw1 >> 8 & 0xff)
            messageCode = MessageCode(rawValue: UInt8(dw1 & 0xff))
            switch routing {
            case .byAddress: address = UInt64(dw2) << 32 | UInt64(dw(3) & ~3)
            case .byID: targetID = PCIAddress(routingID: UInt16(dw2 >> 16))
            case .toRootComplex, .broadcastFromRootComplex, .local, .gatheredToRootComplex: break
            }
        }
        var end = headerCount
        if kind.hasData {
            guard length * 4 <= TLPPayload.capacity else {
                throw TLPFormatError(
                    .payloadLength, at: 3,
                    "a payload of \(length) DW exceeds the \(TLPPayload.capacity / 4) DW this model holds inline"
                )
            }
            guard bytes.count >= end + length * 4 else {
                throw TLPFormatError(.truncated, at: bytes.count, "Length \(length) DW calls for \(length * 4) payload bytes after the header")
            }
            var words = SIMD8<UInt64>.zero
            for index in 0..<length * 4 {
                words[index / 8] |= UInt64(byte(end + index)) << UInt64(index % 8 * 8)
            }
            payload = TLPPayload(words: words, count: length * 4)
            end += length * 4
        }
        if dw0 & 0x8000 != 0 {
            guard bytes.count >= end + 4 else {
                throw TLPFormatError(.truncated, at: bytes.count, "TD is set but the 4-byte TLP Digest is missing")
            }
            digest = dw(end / 4)
            end += 4
        }
        guard bytes.count == end else {
            throw TLPFormatError(.trailingBytes, at: end, "\(bytes.count - end) bytes follow the TLP that Length and TD account for")
        }
        try validate()
    }
}
