import Foundation
import Testing
import Verdicts

@Suite struct VerdictTests {
    static let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs")

    /// The verdicts table of docs/domain.md §4, in its order: (name, contained).
    static func documentedVerdicts() throws -> [(name: String, contained: Bool)] {
        let text = try String(contentsOf: docs.appendingPathComponent("domain.md"), encoding: .utf8)
        let section = try #require(text.components(separatedBy: "\n## 4.").dropFirst().first?.components(separatedBy: "\n## 5.").first)
        return section.split(separator: "\n").compactMap { line -> (String, Bool)? in
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 3, cells[0].hasPrefix("`"), ["yes", "**no**"].contains(cells[1]) else { return nil }
            return (String(cells[0].dropFirst().dropLast()), cells[1] == "yes")
        }
    }

    /// The severity order is the order of docs/domain.md §4's table, with `not-fired` below `none`;
    /// `<`, `max()` and `contained` follow it.
    @Test func severityFollowsTheDomainTable() throws {
        let table = try Self.documentedVerdicts()
        #expect(table.count == 10)
        let documented = try [Verdict.notFired] + table.map { try #require(Verdict(rawValue: $0.name), "unknown verdict \($0.name)") }
        for (lower, higher) in zip(documented, documented.dropFirst()) {
            #expect(lower < higher && !(higher < lower), "\(lower) should be less severe than \(higher)")
            #expect([higher, lower].max() == higher)
        }
        #expect(Set(documented) == Set(Verdict.allCases))
        for row in table { #expect(Verdict(rawValue: row.name)?.contained == row.contained, "\(row.name)") }
        #expect(Verdict.notFired.contained)
    }

    /// Every rule that can appear in evidence is listed in docs/verdicts.md, and every rule name
    /// listed there is one.
    @Test func everyRuleIsDocumented() throws {
        let text = try String(contentsOf: Self.docs.appendingPathComponent("verdicts.md"), encoding: .utf8)
        for rule in Rule.allCases { #expect(text.contains("| `\(rule.name)` |"), "docs/verdicts.md does not list rule \(rule.name)") }
        let listed = text.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("| `"), let end = line.dropFirst(3).firstIndex(of: "`") else { return nil }
            return String(line[line.index(line.startIndex, offsetBy: 3)..<end])
        }
        let verdictsAndHazards = Set(Verdict.allCases.map(\.name) + HazardKind.allCases.map(\.rawValue))
        for name in listed where !verdictsAndHazards.contains(name) { #expect(Rule(rawValue: name) != nil, "docs/verdicts.md lists unknown rule \(name)") }
    }

    @Test func codableAsNames() throws {
        let derivation = VerdictDerivation(verdict: .hostPanic, evidence: [
            Evidence(rule: .kvmSerrorUc, inputs: "SError AET=UC in guest context", result: "KVM: UC → host panic",
                     source: "arch/arm64/kernel/traps.c arm64_is_fatal_ras_serror"),
        ])
        let data = try JSONEncoder().encode(derivation)
        #expect(String(decoding: data, as: UTF8.self).contains("\"host-panic\""))
        #expect(try JSONDecoder().decode(VerdictDerivation.self, from: data) == derivation)
    }

    @Test func chainIsBuiltFromTheEvidence() {
        let step = Evidence(rule: .tlp, inputs: "", result: "second", source: "")
        let derivation = VerdictDerivation(verdict: .none, evidence: [step])
        #expect(derivation.chain == "second ⇒ none")
        #expect(derivation.prepending([Evidence(rule: .access, inputs: "", result: "first", source: "")]).chain == "first → second ⇒ none")
        #expect(VerdictDerivation(verdict: .notFired, evidence: []).chain == "⇒ not-fired")
    }
}
