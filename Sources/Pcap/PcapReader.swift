import CPcap

/// One record of a capture file.
public struct PcapPacket: Hashable, Sendable {
    /// The record's timestamp in nanoseconds.
    public var timeNanoseconds: UInt64
    /// The captured bytes.
    public var bytes: [UInt8]
    /// The length of the packet on the wire; more than `bytes.count` when the capture truncated it.
    public var originalLength: Int

    public init(timeNanoseconds: UInt64, bytes: [UInt8], originalLength: Int) {
        self.timeNanoseconds = timeNanoseconds
        self.bytes = bytes
        self.originalLength = originalLength
    }
}

/// Reads a pcap or pcapng file through libpcap (`pcap_open_offline_with_tstamp_precision` with
/// nanosecond timestamps, `pcap_next_ex`), one record at a time. The file is closed when the
/// reader goes out of scope.
///
/// pcapng files are read only when all their interfaces share one link type (a libpcap limit).
public struct PcapReader: ~Copyable {
    public let path: String
    /// The link type of every record in the file.
    public let linkType: LinkType
    private let handle: OpaquePointer

    /// Opens the file at `path` (`-` for standard input).
    /// - Throws: ``PcapError`` with libpcap's message when the file is missing or not a capture.
    public init(path: String) throws(PcapError) {
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        guard let handle = pcap_open_offline_with_tstamp_precision(path, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errorBuffer) else {
            throw PcapError(path: path, message: String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        self.path = path
        self.handle = handle
        linkType = LinkType(rawValue: pcap_datalink(handle))
    }

    /// Records read so far, and the byte offset of the next record's header (after the 24-byte
    /// file header), for errors.
    private var recordsRead = 0
    private var nextOffset = 24

    deinit { pcap_close(handle) }

    /// The next record, or nil at the end of the file.
    /// - Throws: ``PcapError`` with libpcap's message for a truncated or corrupt file.
    public mutating func next() throws(PcapError) -> PcapPacket? {
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        switch pcap_next_ex(handle, &header, &data) {
        case 1:
            guard let header, let data else { return nil }
            let h = header.pointee
            recordsRead += 1
            nextOffset += 16 + Int(h.caplen)
            // The file's seconds field is unsigned 32-bit; libpcap sign-extends it.
            let seconds = UInt64(UInt32(truncatingIfNeeded: h.ts.tv_sec))
            return PcapPacket(
                timeNanoseconds: seconds * 1_000_000_000 + UInt64(UInt32(truncatingIfNeeded: h.ts.tv_usec)),
                bytes: Array(UnsafeBufferPointer(start: data, count: Int(h.caplen))),
                originalLength: Int(h.len)
            )
        case PCAP_ERROR_BREAK:
            return nil
        default:
            throw PcapError(path: path, message: String(cString: pcap_geterr(handle)), record: (recordsRead + 1, nextOffset))
        }
    }
}
