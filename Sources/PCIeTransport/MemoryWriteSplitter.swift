/// Turns one CPU write of up to 64 bytes (a cache line, or any write-combined burst) into the
/// fewest MWr TLPs the PCIe rules allow, in address order.
///
/// The rules ("First/Last DW Byte Enables Rules", "Memory, I/O, and Configuration Request
/// Rules"): a TLP covers a run of DWs; it writes exactly the valid bytes, so only its first and
/// last DW may be partial, and in a request of more than one DW those must be contiguous with
/// the DWs between them (first DW enabled up to byte 3, last DW from byte 0); a 1-DW request
/// may enable any bytes, a QW-aligned 2-DW one too where ``TransferLimits/nonContiguousQuadwordWrites``
/// allows it; a DW without valid bytes is never sent; a payload is at most Max_Payload_Size and
/// never crosses a 4 KiB boundary.
///
/// Taking the longest legal TLP from the lowest remaining valid DW is optimal: every shorter
/// run of a legal run is legal, so no other split needs fewer TLPs.
public enum MemoryWriteSplitter {
    /// One TLP of a split, described without building it (the replay needs only this unless
    /// someone observes the TLPs).
    public struct Piece: Hashable, Sendable {
        /// The first and last DW of the 16-DW window it carries.
        public var firstDW: Int
        public var lastDW: Int
        /// MWr32 or MWr64, by its address.
        public var kind: TLPKind
        /// The bytes of the window it writes (bit `i`: byte `i`).
        public var byteMask: UInt64
        /// Header and payload bytes: ``TLP/byteCountWithoutFraming`` of the TLP.
        public var byteCountWithoutFraming: Int
    }

    /// Calls `body` with each MWr TLP for the bytes of `data` selected by `byteMask`, written at
    /// `address`, in address order. Does not allocate.
    ///
    /// - Parameters:
    ///   - address: The address of byte 0 of `data`, DW-aligned (normally a 64-byte-aligned line).
    ///   - byteMask: Bit `i` set when byte `i` (at `address + i`) is written.
    ///   - data: 64 bytes, byte `i` in bits `8 * (i % 8)` of `data[i / 8]`; bytes outside
    ///     `byteMask` are ignored and sent as zero.
    ///   - limits: Max_Payload_Size and the byte-enable choice.
    ///   - requester: The Requester ID of the TLPs (the root port's for CPU writes).
    ///   - attributes: Relaxed Ordering / No Snoop for every TLP.
    ///   - trafficClass: The TC of every TLP.
    ///   - body: Receives each TLP.
    public static func split<Failure: Error>(
        address: UInt64, byteMask: UInt64, data: SIMD8<UInt64>, limits: TransferLimits = TransferLimits(),
        requester: PCIAddress, attributes: TLPAttributes = [], trafficClass: UInt8 = 0,
        _ body: (TLP) throws(Failure) -> Void
    ) throws(Failure) {
        try pieces(address: address, byteMask: byteMask, limits: limits) { (piece: Piece) throws(Failure) in
            try body(tlp(piece, address: address, byteMask: byteMask, data: data, requester: requester, attributes: attributes,
                         trafficClass: trafficClass))
        }
    }

    /// Calls `body` with each TLP ``split(address:byteMask:data:limits:requester:attributes:trafficClass:_:)``
    /// would make, as a ``Piece``, in the same order.
    public static func pieces<Failure: Error>(
        address: UInt64, byteMask: UInt64, limits: TransferLimits = TransferLimits(), _ body: (Piece) throws(Failure) -> Void
    ) throws(Failure) {
        precondition(address & 3 == 0, "the write window must start DW-aligned")
        let enables = { (dw: Int) in byteEnables(byteMask, dw: dw) }
        // The bytes not in a TLP yet: each TLP starts at the first DW with any of them.
        var remaining = byteMask
        while remaining != 0 {
            let first = remaining.trailingZeroBitCount / 4
            let start = address &+ UInt64(first * 4)
            let maxLength = TransferLimits.dwordLimit(at: start, bytes: limits.maxPayloadSize)
            var last = first
            var middlesFull = true  // every DW strictly between `first` and `last + 1` is full
            while last + 1 < 16, last + 2 - first <= maxLength {
                let next = last + 1
                if next - first >= 2 { middlesFull = middlesFull && enables(last) == 0xf }
                let length = next - first + 1
                let legal =
                    enables(next) != 0
                    && (length == 2 && limits.nonContiguousQuadwordWrites && start & 7 == 0
                        || middlesFull && TLP.isContiguousToTop(enables(first)) && TLP.isContiguousFromBottom(enables(next)))
                guard legal else { break }
                last = next
            }
            // Its middle DWs are full, so its bytes are the mask's within its DWs.
            let end = (last + 1) * 4
            let window = (end == 64 ? UInt64.max : (1 << UInt64(end)) - 1) & ~((1 << UInt64(first * 4)) - 1)
            let kind: TLPKind = start > TLP.largest32BitAddress ? .memoryWrite64 : .memoryWrite32
            try body(Piece(firstDW: first, lastDW: last, kind: kind, byteMask: byteMask & window,
                           byteCountWithoutFraming: kind.headerByteCount + 4 * (last - first + 1)))
            remaining = end == 64 ? 0 : byteMask & ~((1 << UInt64(end)) - 1)
        }
    }

    /// The TLP of `piece` of the split of `byteMask` at `address`.
    public static func tlp(_ piece: Piece, address: UInt64, byteMask: UInt64, data: SIMD8<UInt64>, requester: PCIAddress,
                           attributes: TLPAttributes = [], trafficClass: UInt8 = 0) -> TLP {
        let enables = { (dw: Int) in byteEnables(byteMask, dw: dw) }
        var payload = TLPPayload()
        for dw in piece.firstDW...piece.lastDW {
            let word = UInt32(truncatingIfNeeded: data[dw / 2] >> UInt64(dw % 2 * 32))
            payload.append(dword: word & bytesSelected(by: enables(dw)))
        }
        return .memoryWrite(
            address: address &+ UInt64(piece.firstDW * 4), firstByteEnables: enables(piece.firstDW),
            lastByteEnables: piece.lastDW == piece.firstDW ? 0 : enables(piece.lastDW),
            payload: payload, requester: requester, attributes: attributes, trafficClass: trafficClass
        )
    }

    /// The byte enables of DW `dw` of the window: its 4 bits of `byteMask`.
    @inline(__always)
    static func byteEnables(_ byteMask: UInt64, dw: Int) -> UInt8 { UInt8(truncatingIfNeeded: byteMask >> UInt64(dw * 4)) & 0xf }

    /// The 32-bit mask of the bytes a 4-bit byte-enable value selects, e.g. 0101b → 0x00ff00ff.
    static func bytesSelected(by enables: UInt8) -> UInt32 {
        var mask: UInt32 = 0
        for byte in 0..<4 where enables >> byte & 1 == 1 { mask |= 0xff << UInt32(byte * 8) }
        return mask
    }
}
