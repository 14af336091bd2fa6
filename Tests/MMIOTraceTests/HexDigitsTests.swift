import MMIOTrace
import SeededRandom
import Testing

/// `hexDigits(from:limit:)` reads a table where `hexDigitValue` compares: the two agree on every
/// byte, and the run it decodes is the one a reference decoder finds, on random bytes that mix
/// digits, letters of both cases and the bytes next to them ('/', ':', '@', 'G', '`', 'g').
@Suite struct HexDigitsTests {
    @Test func everyByteHasTheValueItsDigitHas() {
        for byte in UInt8.min...UInt8.max {
            let text: [UInt8] = [byte, 0x20]
            let (value, end) = text.withUnsafeBufferPointer { $0.hexDigits(from: 0) }
            #expect(end == (byte.hexDigitValue == nil ? 0 : 1), "byte \(byte)")
            #expect(value == (byte.hexDigitValue ?? 0), "byte \(byte)")
        }
    }

    @Test func decodesTheRunAReferenceFinds() {
        var random = SplitMix64(seed: 17)
        let alphabet = Array("0123456789abcdefABCDEF/:@G`g x".utf8)
        for _ in 0..<2000 {
            let bytes = (0..<Int(random.next(below: 30))).map { _ in alphabet[Int(random.next(below: UInt64(alphabet.count)))] }
            let start = Int(random.next(below: UInt64(bytes.count + 1)))
            let limit = random.oneIn(2) ? nil : start + Int(random.next(below: UInt64(bytes.count - start + 1)))
            var end = start
            var expected: UInt64 = 0
            while end < (limit ?? bytes.count), let digit = Character(UnicodeScalar(bytes[end])).hexDigitValue {
                expected = expected << 4 | UInt64(digit)
                end += 1
            }
            let found = bytes.withUnsafeBufferPointer { $0.hexDigits(from: start, limit: limit) }
            #expect(found.end == end && found.value == expected, "\(String(decoding: bytes, as: UTF8.self)) from \(start)")
        }
    }
}
