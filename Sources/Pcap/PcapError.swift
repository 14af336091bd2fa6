/// A capture file that libpcap cannot open, read or write: the path and libpcap's own message.
public struct PcapError: Error, Hashable, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): error: \(message)" }
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
