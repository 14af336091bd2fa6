/// Declared names (regions or devices) packed into one byte buffer, with per-name values, so the
/// event loop can look a name up without touching reference-counted storage.
///
/// Owned by its reader: ``deallocate()`` must be called exactly once.
struct NameTable {
    private let bytes: UnsafeMutableBufferPointer<UInt8>
    private let starts: UnsafeMutableBufferPointer<Int>
    /// One value per name (a region's base address; unused for devices).
    let values: UnsafeMutablePointer<UInt64>
    let count: Int

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
    }

    func deallocate() {
        bytes.deallocate()
        starts.deallocate()
        values.deallocate()
    }

    /// The index of the name spelled by `range` of the scanner's line, starting the search at
    /// `hint` (the previous match: consecutive events usually name the same region).
    @inline(__always)
    func find(_ scanner: ByteScanner, _ range: Range<Int>, hint: Int = 0) -> Int? {
        let n = count
        guard n > 0 else { return nil }
        var i = hint < n ? hint : 0
        for _ in 0..<n {
            let start = starts[i], length = starts[i + 1] - start
            if length == range.count, memoryEqual(scanner, range.lowerBound, start, length) { return i }
            i = i + 1 == n ? 0 : i + 1
        }
        return nil
    }

    @inline(__always)
    private func memoryEqual(_ scanner: ByteScanner, _ at: Int, _ start: Int, _ length: Int) -> Bool {
        for k in 0..<length where scanner.bytes[at + k] != bytes[start + k] { return false }
        return true
    }
}
