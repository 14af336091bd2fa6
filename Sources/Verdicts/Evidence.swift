/// One application of a named rule: what went in, what came out, and where the rule comes from.
public struct Evidence: Hashable, Sendable, Codable {
    /// The rule applied (its name is stable; every rule is listed in `docs/verdicts.md`).
    public var rule: Rule
    /// The facts the rule looked at, as short human text.
    public var inputs: String
    /// What the rule concluded, as the short text that appears in a chain.
    public var result: String
    /// Where the rule comes from: a section of a specification, a Linux function, a docs/domain.md
    /// step, or the platform parameter that decided it.
    public var source: String

    public init(rule: Rule, inputs: String, result: String, source: String) {
        self.rule = rule
        self.inputs = inputs
        self.result = result
        self.source = source
    }
}

/// A verdict with the evidence that led to it, in the order the rules were applied.
public struct VerdictDerivation: Hashable, Sendable, Codable {
    public var verdict: Verdict
    public var evidence: [Evidence]

    public init(verdict: Verdict, evidence: [Evidence]) {
        self.verdict = verdict
        self.evidence = evidence
    }

    /// The derivation on one line, each rule's result joined by `→`, then `⇒` and the verdict:
    /// `… → SError AET=UC → vCPU in guest → KVM: UC → host panic ⇒ host-panic`.
    ///
    /// Built from ``evidence``, so items a caller prepends (the access and its attributes)
    /// appear too.
    public var chain: String {
        let steps = evidence.map(\.result).joined(separator: " → ")
        return steps.isEmpty ? "⇒ \(verdict.name)" : "\(steps) ⇒ \(verdict.name)"
    }

    /// The same derivation with `items` in front of its evidence.
    public func prepending(_ items: [Evidence]) -> VerdictDerivation {
        VerdictDerivation(verdict: verdict, evidence: items + evidence)
    }
}
