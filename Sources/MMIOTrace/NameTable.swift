#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Declared names (regions or devices; an importer's thread names) with dense ids in declaration
/// order: their bytes packed into one buffer and an open-addressing hash index over them, so that
/// a name is declared and looked up from the bytes of a line without building a `String` (a
/// `[String: ID]` dictionary hashed and rehashed `String`s: a fifth of reading a header of a
/// million devices).
public struct NameTable: Sendable {
    private var bytes: [UInt8] = []
    /// Where each name starts in `bytes`, and one more entry for the end of the last.
    private var starts: [Int] = [0]
    /// Name ids by hash, linear probing; -1 is empty. A power of two, at least twice the names.
    private var slots = [Int32](repeating: -1, count: 8)

    public init() {}

    public var count: Int { starts.count - 1 }

    /// Declares `name`; its id, or nil when it is declared already.
    public mutating func insert(_ name: UnsafeBufferPointer<UInt8>) -> Int? {
        if 2 * (count + 1) > slots.count { grow() }
        let mask = slots.count - 1
        var j = Self.hash(name) & mask
        while slots[j] >= 0 {
            if matches(name, Int(slots[j])) { return nil }
            j = (j + 1) & mask
        }
        slots[j] = Int32(count)
        bytes.append(contentsOf: name)
        starts.append(bytes.count)
        return count - 1
    }

    /// The id of `name`, if declared.
    public func find(_ name: UnsafeBufferPointer<UInt8>) -> Int? {
        let mask = slots.count - 1
        var j = Self.hash(name) & mask
        while slots[j] >= 0 {
            let i = Int(slots[j])
            if matches(name, i) { return i }
            j = (j + 1) & mask
        }
        return nil
    }

    /// The id of `name`, if declared; `hint` (a likely id: the previous match, say) tried first.
    public func find(_ name: UnsafeBufferPointer<UInt8>, hint: Int) -> Int? {
        if hint < count, matches(name, hint) { return hint }
        return find(name)
    }

    /// The id of `name`, if declared.
    func find(_ name: String) -> Int? {
        var name = name
        return name.withUTF8 { find($0) }
    }

    /// The id of the name spelled by `range` of the scanner's line, `hint` (the previous match:
    /// consecutive events usually name the same region) tried first.
    @inline(__always)
    func find(_ scanner: ByteScanner, _ range: Range<Int>, hint: Int = 0) -> Int? {
        find(UnsafeBufferPointer(rebasing: scanner.bytes[range]), hint: hint)
    }

    @inline(__always)
    private func matches(_ name: UnsafeBufferPointer<UInt8>, _ i: Int) -> Bool {
        let start = starts[i]
        guard starts[i + 1] - start == name.count else { return false }
        return bytes.withUnsafeBufferPointer { stored in
            name.isEmpty || memcmp(name.baseAddress!, stored.baseAddress! + start, name.count) == 0
        }
    }

    private mutating func grow() {
        slots = [Int32](repeating: -1, count: 2 * slots.count)
        let mask = slots.count - 1
        bytes.withUnsafeBufferPointer { stored in
            for i in 0..<count {
                var j = Self.hash(UnsafeBufferPointer(rebasing: stored[starts[i]..<starts[i + 1]])) & mask
                while slots[j] >= 0 { j = (j + 1) & mask }
                slots[j] = Int32(i)
            }
        }
    }

    /// A multiplicative hash of the bytes, a word at a time (names are short).
    @inline(__always)
    private static func hash(_ name: UnsafeBufferPointer<UInt8>) -> Int {
        let multiplier: UInt64 = 0x9e37_79b9_7f4a_7c15
        var h = UInt64(truncatingIfNeeded: name.count) &* multiplier
        var k = 0
        while k + 8 <= name.count {
            h = (h ^ UnsafeRawPointer(name.baseAddress! + k).loadUnaligned(as: UInt64.self)) &* multiplier
            h ^= h >> 29
            k += 8
        }
        var tail: UInt64 = 0
        for i in k..<name.count { tail |= UInt64(name[i]) << UInt64(8 * (i - k)) }
        h = (h ^ tail) &* multiplier
        return Int(truncatingIfNeeded: h ^ (h >> 32))
    }
}

/// Values found again from the bytes that name them (a capture's thread names, its mark texts):
/// each distinct name's value is made once, and later lines find it without building a `String`.
/// One per parser, so per parsing thread.
public struct NameMemo<Value: Sendable>: Sendable {
    @usableFromInline var names = NameTable()
    @usableFromInline var values: [Value] = []
    /// The previous name's id: runs of one name are common.
    @usableFromInline var last = 0

    public init() {}

    /// The value of `name`, made by `make` the first time.
    @inlinable
    public mutating func value(of name: UnsafeBufferPointer<UInt8>, make: () -> Value) -> Value {
        if let known = names.find(name, hint: last) {
            last = known
        } else {
            values.append(make())
            last = names.insert(name)!
        }
        return values[last]
    }
}
