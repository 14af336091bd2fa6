import Foundation
import Importers
import MMIOTrace
import SeededRandom
import Testing

/// The first pass over a QEMU log, read on several threads in chunks and merged in file order,
/// learns exactly what one thread line by line learns: the same devices and BARs in the same
/// order, the same first names, mappings, threads and first time, the same first error.
@Suite struct QEMULogParallelSurveyTests {
    private struct Read: Equatable {
        var topology: Topology?
        var agentKeys: [String] = []
        var template = ""
        var events: [TraceEvent] = []
        var warnings: [String] = []
        var error: String?
    }

    private func read(_ text: String, threads: Int, chunkSize: Int) -> Read {
        var read = Read()
        do {
            let reader = try QEMULogReader(text: text, fileName: "q.log", surveyThreads: threads, chunkSize: chunkSize)
            read.topology = reader.topology
            read.agentKeys = reader.agentKeys
            read.template = reader.sideFileTemplate()
            while let event = try reader.next() { read.events.append(event) }
            read.warnings = reader.warnings.map(\.description)
        } catch {
            read.error = "\(error)"
        }
        return read
    }

    /// The real captures' lines, reordered in random blocks (so that devices, BARs and threads
    /// first appear in other orders and in other chunks), sometimes with a malformed line.
    @Test func reorderedCapturesGiveTheSameTopologyAsOneThread() throws {
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
                if seed % 3 == 0 { shuffled.insert("1@1.000000:pci_update_mappings_add nvme 01:00.0 0,0xzz+0x4000", at: Int(random.next(below: UInt64(shuffled.count)))) }
                let text = shuffled.joined(separator: "\n")
                let serial = read(text, threads: 1, chunkSize: 1 << 19)
                #expect((serial.error != nil) == (seed % 3 == 0), "\(url.lastPathComponent) seed \(seed): \(serial.error ?? "")")
                for threads in [2, 3] {
                    let chunkSize = 64 + Int(random.next(below: 20_000))
                    let parallel = read(text, threads: threads, chunkSize: chunkSize)
                    #expect(parallel == serial, "\(url.lastPathComponent) seed \(seed), \(threads) threads, chunks of \(chunkSize) bytes")
                }
            }
        }
    }

    /// From a file, the pass opens the log anew: the events then read from the start.
    @Test func aFileGivesTheSameAsOneThread() throws {
        let path = captures.appendingPathComponent("x86-q35-full.log").path
        let serial = try QEMULogReader(path: path, surveyThreads: 1)
        let parallel = try QEMULogReader(path: path, surveyThreads: 2, chunkSize: 4096)
        #expect(parallel.topology == serial.topology)
        #expect(drain(parallel).events == drain(serial).events)
    }
}
