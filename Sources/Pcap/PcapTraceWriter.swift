import MMIOTrace

/// Writes a trace as a pcap file of link type USER0 (docs/pcap.md): a topology record, then
/// one record per event stamped with the event's time.
///
/// The file is closed when the writer is released; call ``flush()`` first to learn of write
/// errors.
public final class PcapTraceWriter {
    public let topology: Topology
    private let file: PcapWriter
    private var buffer: [UInt8] = []

    /// Creates (or truncates) the file at `path` and writes the topology record.
    /// - Throws: ``PcapError`` when the file cannot be created or the topology does not fit in
    ///   one record.
    public init(path: String, topology: Topology) throws(PcapError) {
        file = try PcapWriter(path: path, linkType: .user0)
        self.topology = topology
        try file.write(timeNanoseconds: 0, bytes: TraceRecord.topology(topology))
    }

    public var path: String { file.path }

    /// Appends the record of `event`.
    /// - Throws: ``PcapError`` for an event the format cannot carry (a time at or beyond
    ///   ``PcapWriter/timeLimitNanoseconds``, a value wider than its access, region index
    ///   0xffff, a record over the pcap limit); nothing is written then.
    public func write(_ event: TraceEvent) throws(PcapError) {
        if let problem = TraceRecord.encode(event, into: &buffer) {
            throw PcapError(path: file.path, message: "cannot write event at \(event.time.nanoseconds) ns: \(problem)")
        }
        try file.write(timeNanoseconds: event.time.nanoseconds, bytes: buffer)
    }

    /// Writes every event `source` has left, then flushes.
    /// - Throws: The source's errors, or ``PcapError``.
    public func write(contentsOf source: some TraceEventSource) throws {
        while let event = try source.next() { try write(event) }
        try flush()
    }

    /// Writes buffered records to the file.
    /// - Throws: ``PcapError`` when a write failed.
    public func flush() throws(PcapError) { try file.flush() }
}
