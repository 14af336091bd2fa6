/// The size limits a requester splits memory requests at, as a platform configures them.
///
/// Defaults are the reset values of the Device Control register (PCIe Base Spec, "Device
/// Control Register": Max_Payload_Size 000b = 128 bytes, Max_Read_Request_Size 010b = 512
/// bytes) and the conservative byte-enable choice.
public struct TransferLimits: Hashable, Sendable {
    /// Max_Payload_Size in bytes: 128 << n for n in 0...5 (128 to 4096).
    public var maxPayloadSize: Int
    /// Max_Read_Request_Size in bytes: 128 << n for n in 0...5 (128 to 4096).
    public var maxReadRequestSize: Int
    /// Whether the requester uses the one exception to contiguous byte enables: a QW-aligned
    /// 2-DW request may enable any bytes of both DWs ("First/Last DW Byte Enables Rules").
    /// Whether a root complex does so is an implementation choice **[model]**; false assumes it
    /// does not and can only cost TLPs, never produce an illegal one.
    public var nonContiguousQuadwordWrites: Bool

    public init(maxPayloadSize: Int = 128, maxReadRequestSize: Int = 512, nonContiguousQuadwordWrites: Bool = false) {
        precondition(Self.isEncodable(maxPayloadSize), "Max_Payload_Size is 128 << n bytes, n in 0...5")
        precondition(Self.isEncodable(maxReadRequestSize), "Max_Read_Request_Size is 128 << n bytes, n in 0...5")
        self.maxPayloadSize = maxPayloadSize
        self.maxReadRequestSize = maxReadRequestSize
        self.nonContiguousQuadwordWrites = nonContiguousQuadwordWrites
    }

    /// Whether `size` is one of 128, 256, ..., 4096.
    static func isEncodable(_ size: Int) -> Bool {
        (128...4096).contains(size) && size & (size - 1) == 0
    }

    /// The most DWs a request of at most `limit` bytes starting at the DW-aligned `address` may
    /// cover without crossing a 4 KiB boundary ("Memory, I/O, and Configuration Request Rules").
    static func dwordLimit(at address: UInt64, bytes limit: Int) -> Int {
        min(limit, 4096 - Int(address & 0xfff)) / 4
    }
}
