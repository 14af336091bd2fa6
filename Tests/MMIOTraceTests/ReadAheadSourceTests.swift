import Diagnostics
import SeededRandom
import Testing
@testable import MMIOTrace

/// Reading ahead on a second thread changes nothing a consumer can see: the same events, lines
/// and errors, in the same order, for any batch size.
@Suite struct ReadAheadSourceTests {
    /// Every event with the line it came from, read directly or through a read-ahead source.
    private func drain(_ source: some TraceEventSource) -> (events: [TraceEvent], lines: [Int], error: String?) {
        var events: [TraceEvent] = [], lines: [Int] = []
        do {
            while let event = try source.next() {
                events.append(event)
                lines.append(source.line)
            }
            return (events, lines, nil)
        } catch {
            return (events, lines, "\(error)")
        }
    }

    /// A trace of `count` events of varied kinds and line shapes (blank lines and comments too),
    /// chosen by `seed`, optionally with a malformed line after them.
    private func trace(events count: Int, seed: UInt64, malformedAtEnd: Bool) -> String {
        var random = SplitMix64(seed: seed)
        var text = """
            mtrace 1
            device nvme0 bdf=0000:01:00.0 model=nvme
            region bar0 device=nvme0 kind=bar base=0xfe400000 size=0x4000 bar=0
            map vm0 bar0 device-ngnre

            """
        for i in 0..<count {
            let time = 100 * i
            switch random.next(below: 6) {
            case 0: text += "\(time) vcpu\(random.next(below: 3)) write bar0+0x\(String(random.next(below: 0x400) * 4, radix: 16)) 4 0x\(i)\n"
            case 1: text += "\(time) vcpu0 read bar0+0x1c 4 -> 0x1\n"
            case 2: text += "\(time) vcpu1 dmb oshst\n"
            case 3: text += "\(time) host mark step \(i)\n"
            case 4: text += "# a comment\n\n\(time) vcpu0 dsb sy\n"
            default: text += "\(time) vmm cfg-read nvme0 0x0 4 -> 0x101b36\n"
            }
        }
        if malformedAtEnd { text += "\(100 * count) vcpu0 write bar0+0x0 4 0x123456789\n" }
        return text
    }

    @Test(arguments: [1, 2, 3, 7, 64])
    func sameEventsLinesAndErrorsForAnyBatchSize(batchSize: Int) throws {
        for seed in UInt64(1)...12 {
            var random = SplitMix64(seed: seed &* 977)
            let count = [0, 1, batchSize, batchSize * 3, Int(random.next(below: 200))][Int(seed % 5)]
            let text = trace(events: count, seed: seed, malformedAtEnd: seed % 2 == 0)
            let direct = drain(try MTraceReader(text: text, fileName: "t.mtrace"))
            let ahead = drain(ReadAheadSource(try MTraceReader(text: text, fileName: "t.mtrace"), batchSize: batchSize, batches: 2))
            #expect(ahead.events == direct.events, "seed \(seed), \(count) events")
            #expect(ahead.lines == direct.lines, "seed \(seed)")
            #expect(ahead.error == direct.error, "seed \(seed)")
            #expect(direct.events.count == count)
            #expect((direct.error != nil) == (seed % 2 == 0))
        }
    }

    @Test func theTopologyIsKnownBeforeTheFirstEventAndTheEndRepeats() throws {
        let reader = try MTraceReader(text: trace(events: 5, seed: 3, malformedAtEnd: false), fileName: "t.mtrace")
        let source = ReadAheadSource(reader, batchSize: 2)
        #expect(source.topology == reader.topology)
        #expect(source.fileName == "t.mtrace")
        #expect(drain(source).events.count == 5)
        #expect(try source.next() == nil)
        #expect(try source.next() == nil)
    }

    /// A consumer that stops early (a replay that fails) drops the source; the reading thread
    /// then stops at its next batch instead of reading on or waiting forever.
    @Test func aConsumerMayStopEarly() throws {
        for _ in 0..<50 {
            let source = ReadAheadSource(try MTraceReader(text: trace(events: 500, seed: 5, malformedAtEnd: false)), batchSize: 8)
            #expect(try source.next() != nil)
        }
        _ = ReadAheadSource(try MTraceReader(text: trace(events: 5, seed: 5, malformedAtEnd: false)))
    }
}
