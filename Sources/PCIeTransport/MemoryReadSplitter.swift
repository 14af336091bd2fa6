/// Turns a read of a contiguous byte range into MRd TLPs: one when it fits, otherwise split at
/// Max_Read_Request_Size and 4 KiB boundaries ("Memory, I/O, and Configuration Request Rules").
///
/// Each TLP covers as many DWs as the limits allow from where the previous one ended (the
/// fewest TLPs); byte enables mark the requested bytes of its first and last DW.
public enum MemoryReadSplitter {
    /// Calls `body` with each MRd TLP for `byteCount` bytes at `address`, in address order.
    /// Does not allocate.
    ///
    /// A `byteCount` of 0 gives one zero-length read (1 DW, First DW BE 0000b), the flush idiom
    /// of "Zero-Length Read".
    ///
    /// - Parameters:
    ///   - address: The first byte; any alignment.
    ///   - byteCount: The number of bytes, 0 or more.
    ///   - limits: Max_Read_Request_Size.
    ///   - requester: The Requester ID of the TLPs.
    ///   - attributes: Relaxed Ordering / No Snoop for every TLP.
    ///   - trafficClass: The TC of every TLP.
    ///   - nextTag: Supplies each TLP's tag; tag allocation is the requester's state, not the
    ///     packet's.
    ///   - body: Receives each TLP.
    public static func split<Failure: Error>(
        address: UInt64, byteCount: Int, limits: TransferLimits = TransferLimits(), requester: PCIAddress,
        attributes: TLPAttributes = [], trafficClass: UInt8 = 0,
        nextTag: () -> UInt16, _ body: (TLP) throws(Failure) -> Void
    ) throws(Failure) {
        precondition(byteCount >= 0, "a read covers zero or more bytes")
        if byteCount == 0 {
            try body(
                .memoryRead(
                    address: address & ~3, length: 1, firstByteEnables: 0, lastByteEnables: 0, requester: requester,
                    tag: nextTag(), attributes: attributes, trafficClass: trafficClass
                )
            )
            return
        }
        let end = address + UInt64(byteCount)
        var current = address
        while current < end {
            let start = current & ~3
            let maxLength = TransferLimits.dwordLimit(at: start, bytes: limits.maxReadRequestSize)
            let stop = min(end, start + UInt64(maxLength * 4))
            let length = Int((stop - start + 3) / 4)
            var first = UInt8(0xf << (current & 3) & 0xf)
            var last = UInt8(0xf >> (3 - (stop - 1) & 3))
            if length == 1 {
                first &= last
                last = 0
            }
            try body(
                .memoryRead(
                    address: start, length: length, firstByteEnables: first, lastByteEnables: last, requester: requester,
                    tag: nextTag(), attributes: attributes, trafficClass: trafficClass
                )
            )
            current = stop
        }
    }
}
