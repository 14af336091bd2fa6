/// A TLP's data payload: an ``AccessValue`` (up to 64 bytes, inline: no allocation per TLP) and
/// how many of its bytes are on the wire.
///
/// Byte `i` is the `i`-th byte on the wire, the one at the lowest address plus `i`; it lives in
/// bits `8 * (i % 8)` of `words[i / 8]` (little-endian, as an Arm store lays out its register).
/// 64 bytes is one cache line, the most a CPU store or load produces in one TLP. Bytes at and
/// beyond ``count`` are always zero, so equal payloads compare equal.
public struct TLPPayload: Hashable, Sendable {
    /// The most bytes a payload holds.
    public static let capacity = 64

    /// The bytes, as the access that carries them.
    public private(set) var value: AccessValue
    /// The number of bytes, 0 through 64.
    public private(set) var count: Int

    /// An empty payload.
    public init() {
        value = .zero
        count = 0
    }

    /// The bytes, eight per word, little-endian.
    public var words: SIMD8<UInt64> { value.words }

    /// The first `count` bytes of `value`.
    public init(_ value: AccessValue, count: Int) {
        self.init(words: value.words, count: count)
    }

    /// The first `count` bytes of `words` (the rest are cleared).
    public init(words: SIMD8<UInt64>, count: Int) {
        precondition((0...Self.capacity).contains(count), "a payload holds 0 to 64 bytes")
        var kept = words
        for index in 0..<8 {
            let bytes = min(max(count - index * 8, 0), 8)
            kept[index] &= bytes == 8 ? ~0 : (1 &<< UInt64(bytes * 8)) &- 1
        }
        value = AccessValue(words: kept)
        self.count = count
    }

    /// One DW, its least significant byte first on the wire.
    public init(dword: UInt32) {
        self.init(words: SIMD8(UInt64(dword), 0, 0, 0, 0, 0, 0, 0), count: 4)
    }

    /// The bytes of `bytes`, at most 64.
    public init(_ bytes: some Collection<UInt8>) {
        precondition(bytes.count <= Self.capacity, "a payload holds at most 64 bytes")
        var words = SIMD8<UInt64>.zero
        for (index, byte) in bytes.enumerated() {
            words[index / 8] |= UInt64(byte) << UInt64(index % 8 * 8)
        }
        self.init(words: words, count: bytes.count)
    }

    /// The number of whole DWs (``count`` / 4, rounded up).
    public var dwordCount: Int { (count + 3) / 4 }

    /// Byte `index` (below ``count``).
    public subscript(index: Int) -> UInt8 {
        precondition(index >= 0 && index < count, "payload byte \(index) out of range")
        return value.byte(index)
    }

    /// DW `index`, bytes `4 * index ..< 4 * index + 4` with the first one least significant.
    public func dword(_ index: Int) -> UInt32 {
        precondition(index >= 0 && index < dwordCount, "payload DW \(index) out of range")
        return UInt32(truncatingIfNeeded: words[index / 2] >> UInt64(index % 2 * 32))
    }

    /// Appends one DW (the payload must have room and hold whole DWs).
    mutating func append(dword: UInt32) {
        precondition(count % 4 == 0 && count + 4 <= Self.capacity, "no room for another DW")
        value.words[count / 8] |= UInt64(dword) << UInt64(count % 8 * 8)
        count += 4
    }

    /// The bytes as an array, for pcap output and tests (allocates).
    public var bytes: [UInt8] { (0..<count).map { self[$0] } }
}
