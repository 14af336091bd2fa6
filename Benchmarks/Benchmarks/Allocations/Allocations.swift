import ArmMemory
import Benchmark
import Importers
import MMIOTrace
import Platforms
import ReplayEngine
import TraceSynthesis

/// Allocations in steady state (issue 17): `.mtrace` parsing (on the caller's thread and on two
/// parsing threads), replay of a generated mixed trace, and the mmiotrace, QEMU-log and ftrace
/// importers on two threads, counted by the benchmark's malloc interposer, each at two lengths. The cost
/// per event is the difference between the two divided by the events between them (what does
/// not grow with the trace — the topology, the tables — cancels out; on threads, allocations
/// grow with the chunks of ~512 KiB, not with the events). Static thresholds in `Thresholds/`
/// (`make bench-allocations`) fail the run when a count grows.
let benchmarks: @Sendable () -> Void = {
    /// `events` generated mixed events (seed 1) as `.mtrace` text.
    func trace(_ events: Int) -> [UInt8] {
        let generator = WorkloadGenerator(workload: .mixed, events: events, seed: 1)
        let writer = MTraceWriter(topology: generator.topology)
        for event in generator { try! writer.write(event) }
        return Array(writer.text.utf8)
    }
    let policy = AttributePolicy.builtIn(named: "kvm-normal-nc")!
    let platform = PlatformProfile.builtIn(named: "quiet-pcie")!
    let options = ReplayOptions(deviceViewLimit: 0, hazardLimit: 0)

    // The warm-up iteration builds the trace; the static thresholds allow 5% more mallocs. Names
    // without spaces: the plugin writes thresholds files with spaces replaced but reads them back
    // by the name as it is.
    Benchmark.defaultConfiguration = .init(metrics: [.mallocCountTotal], timeUnits: .milliseconds,
                                           warmupIterations: 1, scalingFactor: .one, maxIterations: 3,
                                           thresholds: [.mallocCountTotal: .init(relative: [.p90: 5])])

    for events in [100_000, 400_000] {
        nonisolated(unsafe) var bytes: [UInt8]?
        Benchmark("parse-\(events)-events") { _ in
            bytes = bytes ?? trace(events)
            let reader = try MTraceReader(bytes: bytes!)
            while let event = try reader.next() { blackHole(event) }
        }
        Benchmark("parse-\(events)-events-on-threads") { _ in
            bytes = bytes ?? trace(events)
            let reader = try MTraceReader(text: String(decoding: bytes!, as: UTF8.self), parsingThreads: 2)
            while let event = try reader.next() { blackHole(event) }
        }
        Benchmark("replay-\(events)-events-in-order") { _ in
            bytes = bytes ?? trace(events)
            blackHole(try Replay.run(MTraceReader(bytes: bytes!), policy: policy, platform: platform, options: options))
        }
        nonisolated(unsafe) var mmiotrace: String?
        Benchmark("import-mmiotrace-\(events)-lines-on-threads") { _ in
            mmiotrace = mmiotrace ?? mmiotraceText(events)
            let reader = try MmiotraceReader(text: mmiotrace!, parsingThreads: 2)
            while let event = try reader.next() { blackHole(event) }
        }
        nonisolated(unsafe) var qemuLog: String?
        Benchmark("import-qemu-log-\(events)-lines-on-threads") { _ in
            qemuLog = qemuLog ?? qemuLogText(events)
            let reader = try QEMULogReader(text: qemuLog!, parsingThreads: 2)
            while let event = try reader.next() { blackHole(event) }
        }
        nonisolated(unsafe) var ftrace: String?
        Benchmark("import-ftrace-\(events)-lines-on-threads") { _ in
            ftrace = ftrace ?? ftraceText(events)
            let reader = try FtraceReader(text: ftrace!, parsingThreads: 2)
            while let event = try reader.next() { blackHole(event) }
        }
    }

    /// `lines` accesses to one device's BAR as Linux mmiotrace text.
    func mmiotraceText(_ lines: Int) -> String {
        var text = "VERSION 20070824\nPCIDEV 0100 1b360010 0 fe400000 0 0 0 0 0 0 4000 0 0 0 0 0 0\n"
        for i in 0..<lines {
            let us = 1_000_000 + i
            text += "\(i % 8 == 7 ? "R" : "W") 4 \(us / 1_000_000).\(String(us % 1_000_000 + 1_000_000).dropFirst()) 1 0x\(String(0xfe40_1000 + (i % 64) * 4, radix: 16)) 0x\(String(i & 0xffff, radix: 16)) 0x0 0\n"
        }
        return text
    }

    /// `lines` `kvm_mmio` lines from four vCPU threads, as ftrace writes them.
    func ftraceText(_ lines: Int) -> String {
        var text = "# tracer: nop\n#\n"
        for i in 0..<lines {
            let us = 1_000_000 + i
            text += "       CPU \(i % 4)/KVM-\(1234 + i % 4)  [00\(i % 4)] d..1. \(us / 1_000_000).\(String(us % 1_000_000 + 1_000_000).dropFirst()): kvm_mmio: mmio \(i % 8 == 7 ? "read" : "write") len 4 gpa 0x\(String(0xfe40_1000 + (i % 64) * 4, radix: 16)) val 0x\(String(i & 0xffff, radix: 16))\n"
        }
        return text
    }

    /// `lines` QEMU log lines: the BAR mapped once, then `memory_region_ops_*` accesses.
    func qemuLogText(_ lines: Int) -> String {
        var text = "16635@1795246887.785194:pci_update_mappings_add nvme 01:00.0 0,0xfe400000+0x4000\n"
        for i in 0..<lines {
            let us = 1_000_000 + i
            text += "16635@\(1795246887 + us / 1_000_000).\(String(us % 1_000_000 + 1_000_000).dropFirst()):memory_region_ops_\(i % 8 == 7 ? "read" : "write") cpu 0 mr 0x55b35fb8ff70 addr 0x\(String(0xfe40_1000 + (i % 64) * 4, radix: 16)) value 0x\(String(i & 0xffff, radix: 16)) size 4 name 'nvme'\n"
        }
        return text
    }
}
