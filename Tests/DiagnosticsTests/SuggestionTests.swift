import Testing
@testable import Diagnostics

@Suite struct SuggestionTests {
    @Test(arguments: [
        ("wrte", "write"), ("raed", "read"), ("dbm", "dmb"), ("Device-nGnRe", "device-ngnre"),
        ("region", "region"), ("prefetchible", "prefetchable"),
    ])
    func suggestsTheClosestKeyword(typo: String, expected: String) {
        let choices = ["read", "write", "dmb", "dsb", "isb", "device-ngnre", "device-ngnrne", "region", "prefetchable"]
        #expect(Suggestion.closest(to: typo, among: choices) == expected)
    }

    @Test func staysQuietWhenNothingIsClose() {
        #expect(Suggestion.closest(to: "xyzzy", among: ["read", "write"]) == nil)
        #expect(Suggestion.closest(to: "", among: ["read"]) == nil)
        #expect(Suggestion.closest(to: "rd", among: ["read"]) == nil)
    }

    @Test func distanceCountsTranspositionsOnce() {
        #expect(Suggestion.distance(Array("ab".utf8), Array("ba".utf8)) == 1)
        #expect(Suggestion.distance(Array("kitten".utf8), Array("sitting".utf8)) == 3)
        #expect(Suggestion.distance([], Array("abc".utf8)) == 3)
    }

    @Test func errorsPrintFileLineColumnAndQuoteSafely() {
        let error = InputError(SourceLocation(file: "t.mtrace", line: 3, column: 7), expected: "event kind", found: "wrte", choices: ["write"])
        #expect(error.description == "t.mtrace:3:7: error: expected event kind, found 'wrte'; did you mean 'write'?")
        #expect(InputError.quote("") == "end of line")
        #expect(InputError.quote("a\u{1}'b") == "'a\\u{1}\\u{27}b'")
    }
}
