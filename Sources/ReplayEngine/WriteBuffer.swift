import ArmMemory
import MMIOTrace
import PCIeTransport

/// One gathering line of a core's write-combining buffer: the bytes written to an aligned
/// 64-byte line of a gathering memory type (Device-GRE, Normal-NC, Normal-WT) or, for Normal-WB,
/// a dirty cache line.
struct BufferLine {
    var lineAddress: UInt64
    var mask: UInt64
    var data: SIMD8<UInt64>
    var type: MemoryType
    var device: DeviceID
    var region: RegionID?
    var guestVM: UInt16?
    var firstProgramOrder: UInt64
    /// Per byte: the program order of the store that last wrote it, as an offset from
    /// ``firstProgramOrder`` (at most 255), so that arrival order is judged per access.
    var byteOrders = SIMD64<UInt8>()
    var accesses: UInt16
    /// When the program made the line's first store.
    var firstWrite: SimTime
    var lastWrite: SimTime
    /// Bumped on every write, so that a stale timeout event is recognised.
    var generation: UInt32

    static let lineSize: UInt64 = 64

    var isFull: Bool { mask == .max }

    /// Merges `size` bytes of `value` at `address` (which must lie in this line), written by the
    /// access at `programOrder`.
    mutating func merge(address: UInt64, size: Int, value: AccessValue, programOrder: UInt64) {
        let offset = Int(address - lineAddress)
        let order = UInt8(min(programOrder &- firstProgramOrder, 255))
        // Most stores lie in one 8-byte word: a masked word write, not a byte loop.
        if size >= 1, (offset & 7) + size <= 8 {
            let shift = UInt64(offset & 7) * 8
            let bits: UInt64 = size == 8 ? .max : (1 << UInt64(size * 8)) - 1
            data[offset >> 3] = (data[offset >> 3] & ~(bits << shift)) | (value.low64 & bits) << shift
            mask |= (size == 64 ? .max : (1 << UInt64(size)) - 1) << UInt64(offset)
            setOrder(order, bytes: offset, count: size)
            return
        }
        for i in 0..<size {
            let byte = offset + i
            let shift = UInt64((byte & 7) * 8)
            data[byte >> 3] = (data[byte >> 3] & ~(0xff << shift)) | UInt64(value.byte(i)) << shift
            mask |= 1 << UInt64(byte)
        }
        setOrder(order, bytes: offset, count: size)
    }

    /// Sets the order of `count` bytes from `offset`, stored in place: through the vector's
    /// subscript, each byte went through a copy of the whole vector.
    @inline(__always)
    private mutating func setOrder(_ order: UInt8, bytes offset: Int, count: Int) {
        withUnsafeMutableBytes(of: &byteOrders) { orders in
            for byte in offset..<(offset + count) { orders[byte] = order }
        }
    }

    /// Whether the line holds every byte of `[address, address + size)`.
    func covers(address: UInt64, size: Int) -> Bool {
        guard address >= lineAddress, address + UInt64(size) <= lineAddress + Self.lineSize else { return false }
        let bits: UInt64 = size >= 64 ? .max : ((1 << UInt64(size)) - 1) << (address - lineAddress)
        return mask & bits == bits
    }

    /// Whether the line holds any byte of `[address, address + size)`.
    func overlaps(address: UInt64, size: Int) -> Bool {
        let end = address + UInt64(size)
        guard end > lineAddress, address < lineAddress + Self.lineSize else { return false }
        let from = max(address, lineAddress) - lineAddress, to = min(end, lineAddress + Self.lineSize) - lineAddress
        let bits: UInt64 = to - from >= 64 ? .max : ((1 << (to - from)) - 1) << from
        return mask & bits != 0
    }

    /// The bytes of `[address, address + size)` as a value (the line must cover them).
    func read(address: UInt64, size: Int) -> AccessValue {
        AccessValue(bytesOf: data, from: Int(address - lineAddress), count: size)
    }
}

extension AccessValue {
    /// The `count` bytes of a 64-byte line's `data` from byte `first` (`first + count <= 64`),
    /// as a value.
    init(bytesOf data: SIMD8<UInt64>, from first: Int, count: Int) {
        let word = first >> 3, shift = UInt64(first & 7) * 8
        // Most writes lie in one 8-byte word: one shift and mask, no loop over the vector.
        if count <= 8, (first & 7) + count <= 8 {
            self.init(words: SIMD8(data[word] >> shift & (count == 8 ? .max : (1 << UInt64(count * 8)) - 1), 0, 0, 0, 0, 0, 0, 0))
            return
        }
        // Otherwise the bytes themselves, copied in place (the vector's subscript copies the whole
        // vector per lane): the words are little-endian, so byte `first` becomes the low byte.
        var words = SIMD8<UInt64>()
        withUnsafeMutableBytes(of: &words) { out in
            withUnsafeBytes(of: data) { bytes in out.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[first..<(first + count)])) }
        }
        self.init(words: words)
    }
}

extension SIMD64<UInt8> {
    /// The least and the greatest of the lanes whose bits are set in `mask` (which must not be 0),
    /// read in place: through the vector's subscript, each lane read copied the whole vector, and
    /// the generic `replacing(with:where:)` and `min()` were slower still.
    func extremes(selectedBy mask: UInt64) -> (lowest: UInt8, highest: UInt8) {
        withUnsafeBytes(of: self) { lanes in
            var bits = mask, lowest = UInt8.max, highest = UInt8.min
            while bits != 0 {
                let lane = lanes[bits.trailingZeroBitCount]
                bits &= bits - 1
                lowest = Swift.min(lowest, lane)
                highest = Swift.max(highest, lane)
            }
            return (lowest, highest)
        }
    }
}
