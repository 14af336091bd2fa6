/// The data of one access, up to 64 bytes, as a little-endian integer: byte `i` of the access
/// (at address + i) is bits `8i ..< 8i+8`. Stored inline so that events never allocate. The one
/// type for access data: trace events, device models and TLP payloads all carry it.
public struct AccessValue: Hashable, Sendable, BitwiseCopyable {
    /// Eight 64-bit words, least significant first.
    public var words: SIMD8<UInt64>

    @inlinable public init(words: SIMD8<UInt64>) { self.words = words }
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

    public static let zero = AccessValue(0)

    /// The low 64 bits.
    @inlinable public var low64: UInt64 { words[0] }

    /// The number of significant bytes (0 for zero).
    public var significantBytes: Int {
        for w in stride(from: 7, through: 0, by: -1) where words[w] != 0 {
            return w * 8 + (71 - words[w].leadingZeroBitCount) / 8
        }
        return 0
    }

    /// Whether the value fits in an access of `size` bytes.
    @inlinable public func fits(inBytes size: Int) -> Bool { significantBytes <= size }

    /// Byte `i` (0 = least significant).
    @inlinable public func byte(_ i: Int) -> UInt8 { UInt8(truncatingIfNeeded: words[i >> 3] >> UInt64((i & 7) * 8)) }

    /// Sets byte `i` (0 = least significant).
    @inlinable public mutating func setByte(_ i: Int, _ b: UInt8) {
        let shift = UInt64((i & 7) * 8)
        words[i >> 3] = (words[i >> 3] & ~(0xff << shift)) | UInt64(b) << shift
    }
}

extension AccessValue: CustomStringConvertible {
    /// `0x` followed by lower-case hex digits without leading zeros (`0x0` for zero).
    public var description: String {
        var out = "0x"
        var started = false
        for w in stride(from: 7, through: 0, by: -1) {
            let word = words[w]
            if !started {
                guard word != 0 || w == 0 else { continue }
                out += String(word, radix: 16)
                started = true
            } else {
                let s = String(word, radix: 16)
                out += String(repeating: "0", count: 16 - s.count) + s
            }
        }
        return out
    }
}
