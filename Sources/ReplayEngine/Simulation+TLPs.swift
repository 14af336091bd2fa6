import PCIeTransport

/// The TLPs the root complex sends for a transaction (PCIeTransport does the splitting and
/// the byte counting; the engine only needs masks, sizes and kinds).
extension Simulation {
    /// The requester ID of CPU-originated requests: the root port (00:00.0).
    static let rootPortID = PCIeID(bus: 0, device: 0, function: 0)

    /// Calls `body` with each MWr TLP's byte mask within the line, its bytes on the wire and its
    /// kind, in address order.
    static func forEachWriteTLP(lineAddress: UInt64, mask: UInt64, data: SIMD8<UInt64>, timing: TransportTiming,
                                _ body: (UInt64, Int, TLPName) -> Void) {
        MemoryWriteSplitter.split(address: lineAddress, byteMask: mask, data: data, limits: TransferLimits(maxPayloadSize: timing.maxPayload),
                                  requester: rootPortID) { (tlp: TLP) in
            let first = Int(tlp.address - lineAddress)
            var tlpMask: UInt64 = 0
            for dw in 0..<tlp.length {
                let enables: UInt8 = dw == 0 ? tlp.firstByteEnables : dw == tlp.length - 1 ? tlp.lastByteEnables : 0xf
                tlpMask |= UInt64(enables) << UInt64(first + dw * 4)
            }
            body(tlpMask, tlp.byteCountWithoutFraming + timing.framingBytesPerTLP, tlp.kind == .memoryWrite32 ? .MWr32 : .MWr64)
        }
    }

    /// The MRd TLP of a read: its kind and bytes on the wire.
    func readRequestTLP(address: UInt64) -> (TLPName, Int) {
        let header = address >> 32 == 0 ? 12 : 16
        return (header == 12 ? .MRd32 : .MRd64, header + setup.timing.framingBytesPerTLP)
    }
}
