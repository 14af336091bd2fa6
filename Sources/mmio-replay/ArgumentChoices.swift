import ArgumentParser
import ArmMemory
import Diagnostics
import Verdicts

// The closed sets of words that options take, shared by several commands. ArgumentParser lists
// their values in help, offers them to shell completion, and rejects any other with exit 64.

/// `--fail-on`: what makes a command exit 1, for CI.
enum FailureCondition: String, ExpressibleByArgument, CaseIterable {
    /// An uncontained verdict (under `replay --schedule explore`, a possible one).
    case uncontained
}

extension Verdict: ExpressibleByArgument {
    /// The verdicts a shrink can keep: every one but `not-fired`, which is no outcome.
    public static var allValueStrings: [String] { allCases.filter { $0 != .notFired }.map(\.name) }

    public init?(argument: String) {
        guard let verdict = Verdict(rawValue: argument), verdict != .notFired else { return nil }
        self = verdict
    }
}

/// Memory types keep the readers' own message on a bad one (the types, and the closest: "did
/// you mean"), so options that take one parse it with `transform:`, list ``argumentNames`` in
/// their help and offer them to completion themselves.
extension MemoryType {
    /// The type names, e.g. `device-ngnre` (accepted case-insensitively).
    static let argumentNames = allCases.map(\.name)

    /// Parses a memory type, or throws a message that lists the types and suggests the closest.
    @Sendable static func parsing(_ text: String) throws -> MemoryType {
        if let type = MemoryType(name: text) { return type }
        throw ValidationError("expected a memory type (\(argumentNames.joined(separator: ", ")))"
            + (Suggestion.closest(to: text, among: argumentNames).map { "; did you mean '\($0)'?" } ?? ""))
    }
}
