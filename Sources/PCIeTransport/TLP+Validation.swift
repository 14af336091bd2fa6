extension TLP {
    /// Checks the PCIe Base Spec rules for this TLP's kind; decoding applies the same checks.
    ///
    /// Memory requests: Length 1–1024, a DW-aligned address in the 3DW form below 4 GiB and the
    /// 4DW form otherwise, no 4 KiB crossing, and the byte-enable rules of "First/Last DW Byte
    /// Enables Rules" (see ``isValidByteEnables(first:last:length:address:)``). Configuration
    /// requests: TC 0, no attributes, Length 1, Last DW BE 0. Data TLPs: a payload of exactly
    /// Length DW, at most 64 bytes. Completions: Byte Count 1–4096.
    ///
    /// - Throws: ``TLPFormatError`` naming the first rule broken and the header byte at fault.
    public func validate() throws(TLPFormatError) {
        guard trafficClass < 8 else {
            throw TLPFormatError(.fieldOutOfRange, at: 1, "traffic class \(trafficClass) is above 7")
        }
        guard tag < 1024 else { throw TLPFormatError(.fieldOutOfRange, at: 6, "tag \(tag) does not fit 10 bits") }
        guard firstByteEnables < 16, lastByteEnables < 16 else {
            throw TLPFormatError(.fieldOutOfRange, at: 7, "byte enables are 4-bit fields")
        }
        if kind.hasData {
            guard (1...1024).contains(length), payload.count == length * 4 else {
                throw TLPFormatError(
                    .payloadLength, at: 3,
                    "Length is \(length) DW but the payload holds \(payload.count) bytes; a \(kind.mnemonic) carries exactly Length DW (at most \(TLPPayload.capacity / 4) here)"
                )
            }
        } else if payload.count != 0 {
            throw TLPFormatError(.payloadLength, at: 0, "a \(kind.mnemonic) carries no data, but the payload holds \(payload.count) bytes")
        }
        switch kind {
        case .memoryRead32, .memoryRead64, .memoryWrite32, .memoryWrite64:
            try validateMemoryRequest()
        case .configRead0, .configWrite0:
            guard trafficClass == 0, attributes.isEmpty else {
                throw TLPFormatError(.configurationFields, at: 1, "configuration requests use TC 0 and no attributes")
            }
            guard length == 1, lastByteEnables == 0 else {
                throw TLPFormatError(.configurationFields, at: 3, "configuration requests have Length 1 and Last DW BE 0000b")
            }
            guard register < 1024 else {
                throw TLPFormatError(.fieldOutOfRange, at: 10, "register \(register) is above 1023 (byte offset 0xffc)")
            }
        case .completion, .completionWithData:
            guard (1...4096).contains(byteCount) else {
                throw TLPFormatError(.fieldOutOfRange, at: 6, "byte count \(byteCount) is outside 1...4096")
            }
            guard lowerAddress < 0x80 else {
                throw TLPFormatError(.fieldOutOfRange, at: 11, "lower address 0x\(String(lowerAddress, radix: 16)) does not fit 7 bits")
            }
            if kind == .completion, length != 0 {
                throw TLPFormatError(.payloadLength, at: 3, "a Cpl carries no data; its Length is 0")
            }
        case .message, .messageWithData:
            if kind == .message(.byAddress) || kind == .messageWithData(.byAddress), address & 3 != 0 {
                throw TLPFormatError(.addressFormat, at: 15, "address 0x\(String(address, radix: 16)) is not DW-aligned")
            }
            if !kind.hasData, length != 0 {
                throw TLPFormatError(.payloadLength, at: 3, "a Msg without data has Length 0")
            }
        }
    }

    private func validateMemoryRequest() throws(TLPFormatError) {
        let addressOffset = kind.headerByteCount - 1
        guard (1...1024).contains(length) else {
            throw TLPFormatError(.fieldOutOfRange, at: 3, "Length \(length) DW is outside 1...1024")
        }
        guard address & 3 == 0 else {
            throw TLPFormatError(.addressFormat, at: addressOffset, "address 0x\(String(address, radix: 16)) is not DW-aligned")
        }
        let is64 = kind == .memoryRead64 || kind == .memoryWrite64
        guard is64 == (address > Self.largest32BitAddress) else {
            throw TLPFormatError(
                .addressFormat, at: 0,
                is64 ? "a 4DW header for address 0x\(String(address, radix: 16)) below 4 GiB; requesters use the 3DW form there"
                    : "a 3DW header cannot carry address 0x\(String(address, radix: 16))"
            )
        }
        guard Int(address & 0xfff) + length * 4 <= 4096 else {
            throw TLPFormatError(
                .crosses4KiB, at: addressOffset,
                "\(length) DW at 0x\(String(address, radix: 16)) cross a 4 KiB boundary; split the request there"
            )
        }
        guard Self.isValidByteEnables(first: firstByteEnables, last: lastByteEnables, length: length, address: address) else {
            throw TLPFormatError(
                .byteEnables, at: 7,
                "First DW BE \(Self.binary(firstByteEnables)) and Last DW BE \(Self.binary(lastByteEnables)) are not allowed for \(length) DW at 0x\(String(address, radix: 16))"
            )
        }
    }

    /// Whether `first`/`last` byte enables are legal for a memory request of `length` DW at
    /// `address` ("First/Last DW Byte Enables Rules"):
    ///
    /// - 1 DW: Last DW BE is 0000b; First DW BE is anything, even non-contiguous or 0000b
    ///   (a zero-length request).
    /// - 2 DW at a QW-aligned address: both non-zero, non-contiguous allowed.
    /// - otherwise: both non-zero and the enabled bytes contiguous with the DWs between: First DW
    ///   BE enables up to byte 3 (1000b, 1100b, 1110b, 1111b), Last DW BE from byte 0 (0001b,
    ///   0011b, 0111b, 1111b).
    public static func isValidByteEnables(first: UInt8, last: UInt8, length: Int, address: UInt64) -> Bool {
        if length == 1 { return last == 0 }
        guard first != 0, last != 0 else { return false }
        if length == 2, address & 7 == 0 { return true }
        return isContiguousToTop(first) && isContiguousFromBottom(last)
    }

    /// 1000b, 1100b, 1110b or 1111b: enabled bytes run up to byte 3 without a gap.
    static func isContiguousToTop(_ enables: UInt8) -> Bool {
        enables != 0 && (enables | (enables &- 1)) & 0xf == 0xf
    }

    /// 0001b, 0011b, 0111b or 1111b: enabled bytes start at byte 0 without a gap.
    static func isContiguousFromBottom(_ enables: UInt8) -> Bool {
        enables != 0 && enables & (enables &+ 1) == 0
    }

    private static func binary(_ value: UInt8) -> String {
        let digits = String(value, radix: 2)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits + "b"
    }
}
