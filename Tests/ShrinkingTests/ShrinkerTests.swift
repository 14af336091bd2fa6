import ArmMemory
import Diagnostics
import Faults
import Foundation
import Importers
import MMIOTrace
import Platforms
import ReplayEngine
@testable import Shrinking
import Testing
import Verdicts

/// The shrinker keeps the verdict and is 1-minimal (docs/shrink.md).
@Suite struct ShrinkerTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every single event of `result` is needed: without it the verdict is gone.
    static func expectOneMinimal(_ shrinker: Shrinker, _ events: [TraceEvent]) throws {
        #expect(try shrinker.holds(events))
        for i in events.indices {
            var without = events
            without.remove(at: i)
            #expect(try !shrinker.holds(without), "event \(i) of \(events.count) is not needed")
        }
    }

    @Test func aReclaimRaceShrinksToTheWriteAndTheUnmap() throws {
        let path = Self.root.appendingPathComponent("traces/scenarios/reclaim-after-writes.mtrace").path
        let trace = try LoadedTrace(reading: MTraceReader(path: path), name: "reclaim")
        let shrinker = Shrinker(topology: trace.topology, policy: .kvmNormalNC, platform: PlatformProfile.builtIn(named: "split-ecam")!,
                                options: ReplayOptions(schedule: .adversarial), verdict: .postReclaimWrite)
        let result = try shrinker.shrink(trace.events)
        #expect(result.events.count < trace.events.count)
        #expect(result.events.contains { if case .unmap = $0.kind { true } else { false } })
        try Self.expectOneMinimal(shrinker, result.events)
    }

    /// A real capture with an injected fault: the kept events are the reads the fault's
    /// occurrence counts (the fault fires at the 5th), nothing else.
    @Test func aCaptureShrinksToTheReadsItsFaultCounts() throws {
        let path = Self.root.appendingPathComponent("traces/captures/x86-q35-nvme-e1000e.mmiotrace").path
        let settings = try CaptureSettings.resolve(Self.root.appendingPathComponent("traces/captures/x86-q35-nvme-e1000e.yaml").path)
        let trace = try LoadedTrace(reading: openTrace(path: path, format: .mmiotrace, settings: settings), name: "capture")
        var topology = trace.topology
        let fault = try Fault.parse("CA at dev-02-00-0-bar0+0x8 read #5", location: Diagnostics.SourceLocation(file: "test", line: 1, column: 1))
        topology.directives.append(TraceDirective(keyword: "fault", text: fault.description, location: Diagnostics.SourceLocation(file: "test", line: 1, column: 1)))
        let shrinker = Shrinker(topology: topology, policy: .kvmNormalNC, platform: PlatformProfile.builtIn(named: "ras-sbsa")!,
                                options: ReplayOptions(deviceViewLimit: 0, hazardLimit: 0), verdict: .hostPanic)
        let result = try shrinker.shrink(trace.events)
        #expect(trace.events.count > 9_000)
        #expect(result.events.count == 5, "\(result.events.count) events kept")
        try Self.expectOneMinimal(shrinker, result.events)
    }

    @Test func aTraceWithoutTheVerdictIsRefused() throws {
        let path = Self.root.appendingPathComponent("traces/nvme-doorbell.mtrace").path
        let trace = try LoadedTrace(reading: MTraceReader(path: path), name: "doorbell")
        let shrinker = Shrinker(topology: trace.topology, policy: .kvmNormalNC, platform: PlatformProfile.builtIn(named: "quiet-pcie")!,
                                options: ReplayOptions(), verdict: .hostPanic)
        #expect(throws: ShrinkError.self) { try shrinker.shrink(trace.events) }
    }

    @Test func chunksCoverEveryItemOnce() {
        for count in 1...40 {
            for n in 1...count {
                let chunks = Shrinker.split(Array(0..<count), into: n)
                #expect(chunks.flatMap { $0 } == Array(0..<count) && chunks.count == n)
            }
        }
    }
}
