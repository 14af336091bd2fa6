import ArmMemory
import Diagnostics
import Faults
import Foundation
import MMIOTrace
import Platforms
import ReplayEngine
import Testing
@testable import Timeline

/// `replay --timeline`: the JSON is a valid Chrome trace whose tracks, spans and instants say
/// what the replay did, lanes never overlap, and observing changes nothing in the report.
@Suite struct ChromeTraceWriterTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A replay with a timeline: the report and the file's bytes.
    static func replay(_ trace: String, faults: [String] = [], policy: String = "kvm-normal-nc", platform: String = "ras-sbsa",
                       schedule: Schedule = .inOrder, deviceViewLimit: Int = 10_000, timeline: Bool = true) throws -> (ReplayReport, Data?) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("timeline-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = timeline ? try ChromeTraceWriter(path: path, title: trace) : nil
        let parsed = try faults.map { text throws(InputError) in try Fault.parse(text, location: SourceLocation(file: "test", line: 1, column: 1)) }
        let report = try Replay.run(MTraceReader(path: root.appendingPathComponent(trace).path), policy: AttributePolicy.builtIn(named: policy)!,
                                    platform: PlatformProfile.builtIn(named: platform)!,
                                    options: ReplayOptions(schedule: schedule, deviceViewLimit: deviceViewLimit, faults: parsed),
                                    timeline: writer)
        try writer?.finish()
        return (report, timeline ? try Data(contentsOf: URL(fileURLWithPath: path)) : nil)
    }

    /// The events of a trace file, checked against the trace-event format as they are read.
    static func events(_ data: Data) throws -> [[String: Any]] {
        let top = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(top["displayTimeUnit"] as? String == "ns")
        let events = try #require(top["traceEvents"] as? [[String: Any]])
        for event in events {
            let phase = try #require(event["ph"] as? String)
            #expect(["M", "X", "i"].contains(phase), "\(event)")
            #expect(event["pid"] as? Int == 1)
            #expect(event["tid"] is Int)
            #expect(event["name"] is String)
            if phase == "X" { #expect(try #require(event["dur"] as? Double) >= 0) }
            if phase == "i" { #expect(event["s"] as? String == "t") }
            if phase != "M" { #expect(try #require(event["ts"] as? Double) >= 0) }
        }
        return events
    }

    static func threadNames(_ events: [[String: Any]]) -> [Int: String] {
        var names: [Int: String] = [:]
        for event in events where event["ph"] as? String == "M" && event["name"] as? String == "thread_name" {
            names[event["tid"] as! Int] = (event["args"] as! [String: Any])["name"] as? String
        }
        return names
    }

    @Test func tracksAndMarkersOfAReclaimWithAFault() throws {
        let (report, data) = try Self.replay("traces/scenarios/reclaim-after-writes.mtrace", faults: ["UR at bar0+0x1008 write"])
        let events = try Self.events(try #require(data))
        let names = Self.threadNames(events)
        for track in ["vcpu0", "host", "interconnect mmio+ecam nvme0", "write buffer vcpu0", "link ↓ (to device)", "link ↑ (to root complex)", "nvme0", "faults and verdicts"] {
            #expect(names.values.contains(track), "track \(track) in \(names.values.sorted())")
        }
        // Every drawn entry is on a named track.
        for event in events where event["ph"] as? String != "M" { #expect(names[event["tid"] as! Int] != nil) }
        let instants = events.filter { $0["ph"] as? String == "i" }.compactMap { $0["name"] as? String }
        for marker in ["dmb oshst", "exit", "unmap bar0 vm0", "tlbi ipas2e1is vm0 0xfe400000", "dsb ish", "reset flr nvme0", "teardown vm0",
                       "fault UR at bar0+0x1008 write", "ready"] {
            #expect(instants.contains(marker), "instant \(marker) in \(instants)")
        }
        let verdicts = instants.filter { $0.hasPrefix("verdict ") }
        #expect(verdicts.sorted() == report.verdicts.map { "verdict \($0.verdict)" }.sorted())
        // One span per TLP on the link, as the summary counts them; the FLR is a span on the device.
        let tlpSpans = events.filter { $0["cat"] as? String == "tlp" }
        #expect(tlpSpans.count == report.summary.tlps.total)
        #expect(events.contains { $0["cat"] as? String == "reset" && $0["ph"] as? String == "X" && ($0["dur"] as! Double) > 0 })
    }

    /// Where ECAM has its own path (split-ecam), the FLR crosses it on its own track.
    @Test func separateECAMPathHasItsOwnTrack() throws {
        let (_, data) = try Self.replay("traces/scenarios/reclaim-after-writes.mtrace", platform: "split-ecam")
        let events = try Self.events(try #require(data))
        let names = Self.threadNames(events)
        let ecam = try #require(names.first { $0.value == "interconnect ecam" }?.key)
        #expect(names.values.contains("interconnect mmio nvme0"))
        #expect(events.filter { $0["tid"] as? Int == ecam && $0["ph"] as? String == "X" }.compactMap { $0["name"] as? String } == ["flr 0x0"])
    }

    @Test(arguments: [Schedule.inOrder, .adversarial])
    func lanesNeverOverlapAndWriteBuffersAreDrawn(schedule: Schedule) throws {
        let (_, data) = try Self.replay("traces/scenarios/write-combining.mtrace", schedule: schedule)
        let events = try Self.events(try #require(data))
        #expect(Self.threadNames(events).values.contains("write buffer vcpu0"))
        var spans: [Int: [(start: Int64, end: Int64)]] = [:]
        for event in events where event["ph"] as? String == "X" {
            let start = Int64(((event["ts"] as! Double) * 1_000_000).rounded())
            let end = start + Int64(((event["dur"] as! Double) * 1_000_000).rounded())
            spans[event["tid"] as! Int, default: []].append((start, end))
        }
        #expect(!spans.isEmpty)
        for (tid, lane) in spans {
            let sorted = lane.sorted { $0.start < $1.start }
            for (a, b) in zip(sorted, sorted.dropFirst()) { #expect(a.end <= b.start, "lane \(tid): \(a) overlaps \(b)") }
        }
    }

    @Test func observingChangesNothingAndIsDeterministic() throws {
        for limit in [2, 10_000] {
            let trace = "traces/scenarios/posted-write-ur.mtrace"
            let (plain, _) = try Self.replay(trace, schedule: .adversarial, deviceViewLimit: limit, timeline: false)
            let (observed, first) = try Self.replay(trace, schedule: .adversarial, deviceViewLimit: limit)
            let (_, second) = try Self.replay(trace, schedule: .adversarial, deviceViewLimit: limit)
            #expect(observed == plain, "device view limit \(limit)")
            #expect(first == second)
        }
    }

    @Test func timesAndStrings() {
        #expect(ChromeTraceWriter.microseconds(0) == "0.000000")
        #expect(ChromeTraceWriter.microseconds(1) == "0.000001")
        #expect(ChromeTraceWriter.microseconds(12_345_678_901) == "12345.678901")
        #expect(ChromeTraceWriter.quoted("a\"b\\c\nd\u{1}é") == "\"a\\\"b\\\\c\\nd\\u0001é\"")
    }
}
