import Diagnostics
import Foundation
import SeededRandom
import Testing
@testable import MMIOTrace

/// Parsing a trace's events on several threads, in chunks, changes nothing a consumer can see:
/// the same events, lines and first error as one thread line by line, wherever the chunks split
/// the input and however lines end.
@Suite struct ParallelEventParsingTests {
    private struct Drained: Equatable {
        var events: [TraceEvent] = []
        var lines: [Int] = []
        var error: String?
    }

    /// Where two drains first differ, for a short failure message.
    private func difference(_ a: Drained, _ b: Drained) -> String? {
        if let i = (0..<min(a.events.count, b.events.count)).first(where: { a.events[$0] != b.events[$0] || a.lines[$0] != b.lines[$0] }) {
            return "event \(i): \(a.events[i]) line \(a.lines[i]) vs \(b.events[i]) line \(b.lines[i])"
        }
        if a.events.count != b.events.count { return "\(a.events.count) vs \(b.events.count) events" }
        if a.error != b.error { return "error \(a.error ?? "none") vs \(b.error ?? "none")" }
        return nil
    }

    private func drain(_ source: some TraceEventSource) -> Drained {
        var drained = Drained()
        do {
            while let event = try source.next() {
                drained.events.append(event)
                drained.lines.append(source.line)
            }
        } catch {
            drained.error = "\(error)"
        }
        return drained
    }

    @Test func inMemoryTextSplitAnywhereGivesTheSameAsOneThread() throws {
        for seed in UInt64(1)...40 {
            var random = SplitMix64(seed: seed &* 7919)
            let count = Int(random.next(below: 300))
            let malformed = seed % 3 == 0 && count > 0 ? Int(random.next(below: UInt64(count))) : nil
            let text = randomTraceText(events: count, seed: seed, malformedAt: malformed, unterminated: seed % 5 == 0)
            let serial = drain(try MTraceReader(text: text, fileName: "t.mtrace"))
            #expect((serial.error != nil) == (malformed != nil), "seed \(seed)")
            for threads in [2, 3] {
                let chunkSize = 1 + Int(random.next(below: 400))
                let parallel = drain(try MTraceReader(text: text, fileName: "t.mtrace", parsingThreads: threads, chunkSize: chunkSize))
                #expect(difference(parallel, serial) == nil, "seed \(seed), \(threads) threads, chunks of \(chunkSize) bytes")
            }
        }
    }

    /// A file larger than the header's read buffer, so that chunks come from the descriptor too.
    @Test func aLargeFileGivesTheSameAsOneThread() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("parallel-\(UUID()).mtrace").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        for (seed, malformed) in [(UInt64(1), nil), (2, 80_000)] as [(UInt64, Int?)] {
            try randomTraceText(events: 100_000, seed: seed, malformedAt: malformed).write(toFile: path, atomically: true, encoding: .utf8)
            let serial = drain(try MTraceReader(path: path, parsingThreads: 1))
            #expect(serial.events.count == malformed ?? 100_000)
            for chunkSize in [4096, 1 << 19] {
                #expect(difference(drain(try MTraceReader(path: path, parsingThreads: 2, chunkSize: chunkSize)), serial) == nil, "chunks of \(chunkSize)")
            }
        }
    }

    @Test func anOverlongLineIsTheSameErrorAtTheSameLine() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("overlong-\(UUID()).mtrace").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let text = randomTraceText(events: 2000, seed: 9) + "1 host mark " + String(repeating: "x", count: 1 << 20) + "\n" + randomTraceText(events: 10, seed: 9)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let serial = drain(try MTraceReader(path: path, parsingThreads: 1))
        #expect(serial.error?.contains("line longer than") == true)
        #expect(difference(drain(try MTraceReader(path: path, parsingThreads: 2, chunkSize: 1000)), serial) == nil)
    }

    @Test func aFileWithOnlyAHeaderOrOneEventEnds() throws {
        for text in ["mtrace 1\n", "mtrace 1\n5 host isb", "mtrace 1\n5 host isb\n\n# end\n"] {
            let serial = drain(try MTraceReader(text: text))
            #expect(difference(drain(try MTraceReader(text: text, parsingThreads: 2, chunkSize: 3)), serial) == nil)
        }
    }

    /// A consumer that stops early drops the reader while its threads still parse: they stop at
    /// their next chunk; the end repeats for one that read to it.
    @Test func aConsumerMayStopEarlyAndTheEndRepeats() throws {
        let text = randomTraceText(events: 3000, seed: 4)
        for _ in 0..<30 {
            let reader = try MTraceReader(text: text, parsingThreads: 2, chunkSize: 512)
            #expect(try reader.next() != nil)
            #expect(try reader.next() != nil)
        }
        let reader = try MTraceReader(text: text, parsingThreads: 2, chunkSize: 512)
        #expect(drain(reader).events.count == 3000)
        #expect(try reader.next() == nil)
        #expect(try reader.next() == nil)
        #expect(reader.readsAhead)
        #expect(ReadAheadSource.wrapping(reader) === reader)
    }
}
