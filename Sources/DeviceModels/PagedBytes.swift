import PCIeTransport

/// Zero-initialised bytes kept in pages of 4 KiB that copy on write one by one: a copy of the
/// whole (the device of a forked experiment) pays for the pages it changes, not for every byte.
/// Campaigns fork a device per experiment; copying its whole memory on the first write was a
/// twentieth of a worker's time.
struct PagedBytes: Hashable, Sendable {
    private static let pageShift = 12
    private static let pageMask = (1 << pageShift) - 1
    private var pages: ContiguousArray<ContiguousArray<UInt8>>

    /// `count` zero bytes; every page shares one zero buffer until written.
    init(zeros count: Int) {
        pages = ContiguousArray(repeating: ContiguousArray(repeating: 0, count: 1 << Self.pageShift),
                                count: (count + Self.pageMask) >> Self.pageShift)
    }

    /// Writes byte `i` of `data` at `start + i` for each `i` below `count` whose bit is set in
    /// `enables`; the pages are made unique once each, not once a byte, and a run of enabled
    /// bytes is copied whole.
    ///
    /// Byte `i` of a value is byte `i` of its little-endian words, read and written in place here:
    /// `byte(_:)` and `setByte(_:_:)` go through the vector's subscript, which copies the vector.
    mutating func write(_ data: AccessValue, count: Int, enables: UInt64, at start: Int) {
        withUnsafeBytes(of: data.words) { source in
            var i = 0
            while i < count {
                let page = (start + i) >> Self.pageShift, first = (start + i) & Self.pageMask
                let end = min(count, i + (Self.pageMask + 1 - first))
                let span: UInt64 = end - i == 64 ? .max : ((1 << UInt64(end - i)) - 1) << UInt64(i)
                pages[page].withUnsafeMutableBufferPointer { bytes in
                    if enables & span == span {
                        UnsafeMutableRawPointer(bytes.baseAddress! + first).copyMemory(from: source.baseAddress! + i, byteCount: end - i)
                    } else {
                        for j in i..<end where enables & (1 << UInt64(j)) != 0 { bytes[first + j - i] = source[j] }
                    }
                }
                i = end
            }
        }
    }

    /// The `count` bytes at `start`, byte 0 first.
    func read(count: Int, at start: Int) -> AccessValue {
        var value = AccessValue.zero
        withUnsafeMutableBytes(of: &value.words) { out in
            for i in 0..<count { out[i] = pages[(start + i) >> Self.pageShift][(start + i) & Self.pageMask] }
        }
        return value
    }

    /// Every byte back to zero.
    mutating func zero() {
        self = PagedBytes(zeros: pages.count << Self.pageShift)
    }
}
