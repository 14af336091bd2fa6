import PCIeTransport

/// Receives every TLP the engine puts on a link, as real PCIe TLPs (for `replay --tlp-pcap`):
/// requests downstream when their transmission starts, completions and error messages upstream.
public protocol TLPObserver: AnyObject {
    /// - Parameters:
    ///   - tlp: The TLP, header fields and payload as on the wire.
    ///   - downstream: Root complex to device (requests), or device to root complex.
    ///   - timePs: When its transmission starts, in simulated picoseconds.
    func observe(_ tlp: TLP, downstream: Bool, timePs: UInt64)
}
