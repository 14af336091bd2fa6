/// A stream of trace events: the topology first, then events one at a time in constant memory.
///
/// Every reader (the native `.mtrace` text, and importers of captured formats) conforms, so
/// that consumers never care where a trace came from.
public protocol TraceEventSource: AnyObject {
    /// What the trace declares about the system; complete before the first event.
    var topology: Topology { get }
    /// The name of the input, as used in messages.
    var fileName: String { get }
    /// The line of the input the last returned event came from.
    var line: Int { get }
    /// The next event, or nil at the end of the input.
    /// - Throws: ``InputError`` for malformed input.
    func next() throws -> TraceEvent?
    /// Whether the source already parses ahead of its consumer on threads of its own, so that
    /// ``ReadAheadSource`` would only add a hop.
    var readsAhead: Bool { get }
}

extension TraceEventSource {
    public var readsAhead: Bool { false }
}
