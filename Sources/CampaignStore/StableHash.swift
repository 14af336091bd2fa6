/// A hash that is the same on every machine, run and Swift version (unlike `Hasher`): 64-bit
/// FNV-1a over UTF-8 bytes, each field followed by a 0 byte so that fields cannot run into
/// each other. Ids are its 16 lowercase hex digits.
///
/// 64 bits: a campaign of a million experiments has a chance of about 3·10⁻⁸ of two ids
/// colliding; the store refuses a colliding row with different content rather than losing one.
public struct StableHash: Sendable {
    /// The hash of everything added so far.
    public var value: UInt64 { state }
    @usableFromInline var state: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    public init(_ fields: [String]) {
        for field in fields { add(field) }
    }

    @inlinable public mutating func add(_ field: String) {
        if field.utf8.withContiguousStorageIfAvailable({ add(bytes: $0) }) == nil {
            add(bytes: field.utf8)
        }
        add(bytes: CollectionOfOne(0))
    }

    @inlinable public mutating func add(bytes: some Sequence<UInt8>) {
        for byte in bytes {
            state ^= UInt64(byte)
            state &*= 0x0000_0100_0000_01b3
        }
    }

    /// 16 lowercase hex digits.
    public var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
