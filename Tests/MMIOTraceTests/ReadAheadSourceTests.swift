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

    @Test(arguments: [1, 2, 3, 7, 64])
    func sameEventsLinesAndErrorsForAnyBatchSize(batchSize: Int) throws {
        for seed in UInt64(1)...12 {
            var random = SplitMix64(seed: seed &* 977)
            let count = [0, 1, batchSize, batchSize * 3, Int(random.next(below: 200))][Int(seed % 5)]
            let text = randomTraceText(events: count, seed: seed, malformedAt: seed % 2 == 0 ? count : nil)
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
        let reader = try MTraceReader(text: randomTraceText(events: 5, seed: 3), fileName: "t.mtrace")
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
            let source = ReadAheadSource(try MTraceReader(text: randomTraceText(events: 500, seed: 5)), batchSize: 8)
            #expect(try source.next() != nil)
        }
        _ = ReadAheadSource(try MTraceReader(text: randomTraceText(events: 5, seed: 5)))
    }
}
