import PCIeTransport

/// Which way a TLP crosses the link.
public enum TLPDirection: UInt8, CaseIterable, Hashable, Sendable {
    /// From the root complex towards the device.
    case downstream = 0
    /// From the device towards the root complex.
    case upstream = 1
}

/// The pseudo-header before the TLP bytes of a LINKTYPE_USER1 record (docs/pcap.md).
enum TLPRecord {
    /// Byte 0: the record type of a TLP record.
    static let recordType: UInt8 = 3
    /// Bytes before the TLP: record type, direction.
    static let pseudoHeaderLength = 2
}

/// Writes TLPs as they cross the link to a pcap file of link type USER1: each record is a
/// two-byte pseudo-header (record type 3, direction) followed by the TLP's header, payload and
/// digest exactly as ``TLP/bytes`` lays them out.
///
/// The file is closed when the writer is released; call ``flush()`` first to learn of write
/// errors.
public final class PcapTLPWriter {
    private let file: PcapWriter
    private var buffer: [UInt8] = []

    /// Creates (or truncates) the file at `path`.
    /// - Throws: ``PcapError`` when the file cannot be created.
    public init(path: String) throws(PcapError) {
        file = try PcapWriter(path: path, linkType: .user1)
    }

    public var path: String { file.path }

    /// Appends one TLP given as its wire bytes.
    /// - Throws: ``PcapError`` for a time at or beyond ``PcapWriter/timeLimitNanoseconds``.
    public func write(timeNanoseconds: UInt64, direction: TLPDirection, tlp bytes: [UInt8]) throws(PcapError) {
        buffer.removeAll(keepingCapacity: true)
        buffer += [TLPRecord.recordType, direction.rawValue]
        buffer += bytes
        try file.write(timeNanoseconds: timeNanoseconds, bytes: buffer)
    }

    /// Appends one TLP, encoded without an intermediate array.
    /// - Throws: ``PcapError`` for a time at or beyond ``PcapWriter/timeLimitNanoseconds``.
    public func write(timeNanoseconds: UInt64, direction: TLPDirection, tlp: TLP) throws(PcapError) {
        buffer.removeAll(keepingCapacity: true)
        buffer += [TLPRecord.recordType, direction.rawValue]
        tlp.append(to: &buffer)
        try file.write(timeNanoseconds: timeNanoseconds, bytes: buffer)
    }

    /// Writes buffered records to the file.
    /// - Throws: ``PcapError`` when a write failed.
    public func flush() throws(PcapError) { try file.flush() }
}
