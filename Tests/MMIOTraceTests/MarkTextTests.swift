import Dispatch
import MMIOTrace
import Synchronization
import Testing

/// Interned mark texts compare and hash as their text, give back the text they were made from,
/// and stay consistent when threads intern the same texts at once (the importers parse on every
/// core).
@Suite struct MarkTextTests {
    @Test func equalTextsAreEqualMarks() {
        let texts = ["", "init", "io phase 2", "x: y=z", "step 2: ring the doorbell ✓", "ioremap map 3 0xfe000000 size 0x4000"]
        for a in texts {
            #expect(MarkText(a).text == a)
            for b in texts {
                #expect((MarkText(a) == MarkText(b)) == (a == b), "\(a) vs \(b)")
                if a == b { #expect(MarkText(a).hashValue == MarkText(b).hashValue) }
            }
        }
        #expect(Set(texts.map { MarkText($0) }).count == texts.count)
    }

    @Test func threadsInterningTheSameTextsAgree() {
        let texts = (0..<2_000).map { "concurrent mark \($0 % 500) of \($0 % 7)" }
        let lanes = 4
        let marks = Mutex([[MarkText]](repeating: [], count: lanes))
        DispatchQueue.concurrentPerform(iterations: lanes) { lane in
            let interned = (lane % 2 == 0 ? texts : texts.reversed()).map { MarkText($0) }
            marks.withLock { $0[lane] = interned }
        }
        let byLane = marks.withLock { $0 }
        for lane in 0..<lanes {
            let inOrder = lane % 2 == 0 ? byLane[lane] : byLane[lane].reversed()
            #expect(inOrder == byLane[0])
            #expect(inOrder.map(\.text) == texts)
        }
    }

    /// A parser's memo of marks (as the mmiotrace importer keeps) gives the mark of the text its
    /// bytes spell, whether it has seen them before or not, in any order, with invalid UTF-8
    /// replaced as `String(decoding:)` does.
    @Test func aMemoGivesTheMarkOfTheBytes() {
        let lines: [[UInt8]] = [Array("barrier".utf8), Array("barrier".utf8), Array("entry".utf8), [], Array("barrier".utf8),
                                [0x66, 0xff, 0x6f], Array("entry".utf8), Array("barriers".utf8), Array("barrie".utf8), [0x66, 0xff, 0x6f]]
        var marks = NameMemo<MarkText>()
        for line in lines {
            let mark = line.withUnsafeBufferPointer { bytes in marks.value(of: bytes) { MarkText(String(decoding: bytes, as: UTF8.self)) } }
            let text = String(decoding: line, as: UTF8.self)
            #expect(mark == MarkText(text), "\(text)")
            #expect(mark.text == text)
        }
    }
}
