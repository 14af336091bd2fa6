/// A TLP header as it goes on the wire: 12 bytes (3DW) or 16 bytes (4DW), stored inline.
///
/// Byte 0 is transmitted first; within each DW the most significant byte comes first, which is
/// how the PCIe Base Spec draws headers ("Common Packet Header Fields").
public struct TLPHeader: Hashable, Sendable {
    /// The bytes; those at and beyond ``count`` are zero.
    public private(set) var storage: SIMD16<UInt8>
    /// 12 or 16.
    public let count: Int

    /// An all-zero header of `count` (12 or 16) bytes.
    init(count: Int) {
        storage = .zero
        self.count = count
    }

    /// Byte `index` (below ``count``).
    public subscript(index: Int) -> UInt8 {
        precondition(index >= 0 && index < count, "header byte \(index) out of range")
        return storage[index]
    }

    /// Stores `value` as DW `index`, most significant byte first.
    mutating func setDW(_ index: Int, _ value: UInt32) {
        for byte in 0..<4 {
            storage[index * 4 + byte] = UInt8(truncatingIfNeeded: value >> UInt32(24 - byte * 8))
        }
    }

    /// The bytes as an array, for pcap output and tests (allocates).
    public var bytes: [UInt8] { (0..<count).map { storage[$0] } }
}
