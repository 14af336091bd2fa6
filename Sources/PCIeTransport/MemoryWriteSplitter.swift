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
        precondition(address & 3 == 0, "the write window must start DW-aligned")
        func enables(_ dw: Int) -> UInt8 { UInt8(truncatingIfNeeded: byteMask >> UInt64(dw * 4)) & 0xf }
        var first = 0
        while first < 16 {
            guard enables(first) != 0 else {
                first += 1
                continue
            }
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
            var payload = TLPPayload()
            for dw in first...last {
                let word = UInt32(truncatingIfNeeded: data[dw / 2] >> UInt64(dw % 2 * 32))
                payload.append(dword: word & bytesSelected(by: enables(dw)))
            }
            try body(
                .memoryWrite(
                    address: start, firstByteEnables: enables(first), lastByteEnables: last == first ? 0 : enables(last),
                    payload: payload, requester: requester, attributes: attributes, trafficClass: trafficClass
                )
            )
            first = last + 1
        }
    }

    /// The 32-bit mask of the bytes a 4-bit byte-enable value selects, e.g. 0101b → 0x00ff00ff.
    static func bytesSelected(by enables: UInt8) -> UInt32 {
        var mask: UInt32 = 0
        for byte in 0..<4 where enables >> byte & 1 == 1 { mask |= 0xff << UInt32(byte * 8) }
        return mask
    }
}
