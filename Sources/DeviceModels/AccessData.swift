/// The bytes of one access, up to 64, as a little-endian integer: byte `i` (at offset + i) is
/// bits `8i ..< 8i+8`. Stored inline so that handling an access never allocates; the layout is
/// that of `MMIOTrace.AccessValue`, so the two convert through ``words``.
public struct AccessData: Hashable, Sendable {
    /// Eight 64-bit words, least significant first.
    public var words: SIMD8<UInt64>

    @inlinable public init(words: SIMD8<UInt64>) { self.words = words }

    /// The value in the low 64 bits, all other bytes zero.
    @inlinable public init(_ value: UInt64) {
        var words = SIMD8<UInt64>()
        words[0] = value
        self.words = words
    }

    /// Bytes `0..<bytes.count` from `bytes` (at most 64).
    public init(bytes: [UInt8]) {
        precondition(bytes.count <= 64, "an access carries at most 64 bytes")
        self.init(words: SIMD8<UInt64>())
        for (i, b) in bytes.enumerated() { setByte(i, b) }
    }

    public static let zero = AccessData(0)

    /// The low 64 bits.
    @inlinable public var low64: UInt64 { words[0] }

    /// Byte `i` (0 = least significant).
    @inlinable public func byte(_ i: Int) -> UInt8 { UInt8(truncatingIfNeeded: words[i >> 3] >> UInt64((i & 7) * 8)) }

    /// Sets byte `i` (0 = least significant).
    @inlinable public mutating func setByte(_ i: Int, _ b: UInt8) {
        let shift = UInt64((i & 7) * 8)
        words[i >> 3] = (words[i >> 3] & ~(0xff << shift)) | UInt64(b) << shift
    }
}
