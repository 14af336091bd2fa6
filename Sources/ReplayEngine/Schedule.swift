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

    /// Parses `in-order`, `adversarial` or `random` (with the seed given separately).
    public init?(name: String, seed: UInt64) {
        switch name.lowercased() {
        case "in-order": self = .inOrder
        case "adversarial": self = .adversarial
        case "random": self = .random(seed: seed)
        default: return nil
        }
    }

    public static let names = ["in-order", "adversarial", "random"]

    public var name: String {
        switch self {
        case .inOrder: "in-order"
        case .adversarial: "adversarial"
        case .random: "random"
        }
    }
}

/// The per-replay decision maker of a schedule: answers "take this optional behaviour?" and
/// "how much extra delay?" deterministically (SplitMix64 for `random`).
struct ScheduleDecisions {
    let schedule: Schedule
    private var random: SplitMix64

    init(_ schedule: Schedule) {
        self.schedule = schedule
        if case .random(let seed) = schedule { random = SplitMix64(seed: seed) } else { random = SplitMix64(seed: 0) }
    }

    /// Whether to take an optional behaviour that can expose a hazard.
    mutating func take() -> Bool {
        switch schedule {
        case .inOrder: false
        case .adversarial: true
        case .random: random.next() & 1 == 1
        }
    }
}
