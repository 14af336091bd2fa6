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

    subscript(index: Int) -> UInt8 {
        get { pages[index >> Self.pageShift][index & Self.pageMask] }
        set { pages[index >> Self.pageShift][index & Self.pageMask] = newValue }
    }

    /// Every byte back to zero.
    mutating func zero() {
        self = PagedBytes(zeros: pages.count << Self.pageShift)
    }
}
