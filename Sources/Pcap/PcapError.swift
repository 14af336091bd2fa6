/// A capture file that libpcap cannot open, read or write: the path and libpcap's own message.
public struct PcapError: Error, Hashable, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String
    /// Where reading failed, when it failed on a record: its 1-based number and the byte offset
    /// of its header in the file.
    public var record: (number: Int, byteOffset: Int)?

    public init(path: String, message: String, record: (number: Int, byteOffset: Int)? = nil) {
        self.path = path
        self.message = message
        self.record = record
    }

    public var description: String {
        guard let record else { return "\(path): error: \(message)" }
        return "\(path):record \(record.number): error: \(message) (the record's header is at byte \(record.byteOffset))"
    }

    public static func == (a: PcapError, b: PcapError) -> Bool {
        a.path == b.path && a.message == b.message && a.record?.number == b.record?.number && a.record?.byteOffset == b.record?.byteOffset
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(path)
        hasher.combine(message)
        hasher.combine(record?.number)
        hasher.combine(record?.byteOffset)
    }
}

/// A record that libpcap reads but that does not follow mmio-replay's record format, located by
/// its 1-based record number: prints as `file:record N: error: message`.
public struct PcapRecordError: Error, Hashable, Sendable, CustomStringConvertible {
    public var path: String
    /// The 1-based number of the record in the file.
    public var record: Int
    public var message: String

    public init(path: String, record: Int, message: String) {
        self.path = path
        self.record = record
        self.message = message
    }

    public var description: String { "\(path):record \(record): error: \(message)" }
}
