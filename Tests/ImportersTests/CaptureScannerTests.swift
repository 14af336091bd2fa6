import SeededRandom
import Testing
@testable import Importers

/// The capture scanner's hex tokens, found and decoded in one pass, agree with decoding the
/// token's text: random tokens of hex digits, prefixes, leading zeros and stray bytes.
@Suite struct CaptureScannerTests {
    /// The expected reading of `token`: 1–16 hex digits after leading zeros, after `0x`/`0X`
    /// when `prefixed`.
    private func reference(_ token: String, prefixed: Bool) -> UInt64? {
        var digits = Substring(token)
        if prefixed {
            guard digits.count > 2, digits.hasPrefix("0x") || digits.hasPrefix("0X") else { return nil }
            digits = digits.dropFirst(2)
        }
        guard !digits.isEmpty, digits.allSatisfy(\.isHexDigit) else { return nil }
        let significant = digits.drop { $0 == "0" }
        guard significant.count <= 16 else { return nil }
        return significant.isEmpty ? 0 : UInt64(significant, radix: 16)
    }

    @Test func hexTokensAgreeWithTheirText() {
        let file = CaptureFileName("t")
        var random = SplitMix64(seed: 17)
        let alphabet = Array("0123456789abcdefABCDEFxXg-0000")
        for _ in 0..<20_000 {
            let length = 1 + Int(random.next(below: 24))
            var token = String((0..<length).map { _ in alphabet[Int(random.next(below: UInt64(alphabet.count)))] })
            if random.oneIn(2) { token = "0x" + token }
            let line = "  " + token + (random.oneIn(2) ? " \t0x1" : "")
            for prefixed in [true, false] {
                let expected = reference(token, prefixed: prefixed)
                Array(line.utf8).withUnsafeBufferPointer { bytes in
                    var scanner = CaptureScanner(bytes, file: file, line: 1)
                    let (value, range) = withExtendedLifetime(file) { scanner.hexToken(prefixed: prefixed) }
                    #expect(value == expected, "'\(token)' prefixed: \(prefixed)")
                    #expect(range == 2..<(2 + token.utf8.count))
                    #expect(scanner.position == range.upperBound)
                }
            }
        }
    }
}
