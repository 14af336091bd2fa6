import Foundation
import Testing
import Verdicts

@Suite struct VerdictTests {
    @Test func namesInSeverityOrder() {
        #expect(Verdict.allCases.map(\.name) == [
            "not-fired", "none", "guest-silent", "guest-abort", "host-handled",
            "post-reclaim-write", "cross-guest", "forbidden-attribute", "host-panic",
        ])
        #expect(Verdict.allCases.sorted() == Verdict.allCases)
        #expect([Verdict.guestAbort, .hostPanic, .none].max() == .hostPanic)
        #expect(Verdict.notFired < .none)
    }

    /// DOMAIN.md §4's "contained?" column; not-fired is neutral, so contained.
    @Test func containment() {
        let contained = Verdict.allCases.filter(\.contained).map(\.name)
        #expect(contained == ["not-fired", "none", "guest-silent", "guest-abort", "host-handled"])
    }

    @Test func codableAsNames() throws {
        let derivation = VerdictDerivation(verdict: .hostPanic, evidence: [
            Evidence(rule: "kvm-serror-uc", inputs: "SError AET=UC in guest context", result: "KVM: UC → host panic",
                     source: "arch/arm64/kernel/traps.c arm64_is_fatal_ras_serror"),
        ])
        let data = try JSONEncoder().encode(derivation)
        #expect(String(decoding: data, as: UTF8.self).contains("\"host-panic\""))
        #expect(try JSONDecoder().decode(VerdictDerivation.self, from: data) == derivation)
    }

    @Test func chainIsBuiltFromTheEvidence() {
        let step = Evidence(rule: "b", inputs: "", result: "second", source: "")
        let derivation = VerdictDerivation(verdict: .none, evidence: [step])
        #expect(derivation.chain == "second ⇒ none")
        #expect(derivation.prepending([Evidence(rule: "a", inputs: "", result: "first", source: "")]).chain == "first → second ⇒ none")
        #expect(VerdictDerivation(verdict: .notFired, evidence: []).chain == "⇒ not-fired")
    }
}
