import SeededRandom

/// How the engine resolves what the architecture leaves open: merging, reordering, delays and
/// speculation (docs/schedules.md gives every rule).
public enum Schedule: Hashable, Sendable {
    /// Nothing optional happens: accesses leave in program order, no extra delay, no read is
    /// served from a write buffer, no speculative read. The platform's write-combining buffer
    /// still gathers, because it is hardware the platform has, not a choice.
    case inOrder
    /// Every permitted merge, reorder, delay and speculative read that can expose a hazard is
    /// taken; where the architecture only promises "finite time", an access is held and released
    /// at the moment that exposes the most.
    case adversarial
    /// Each open choice is decided by a seeded generator.
    case random(seed: UInt64)
    /// Every execution the open choices allow (the explorer, docs/explore.md); a single replay
    /// under it (a campaign's golden run) is the in-order one.
    case explore
    /// Each open choice, in the order the replay meets them, is taken as the vector says; the
    /// choices past its end take `otherwise`. What the explorer runs, and what a witness file
    /// replays (docs/explore.md).
    case decided(ChoiceVector)

    /// Parses `in-order`, `adversarial`, `random` (with the seed given separately) or `explore`.
    public init?(name: String, seed: UInt64) {
        switch name.lowercased() {
        case "in-order": self = .inOrder
        case "adversarial": self = .adversarial
        case "random": self = .random(seed: seed)
        case "explore": self = .explore
        default: return nil
        }
    }

    public static let names = ["in-order", "adversarial", "random", "explore"]

    public var name: String {
        switch self {
        case .inOrder: "in-order"
        case .adversarial: "adversarial"
        case .random: "random"
        case .explore: "explore"
        case .decided: "witness"
        }
    }
}

/// The choices of one execution: bit i says whether the i-th open choice the replay met was
/// taken; choices past the end take ``otherwise``.
public struct ChoiceVector: Hashable, Sendable {
    public var choices: [Bool]
    public var otherwise: Bool
    /// When set, only choices met while the trace's events with these numbers (1-based) are read
    /// are open; the others are not taken (in-order) and not counted.
    public var window: ClosedRange<Int>?

    public init(_ choices: [Bool] = [], otherwise: Bool = false, window: ClosedRange<Int>? = nil) {
        self.choices = choices
        self.otherwise = otherwise
        self.window = window
    }

    /// `0` and `1` per choice, then `/1` when the choices past the end are taken (`/0` omitted),
    /// then ` @FROM-TO` for a window.
    public var spelling: String {
        String(choices.map { $0 ? "1" : "0" }) + (otherwise ? "/1" : "") + (window.map { " @\($0.lowerBound)-\($0.upperBound)" } ?? "")
    }

    /// Parses ``spelling``.
    public init?(spelling: some StringProtocol) {
        let fields = spelling.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count == 1 || fields.count == 2 else { return nil }
        var window: ClosedRange<Int>?
        if fields.count == 2 {
            let bounds = fields[1].dropFirst().split(separator: "-", omittingEmptySubsequences: false)
            guard fields[1].hasPrefix("@"), bounds.count == 2, let from = Int(bounds[0]), let to = Int(bounds[1]), from >= 1, from <= to else {
                return nil
            }
            window = from...to
        }
        let parts = fields.first.map { $0.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false) } ?? [""]
        guard parts[0].allSatisfy({ $0 == "0" || $0 == "1" }) else { return nil }
        if parts.count == 2 { guard parts[1] == "0" || parts[1] == "1" else { return nil } }
        self.init(parts[0].map { $0 == "1" }, otherwise: parts.count == 2 && parts[1] == "1", window: window)
    }
}

/// The per-replay decision maker of a schedule: answers "take this optional behaviour?" and
/// "how much extra delay?" deterministically (SplitMix64 for `random`).
struct ScheduleDecisions {
    let schedule: Schedule
    private var random: SplitMix64
    /// How many open choices the replay has met so far.
    private(set) var asked = 0
    /// The number of the trace event being read (1-based), for a vector's window.
    var eventNumber = 0

    init(_ schedule: Schedule) {
        self.schedule = schedule
        if case .random(let seed) = schedule { random = SplitMix64(seed: seed) } else { random = SplitMix64(seed: 0) }
    }

    /// Whether to take an optional behaviour that can expose a hazard.
    mutating func take() -> Bool {
        if case .decided(let vector) = schedule, let window = vector.window, !window.contains(eventNumber) { return false }
        defer { asked += 1 }
        switch schedule {
        case .inOrder, .explore: return false
        case .adversarial: return true
        case .random: return random.next() & 1 == 1
        case .decided(let vector): return asked < vector.choices.count ? vector.choices[asked] : vector.otherwise
        }
    }
}
