import Foundation
import Importers
import MMIOTrace
import SeededRandom
import Testing

/// Parsing a capture's events on several threads, in chunks, changes nothing a consumer can see:
/// the same events, lines, warnings and first error as one thread line by line, wherever the
/// chunks split the capture. Warnings are the hard part: time going back across a chunk
/// boundary, a lost-events mark that takes the time of an event in an earlier chunk, and the
/// warning limit.
@Suite struct MmiotraceParallelTests {
    private func drain(_ open: () throws -> MmiotraceReader) -> CaptureDrain { CaptureDrain(open) }

    private func difference(_ a: CaptureDrain, _ b: CaptureDrain) -> String? { a.difference(from: b) }

    /// A capture of `lines` lines after its header: accesses whose time now and then goes back,
    /// lost-events marks (some in a row), undecodable accesses, maps (inside a BAR, past its end
    /// or outside every BAR), devices declared late, comments and blank lines; one malformed
    /// line at `malformedAt`, if given: an access, or a line the topology reads.
    private func captureText(lines: Int, seed: UInt64, malformedAt: Int? = nil, unterminated: Bool = false) -> String {
        var random = SplitMix64(seed: seed)
        var text = "VERSION 20070824\nPCIDEV 0100 1b360010 0 fe400000 0 0 0 0 0 0 4000 0 0 0 0 0 0\n"
        var time: UInt64 = 1_000_000
        var devices = 0
        func stamp() -> String {
            if random.oneIn(6) { time -= min(time, random.next(below: 50)) } else { time += random.next(below: 20) }
            return "\(time / 1_000_000).\(String(repeating: "0", count: 6 - String(time % 1_000_000).count))\(time % 1_000_000)"
        }
        for i in 0..<lines {
            if i == malformedAt {
                text += [
                    "W 3 \(stamp()) 1 0xfe400000 0x1 0x0 0\n", "MAP \(stamp()) 2 0xfe400000 0xffff0 0x0 0x0 0\n",
                    "PCIDEV 0100 1b360010 0 fe400000 0 0 0 0 0 0 4000 0 0 0 0 0 0\n",
                ][Int(seed % 3)]
                continue
            }
            if random.oneIn(40) {
                switch random.next(below: 4) {
                case 0: text += "MAP \(stamp()) 3 0x\(String(0x1000_0000 + random.next(below: 64) * 0x1000, radix: 16)) 0xffff1000 0x2000 0x0 0\n"
                case 1: text += "MAP \(stamp()) 4 0xfe403000 0xffff2000 0x2000 0x0 0\n"
                case 2:
                    devices += 1
                    text += "PCIDEV \(String(0x1000 + devices, radix: 16)) 80861234 0 \(String(0x2000_0000 + 0x10000 * devices, radix: 16)) 0 0 0 0 0 0 1000 0 0 0 0 0 0\n"
                default: text += "VERSION 2007\(random.next(below: 2))824\n"
                }
                continue
            }
            let address = "0x" + String(0xfe40_0000 + random.next(below: 0x1000) * 4, radix: 16)
            switch random.next(below: 20) {
            case 0: text += "MARK \(stamp()) Lost \(random.next(below: 9) + 1) events.\n"
            case 1: text += "UNKNOWN \(stamp()) 1 \(address) 0x0 0x0 0\n"
            case 2: text += "MAP \(stamp()) 2 0xfe400000 0xffff00000 0x4000 0x0 \(random.next(below: 3))\n"
            case 3: text += "UNMAP \(stamp()) 2 0x0 0\n"
            case 4: text += "MARK \(stamp()) phase \(i)\n"
            case 5: text += random.oneIn(2) ? "# comment\n" : "\n"
            default:
                let width = [1, 2, 4, 8][Int(random.next(below: 4))]
                let value = random.next() >> (64 - UInt64(width) * 8)
                text += "\(random.oneIn(2) ? "R" : "W") \(width) \(stamp()) 1 \(address) 0x\(String(value, radix: 16)) 0x0 \(random.next(below: 2))\n"
            }
        }
        return unterminated && text.hasSuffix("\n") ? String(text.dropLast()) : text
    }

    @Test func inMemoryCapturesSplitAnywhereGiveTheSameAsOneThread() throws {
        for seed in UInt64(1)...40 {
            var random = SplitMix64(seed: seed &* 104_729)
            let count = Int(random.next(below: seed % 4 == 0 ? 2000 : 300))
            let malformed = seed % 3 == 0 && count > 0 ? Int(random.next(below: UInt64(count))) : nil
            let text = captureText(lines: count, seed: seed, malformedAt: malformed, unterminated: seed % 5 == 0)
            let serial = drain { try MmiotraceReader(text: text, fileName: "c.mmiotrace") }
            #expect((serial.error != nil) == (malformed != nil), "seed \(seed)")
            for threads in [2, 3] {
                let chunkSize = 1 + Int(random.next(below: 400))
                let parallel = drain { try MmiotraceReader(text: text, fileName: "c.mmiotrace", parsingThreads: threads, chunkSize: chunkSize) }
                #expect(difference(parallel, serial) == nil, "seed \(seed), \(threads) threads, chunks of \(chunkSize) bytes")
            }
        }
    }

    /// A file larger than the line reader's buffer, so that chunks come from the descriptor too;
    /// thousands of warnings, beyond the limit.
    @Test func aLargeFileGivesTheSameAsOneThread() throws {
        // An access, then a MAP line, malformed (`captureText` picks by the seed).
        for (seed, malformed) in [(UInt64(1), nil), (3, 70_000), (4, 70_000)] as [(UInt64, Int?)] {
            let path = try temporaryFile(captureText(lines: 80_000, seed: seed, malformedAt: malformed), suffix: ".mmiotrace")
            defer { try? FileManager.default.removeItem(atPath: path) }
            let serial = drain { try MmiotraceReader(path: path, parsingThreads: 1) }
            #expect((serial.error != nil) == (malformed != nil), "\(serial.error ?? "")")
            if malformed == nil {
                #expect(serial.warnings.last?.hasSuffix("more warnings not shown") == true)
                #expect(serial.topology?.devices.count ?? 0 > 50)
            }
            for chunkSize in [4096, 1 << 19] {
                #expect(difference(drain { try MmiotraceReader(path: path, parsingThreads: 2, chunkSize: chunkSize) }, serial) == nil, "chunks of \(chunkSize)")
            }
        }
    }

    /// The topology's first malformed line is the error even when the line splitting meets an
    /// over-long line in a later chunk first; an over-long line before it comes first.
    @Test func theFirstErrorInTheFileWinsAcrossPasses() throws {
        let badMap = "MAP 1.000000 2 0xfe400000 0xffff0 0x0 0x0 0\n"
        let overlong = "MARK 1.000000 " + String(repeating: "x", count: 70_000) + "\n"
        let filler = String(repeating: "W 4 1.000000 1 0xfe400000 0x1 0x0 0\n", count: 2000)
        for text in ["VERSION 20070824\n" + badMap + filler + overlong, "VERSION 20070824\n" + filler + overlong + badMap] {
            let path = try temporaryFile(text, suffix: ".mmiotrace")
            defer { try? FileManager.default.removeItem(atPath: path) }
            let serial = drain { try MmiotraceReader(path: path, parsingThreads: 1) }
            #expect(serial.error != nil)
            #expect(difference(drain { try MmiotraceReader(path: path, parsingThreads: 2, chunkSize: 4096) }, serial) == nil)
        }
    }

    /// A lost-events mark takes the time of the last timed event, however far back it was.
    @Test func aLostEventsMarkTakesTheTimeOfAnEventInAnEarlierChunk() throws {
        let text = "VERSION 20070824\nW 4 2.000000 1 0x1000 0x1 0x0 0\n" + String(repeating: "# filler\n", count: 50)
            + "MARK 9.000000 Lost 3 events.\nMARK 9.000000 Lost 1 events.\nW 4 1.000000 1 0x1000 0x2 0x0 0\n"
        let serial = drain { try MmiotraceReader(text: text) }
        #expect(serial.events.map(\.time.nanoseconds) == [2_000_000_000, 2_000_000_000, 2_000_000_000, 1_000_000_000])
        #expect(serial.warnings.count == 3 && serial.warnings[2].contains("time goes back from 2.000000 to 1.000000"))
        for chunkSize in [1, 40, 100] {
            #expect(difference(drain { try MmiotraceReader(text: text, parsingThreads: 2, chunkSize: chunkSize) }, serial) == nil, "chunks of \(chunkSize)")
        }
    }
}
