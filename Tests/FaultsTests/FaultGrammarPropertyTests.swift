import Diagnostics
import Faults
import SeededRandom
import Testing

/// The parser never crashes, and whatever it accepts prints canonically and reads back equal.
@Suite struct FaultGrammarPropertyTests {
    static let valid = FaultGrammarTests.examples.map(\.0) + [
        "poisoned at 0000:01:00.0", "decode-miss at bar2+0x0..0xffffffffffffffff write every 2",
        "unexpected-completion at cfg nvme0+0x10 cfg-write #7", "DPC at nvme0 for 18446744073709551615ns",
    ]
    /// Fragments that mutations splice in: keywords, numbers at the limits, separators.
    static let fragments = [
        "at", "for", "every", "first", "#", "#0", "#9999999999999999999999", "event", "cfg", "..", "+", ":", ".", "0x",
        "0xffffffffffffffff", "0x10000000000000000", "18446744073709551616", "-1", "s", "us", "\t", " ", "é", "read", "cfg-write",
        "link-down", "UR", "0000:ff:1f.7", "00:20.0",
    ]

    @Test func randomPrintableStrings() {
        for seed in 0..<3_000 {
            var rng = SplitMix64(seed: UInt64(seed))
            let length = Int(rng.next() % 40)
            let text = String(decoding: (0..<length).map { _ in UInt8(0x20 + rng.next() % 95) }, as: UTF8.self)
            check(text, seed: seed)
        }
    }

    @Test func mutatedValidSpecs() {
        for seed in 0..<5_000 {
            var rng = SplitMix64(seed: UInt64(seed))
            var text = Self.valid[Int(rng.next() % UInt64(Self.valid.count))]
            for _ in 0..<(1 + rng.next() % 3) {
                var scalars = Array(text.unicodeScalars)
                let at = scalars.isEmpty ? 0 : Int(rng.next() % UInt64(scalars.count))
                switch rng.next() % 4 {
                case 0 where !scalars.isEmpty: scalars.remove(at: at)
                case 1: scalars.insert(contentsOf: Self.fragments[Int(rng.next() % UInt64(Self.fragments.count))].unicodeScalars, at: at)
                case 2 where !scalars.isEmpty: scalars[at] = Unicode.Scalar(UInt8(0x20 + rng.next() % 95))
                default:
                    var words = text.split(separator: " ")
                    if words.count > 1 { words.swapAt(Int(rng.next() % UInt64(words.count)), Int(rng.next() % UInt64(words.count))) }
                    scalars = Array(words.joined(separator: " ").unicodeScalars)
                }
                text = String(String.UnicodeScalarView(scalars))
            }
            check(text, seed: seed)
        }
    }

    private func check(_ text: String, seed: Int) {
        let location = SourceLocation(file: "f", line: 2, column: 5)
        do {
            let fault = try Fault.parse(text, location: location)
            let again = try Fault.parse(fault.description, location: location)
            #expect(again == fault, "seed \(seed): '\(text)' → '\(fault.description)'")
            #expect(again.description == fault.description, "seed \(seed)")
        } catch {
            #expect(error.location.file == "f" && error.location.line == 2, "seed \(seed)")
            #expect(error.location.column >= 5 && error.location.column <= 5 + text.utf8.count, "seed \(seed): \(error)")
            #expect(error.message.hasPrefix("expected "), "seed \(seed): \(error)")
        }
    }
}
