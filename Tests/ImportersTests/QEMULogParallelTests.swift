import Foundation
import Importers
import MMIOTrace
import SeededRandom
import Testing

/// A QEMU log read on several threads in chunks gives exactly what one thread line by line
/// gives. The survey, merged in file order: the same devices and BARs in the same order, the
/// same first names, mappings, threads and first time. The events, settled in file order: the
/// same events and lines, warnings, counts and first error.
@Suite struct QEMULogParallelTests {
    private struct Read: Equatable {
        var topology: Topology?
        var agentKeys: [String] = []
        var template = ""
        var events: [TraceEvent] = []
        var lines: [Int] = []
        var warnings: [String] = []
        var warningCount = 0
        var counts: [Int] = []
        var ignored: [String: Int] = [:]
        var unknown: [String: Int] = [:]
        var error: String?
    }

    private func read(_ text: String, threads: Int, chunkSize: Int) -> Read {
        var read = Read()
        do {
            let reader = try QEMULogReader(text: text, fileName: "q.log", parsingThreads: threads, chunkSize: chunkSize)
            read.topology = reader.topology
            read.agentKeys = reader.agentKeys
            read.template = reader.sideFileTemplate()
            defer {
                read.warnings = reader.warnings.map(\.description)
                read.warningCount = reader.warningCount
                read.counts = [reader.continuationLines, reader.otherLines, reader.line]
                read.ignored = reader.ignored
                read.unknown = reader.unknownEvents
            }
            while let event = try reader.next() {
                read.events.append(event)
                read.lines.append(reader.line)
            }
        } catch {
            read.error = "\(error)"
        }
        return read
    }

    /// The real captures' lines, reordered in random blocks (so that devices, BARs and threads
    /// first appear in other orders and in other chunks, mappings change and time goes back),
    /// sometimes with a line the survey rejects, or one only the events' pass reads.
    @Test func reorderedCapturesGiveTheSameAsOneThread() throws {
        let logs = ["x86-q35-full.log", "arm64-virt-full.log"].map { captures.appendingPathComponent($0) }
            + [fixtures.appendingPathComponent("qemu/vfio.log")]
        for (index, url) in logs.enumerated() {
            let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            for seed in UInt64(1)...6 {
                var random = SplitMix64(seed: seed &* 31 &+ UInt64(index))
                var blocks: [ArraySlice<Substring>] = []
                var start = 0
                while start < lines.count {
                    let length = 1 + Int(random.next(below: 400))
                    blocks.append(lines[start..<min(start + length, lines.count)])
                    start += length
                }
                for i in stride(from: blocks.count - 1, to: 0, by: -1) { blocks.swapAt(i, Int(random.next(below: UInt64(i + 1)))) }
                var shuffled = blocks.flatMap { $0 }
                // Seeds 3 and 6: a line the survey rejects; 2 and 5: one only the events' pass
                // reads; 4: an over-long line (the survey meets it first).
                let malformed: [UInt64: String] = [
                    0: "1@1.000000:pci_update_mappings_add nvme 01:00.0 0,0xzz+0x4000", 2: "1@0.500000:msix_write_config garbage",
                    4: String(repeating: "x", count: 70_000),
                ]
                let bad = malformed[seed == 4 ? 4 : seed % 3]
                if let bad { shuffled.insert(Substring(bad), at: Int(random.next(below: UInt64(shuffled.count)))) }
                let text = shuffled.joined(separator: "\n")
                let serial = read(text, threads: 1, chunkSize: 1 << 19)
                #expect((serial.error != nil) == (bad != nil), "\(url.lastPathComponent) seed \(seed): \(serial.error ?? "")")
                #expect(seed % 3 != 2 || !serial.events.isEmpty)
                for threads in [2, 3] {
                    let chunkSize = 64 + Int(random.next(below: 20_000))
                    let parallel = read(text, threads: threads, chunkSize: chunkSize)
                    #expect(parallel == serial, "\(url.lastPathComponent) seed \(seed), \(threads) threads, chunks of \(chunkSize) bytes")
                }
            }
        }
    }

    /// A line whose event cannot be read still moves time first: its warning comes before the
    /// error, as line by line.
    @Test func aLineThatFailsStillCountsItsTime() throws {
        let text = """
            1@10.000000:pci_update_mappings_add nvme 01:00.0 0,0xfe400000+0x4000
            1@10.000001:memory_region_ops_write cpu 0 mr 0x1 addr 0xfe400014 value 0x1 size 4 name 'nvme'
            1@9.000000:msix_write_config garbage
            """
        for threads in [1, 2] {
            let read = read(text, threads: threads, chunkSize: 100)
            #expect(read.events.count == 1)
            #expect(read.error?.hasPrefix("q.log:3:") == true, "\(read.error ?? "")")
            #expect(read.warnings == [
                "q.log:3:1: warning: time is 1000000000 ns before the log's first timestamp; the event is placed at 0",
                "q.log:3:1: warning: time goes backwards by 1000 ns; the event keeps its time",
            ])
        }
    }

    /// From a file, the pass opens the log anew: the events then read from the start.
    @Test func aFileGivesTheSameAsOneThread() throws {
        let path = captures.appendingPathComponent("x86-q35-full.log").path
        let serial = try QEMULogReader(path: path, parsingThreads: 1)
        let parallel = try QEMULogReader(path: path, parsingThreads: 2, chunkSize: 4096)
        #expect(parallel.topology == serial.topology)
        #expect(drain(parallel).events == drain(serial).events)
    }
}
