/// The request a TLP carries, as errors, faults, platform tables and verdicts name it: the one
/// request vocabulary of the project.
public enum RequestKind: String, CaseIterable, Hashable, Sendable, Codable {
    /// A memory read (MRd, non-posted).
    case memoryRead = "memory-read"
    /// A memory write (MWr, posted: no completion).
    case memoryWrite = "memory-write"
    /// A configuration read (CfgRd, non-posted).
    case configRead = "config-read"
    /// A configuration write (CfgWr, non-posted).
    case configWrite = "config-write"

    /// The requests that get a completion, which the root complex answers for the CPU.
    public static let nonPosted: [RequestKind] = [.memoryRead, .configRead, .configWrite]

    /// Whether the request is a read (the core waits for data).
    @inlinable public var isRead: Bool { self == .memoryRead || self == .configRead }

    /// Whether the request goes to configuration space.
    @inlinable public var isConfig: Bool { self == .configRead || self == .configWrite }

    /// Whether the request is posted (no completion comes back).
    @inlinable public var isPosted: Bool { self == .memoryWrite }

    /// The fault grammar's spelling: `read`, `write`, `cfg-read`, `cfg-write`.
    public var spelling: String {
        switch self {
        case .memoryRead: "read"
        case .memoryWrite: "write"
        case .configRead: "cfg-read"
        case .configWrite: "cfg-write"
        }
    }

    /// The request spelled `spelling` in the fault grammar, in any case.
    public init?(spelling: some StringProtocol) {
        guard let kind = Self.allCases.first(where: { $0.spelling == spelling.lowercased() }) else { return nil }
        self = kind
    }
}
