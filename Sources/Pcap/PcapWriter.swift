#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CPcap

/// Writes a classic pcap file with nanosecond timestamps through libpcap
/// (`pcap_open_dead_with_tstamp_precision`, `pcap_dump_open`, `pcap_dump`).
///
/// The file is closed when the writer is consumed by ``close()`` or goes out of scope; only
/// ``flush()`` and ``close()`` report write errors, so call one of them before dropping it.
public struct PcapWriter: ~Copyable {
    /// The longest record written (and the file's snapshot length): libpcap and Wireshark reject
    /// longer records.
    public static let maximumRecordLength = 262_144
    /// One past the last representable time: the record header's seconds field has 32 bits.
    public static let timeLimitNanoseconds: UInt64 = (1 << 32) * 1_000_000_000

    public let path: String
    public let linkType: LinkType
    private let handle: OpaquePointer
    private let dumper: OpaquePointer

    /// Creates (or truncates) the file at `path` (`-` for standard output).
    /// - Throws: ``PcapError`` with libpcap's message when the file cannot be created.
    public init(path: String, linkType: LinkType) throws(PcapError) {
        guard let handle = pcap_open_dead_with_tstamp_precision(
            linkType.rawValue, Int32(Self.maximumRecordLength), UInt32(PCAP_TSTAMP_PRECISION_NANO)
        ) else {
            throw PcapError(path: path, message: "libpcap cannot create a capture handle for link type \(linkType)")
        }
        guard let dumper = pcap_dump_open(handle, path) else {
            let message = String(cString: pcap_geterr(handle))
            pcap_close(handle)
            throw PcapError(path: path, message: message)
        }
        self.path = path
        self.linkType = linkType
        self.handle = handle
        self.dumper = dumper
    }

    deinit {
        pcap_dump_close(dumper)
        pcap_close(handle)
    }

    /// Appends one record stamped `timeNanoseconds` (from the epoch of the file's clock).
    /// - Throws: ``PcapError`` for a record longer than ``maximumRecordLength`` or a time at or
    ///   beyond ``timeLimitNanoseconds``; nothing is written then.
    public func write(timeNanoseconds: UInt64, bytes: [UInt8]) throws(PcapError) {
        guard bytes.count <= Self.maximumRecordLength else {
            throw PcapError(path: path, message: "a record of \(bytes.count) bytes exceeds the pcap limit of \(Self.maximumRecordLength)")
        }
        guard timeNanoseconds < Self.timeLimitNanoseconds else {
            throw PcapError(path: path, message: "time \(timeNanoseconds) ns is beyond the 32-bit seconds of a pcap record header")
        }
        var header = pcap_pkthdr()
        header.ts.tv_sec = .init(timeNanoseconds / 1_000_000_000)
        header.ts.tv_usec = .init(timeNanoseconds % 1_000_000_000)
        header.caplen = UInt32(bytes.count)
        header.len = UInt32(bytes.count)
        bytes.withUnsafeBufferPointer { pcap_dump(UnsafeMutablePointer<UInt8>(dumper), &header, $0.baseAddress) }
    }

    /// Writes buffered records to the file.
    /// - Throws: ``PcapError`` when a write since the file was opened failed.
    public func flush() throws(PcapError) {
        guard pcap_dump_flush(dumper) == 0 else {
            throw PcapError(path: path, message: "cannot write: \(String(cString: strerror(errno)))")
        }
        guard ferror(pcap_dump_file(dumper)) == 0 else {
            throw PcapError(path: path, message: "cannot write: an I/O error occurred")
        }
    }

    /// Flushes, then closes the file.
    /// - Throws: ``PcapError`` when a write failed; the file is closed either way.
    public consuming func close() throws(PcapError) {
        try flush()
    }
}
