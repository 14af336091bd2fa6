#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Declared names (regions or devices) packed into one byte buffer, with per-name values and an
/// open-addressing hash index, so the event loop can look a name up in constant time without
/// touching reference-counted storage.
///
/// Owned by its reader: ``deallocate()`` must be called exactly once.
struct NameTable {
    private let bytes: UnsafeMutableBufferPointer<UInt8>
    private let starts: UnsafeMutableBufferPointer<Int>
    /// Name indices by hash (FNV-1a of the name's bytes), linear probing; -1 is empty. A power of
    /// two at least twice the names.
    private let slots: UnsafeMutableBufferPointer<Int32>
    /// One value per name (a region's base address; unused for devices).
    let values: UnsafeMutablePointer<UInt64>
    let count: Int

    /// - Precondition: `names` are distinct (the reader refuses a name declared twice).
    init(names: [String], values: [UInt64]) {
        let total = names.reduce(0) { $0 + $1.utf8.count }
        bytes = .allocate(capacity: max(total, 1))
        starts = .allocate(capacity: names.count + 1)
        count = names.count
        self.values = .allocate(capacity: max(names.count, 1))
        var offset = 0
        for (i, name) in names.enumerated() {
            starts[i] = offset
            for b in name.utf8 {
                bytes[offset] = b
                offset += 1
            }
        }
        starts[names.count] = offset
        for i in 0..<names.count { self.values[i] = i < values.count ? values[i] : 0 }
        var capacity = 2
        while capacity < 2 * names.count { capacity *= 2 }
        slots = .allocate(capacity: capacity)
        slots.initialize(repeating: -1)
        let mask = capacity - 1
        for i in 0..<names.count {
            var j = Self.hash(bytes.baseAddress! + starts[i], starts[i + 1] - starts[i]) & mask
            while slots[j] >= 0 { j = (j + 1) & mask }
            slots[j] = Int32(i)
        }
    }

    func deallocate() {
        bytes.deallocate()
        starts.deallocate()
        slots.deallocate()
        values.deallocate()
    }

    /// The index of the name spelled by `range` of the scanner's line, `hint` (the previous
    /// match: consecutive events usually name the same region) tried first.
    @inline(__always)
    func find(_ scanner: ByteScanner, _ range: Range<Int>, hint: Int = 0) -> Int? {
        guard count > 0 else { return nil }
        if hint < count, matches(scanner, range, hint) { return hint }
        let mask = slots.count - 1
        var j = Self.hash(scanner.bytes.baseAddress! + range.lowerBound, range.count) & mask
        while slots[j] >= 0 {
            let i = Int(slots[j])
            if matches(scanner, range, i) { return i }
            j = (j + 1) & mask
        }
        return nil
    }

    @inline(__always)
    private func matches(_ scanner: ByteScanner, _ range: Range<Int>, _ i: Int) -> Bool {
        let start = starts[i], length = starts[i + 1] - start
        guard length == range.count else { return false }
        return memcmp(scanner.bytes.baseAddress! + range.lowerBound, bytes.baseAddress! + start, length) == 0
    }

    /// A multiplicative hash of `count` bytes at `start`, a word at a time (names are short; the
    /// event loop hashes one whenever an access names another region than the one before).
    @inline(__always)
    private static func hash(_ start: UnsafePointer<UInt8>, _ count: Int) -> Int {
        let multiplier: UInt64 = 0x9e37_79b9_7f4a_7c15
        var h = UInt64(truncatingIfNeeded: count) &* multiplier
        var k = 0
        while k + 8 <= count {
            h = (h ^ UnsafeRawPointer(start + k).loadUnaligned(as: UInt64.self)) &* multiplier
            h ^= h >> 29
            k += 8
        }
        var tail: UInt64 = 0
        for i in k..<count { tail |= UInt64(start[i]) << UInt64(8 * (i - k)) }
        h = (h ^ tail) &* multiplier
        return Int(truncatingIfNeeded: h ^ (h >> 32))
    }
}
