import PCIeTransport

/// One record of a TLP capture.
public struct CapturedTLP: Hashable, Sendable {
    public var timeNanoseconds: UInt64
    public var direction: TLPDirection
    public var tlp: TLP

    public init(timeNanoseconds: UInt64, direction: TLPDirection, tlp: TLP) {
        self.timeNanoseconds = timeNanoseconds
        self.direction = direction
        self.tlp = tlp
    }
}

/// Reads a TLP capture (pcap or pcapng, link type USER1) written by ``PcapTLPWriter``.
public final class PcapTLPReader {
    private var file: PcapReader
    private var record = 0

    /// Opens the file at `path`.
    /// - Throws: ``PcapError`` when libpcap cannot open it; ``PcapRecordError`` for another link
    ///   type than USER1.
    public init(path: String) throws {
        file = try PcapReader(path: path)
        guard file.linkType == .user1 else {
            throw PcapRecordError(path: path, record: 1, message: "link type \(file.linkType) is not \(LinkType.user1), the link type of mmio-replay TLP captures")
        }
    }

    public var path: String { file.path }

    /// The next TLP, or nil at the end of the file.
    /// - Throws: ``PcapError`` from libpcap; ``PcapRecordError`` for a record that is not a
    ///   well-formed TLP record.
    public func next() throws -> CapturedTLP? {
        guard let packet = try file.next() else { return nil }
        record += 1
        func malformed(_ message: String) -> PcapRecordError { PcapRecordError(path: file.path, record: record, message: message) }
        guard packet.originalLength == packet.bytes.count else {
            throw malformed("the record is truncated to \(packet.bytes.count) of \(packet.originalLength) bytes")
        }
        guard packet.bytes.count >= TLPRecord.pseudoHeaderLength, packet.bytes[0] == TLPRecord.recordType else {
            throw malformed("expected a TLP record (type 3)")
        }
        guard let direction = TLPDirection(rawValue: packet.bytes[1]) else {
            throw malformed("unknown direction \(packet.bytes[1]) (0 downstream, 1 upstream)")
        }
        do {
            let tlp = try TLP(decoding: packet.bytes[TLPRecord.pseudoHeaderLength...])
            return CapturedTLP(timeNanoseconds: packet.timeNanoseconds, direction: direction, tlp: tlp)
        } catch {
            throw malformed("malformed TLP at record byte \(TLPRecord.pseudoHeaderLength + error.offset): \(error.message)")
        }
    }
}
