extension UnsafeBufferPointer<UInt8> {
    /// Whether the bytes in `range` equal the ASCII `literal` (the scanners of every text format
    /// compare keywords this way, without building strings).
    @inlinable @inline(__always)
    public func matches(_ range: Range<Int>, _ literal: StaticString) -> Bool {
        guard range.count == literal.utf8CodeUnitCount else { return false }
        let text = literal.utf8Start
        for i in 0..<range.count where self[range.lowerBound + i] != text[i] { return false }
        return true
    }

    /// Whether the bytes in `range` equal `bytes`.
    @inlinable @inline(__always)
    public func matches(_ range: Range<Int>, _ bytes: [UInt8]) -> Bool {
        range.count == bytes.count && bytes.withUnsafeBufferPointer { other in
            for i in 0..<other.count where self[range.lowerBound + i] != other[i] { return false }
            return true
        }
    }
}
