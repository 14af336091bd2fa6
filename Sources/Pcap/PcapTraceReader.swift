import MMIOTrace

/// Reads a trace from a pcap or pcapng file of link type USER0 written by
/// ``PcapTraceWriter``, as a stream: the topology when opened, then one event per ``next()``.
///
/// Errors name the record: ``PcapRecordError`` at `file:record N` for a record that breaks the
/// format, ``PcapError`` for what libpcap cannot read.
public final class PcapTraceReader: TraceEventSource {
    public let topology: Topology
    public var fileName: String { file.path }
    /// The 1-based record number of the last returned event (the topology is record 1).
    public var line: Int { record }

    private var file: PcapReader
    private var record = 1

    /// Opens the file at `path` and reads its topology record.
    /// - Throws: ``PcapError`` when libpcap cannot open it; ``PcapRecordError`` for another link
    ///   type than USER0 or a missing or malformed topology record.
    public init(path: String) throws {
        file = try PcapReader(path: path)
        guard file.linkType == .user0 else {
            throw PcapRecordError(path: path, record: 1, message: "link type \(file.linkType) is not \(LinkType.user0), the link type of mmio-replay trace events")
        }
        guard let first = try file.next() else {
            throw PcapRecordError(path: path, record: 1, message: "the file has no records; expected the topology record")
        }
        func malformed(_ message: String) -> PcapRecordError { PcapRecordError(path: path, record: 1, message: message) }
        guard first.bytes.count >= 2, first.bytes[0] == TraceRecord.RecordType.topology.rawValue else {
            throw malformed("expected the topology record (type 1) first")
        }
        guard first.bytes[1] == TraceRecord.formatVersion else {
            throw malformed("topology record format version \(first.bytes[1]) is not \(TraceRecord.formatVersion)")
        }
        guard first.originalLength == first.bytes.count, let text = String(validating: first.bytes[2...], as: UTF8.self) else {
            throw malformed("the topology text is truncated or not UTF-8")
        }
        let header: MTraceReader
        do {
            header = try MTraceReader(text: text, fileName: path)
            if try header.next() != nil { throw malformed("the topology record holds events; they belong in records of their own") }
        } catch let error as PcapRecordError {
            throw error
        } catch {
            throw malformed("the topology text is not an .mtrace header: \(error)")
        }
        topology = header.topology
    }

    public func next() throws -> TraceEvent? {
        guard let packet = try file.next() else { return nil }
        record += 1
        guard packet.originalLength == packet.bytes.count else {
            throw PcapRecordError(path: file.path, record: record, message: "the record is truncated to \(packet.bytes.count) of \(packet.originalLength) bytes")
        }
        do {
            let (agent, kind) = try TraceRecord.decodeEvent(packet.bytes, topology: topology)
            return TraceEvent(time: TraceTime(nanoseconds: packet.timeNanoseconds), agent: agent, kind: kind)
        } catch {
            throw PcapRecordError(path: file.path, record: record, message: error.message)
        }
    }
}
