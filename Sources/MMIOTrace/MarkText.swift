import Synchronization

/// The text of a `mark` event, interned: the event holds a 32-bit index into a process-wide
/// table of the distinct texts, so that `TraceEvent` stays plain data (`BitwiseCopyable`) and the
/// replay moves events without reference counting. Equal texts have equal indices, so equality
/// and hashing are those of the text; the table only grows, by the distinct texts the process
/// reads (marks are rare in traces: session steps, `ioremap` lines).
public struct MarkText: Hashable, Sendable, BitwiseCopyable, ExpressibleByStringLiteral, CustomStringConvertible {
    private let index: UInt32

    public init(_ text: String) { index = Self.table.withLock { $0.index(of: text) } }
    public init(stringLiteral text: String) { self.init(text) }

    /// The text as the trace gave it.
    public var text: String { Self.table.withLock { $0.texts[Int(index)] } }
    public var description: String { text }

    private struct Table {
        var texts: [String] = []
        var indices: [String: UInt32] = [:]

        mutating func index(of text: String) -> UInt32 {
            if let index = indices[text] { return index }
            guard let index = UInt32(exactly: texts.count) else { fatalError("more than 2^32 distinct mark texts") }
            texts.append(text)
            indices[text] = index
            return index
        }
    }

    private static let table = Mutex(Table())
}
