extension EventKind {
    /// The kind of an event without its payload, used for counting and for keywords.
    public enum Category: UInt8, CaseIterable, Hashable, Sendable, Comparable {
        case read, write, barrier, exit, entry, teardown, unmap, tlbi, configRead, configWrite, reset, mark

        /// The keyword that starts the event in `.mtrace` text (barriers: `dmb`, `dsb`, `isb`).
        public var name: String {
            switch self {
            case .read: "read"
            case .write: "write"
            case .barrier: "barrier"
            case .exit: "exit"
            case .entry: "entry"
            case .teardown: "teardown"
            case .unmap: "unmap"
            case .tlbi: "tlbi"
            case .configRead: "cfg-read"
            case .configWrite: "cfg-write"
            case .reset: "reset"
            case .mark: "mark"
            }
        }

        public static func < (a: Category, b: Category) -> Bool { a.rawValue < b.rawValue }
    }

    @inlinable
    public var category: Category {
        switch self {
        case .read: .read
        case .write: .write
        case .barrier: .barrier
        case .guestExit: .exit
        case .guestEntry: .entry
        case .teardown: .teardown
        case .unmap: .unmap
        case .tlbi: .tlbi
        case .configRead: .configRead
        case .configWrite: .configWrite
        case .reset: .reset
        case .mark: .mark
        }
    }
}
