import Diagnostics
import Foundation
import Importers
import MMIOTrace
import PCIeTransport
import Testing

/// The fixtures directory of this test target.
let qemuFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

/// Every event of a reader.
func drain(_ reader: QEMULogReader) throws -> [TraceEvent] {
    var events: [TraceEvent] = []
    while let event = try reader.next() { events.append(event) }
    return events
}

/// The error reading `text` produces, from the first pass or from the stream.
func qemuLogError(_ text: String, mapping: QEMULogMapping = .builtIn) -> String? {
    do {
        _ = try drain(QEMULogReader(text: text, fileName: "t.log", mapping: mapping))
        return nil
    } catch {
        return "\(error)"
    }
}

@Suite struct QEMULogSampleTests {
    static let path = captures.appendingPathComponent("x86-q35-nvme.log").path
    static let lines = try! String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")

    /// Lines whose event (after the `TID@sec.usec:` prefix) starts with `event ` and that contain `needle`.
    static func count(_ event: String, _ needle: String = "") -> Int {
        lines.filter { line in
            guard let colon = line.firstIndex(of: ":") else { return false }
            return line[line.index(after: colon)...].hasPrefix(event + " ") && (needle.isEmpty || line.contains(needle))
        }.count
    }

    @Test func topologyFromTheFirstPass() throws {
        let reader = try QEMULogReader(path: Self.path)
        let devices = reader.topology.devices
        #expect(devices.map(\.name) == ["pcie-root-port", "nvme"])
        #expect(devices.map { $0.bdf?.description } == ["0000:00:10.0", "0000:01:00.0"])
        #expect(devices.map(\.model) == ["learned", "nvme"])
        let regions = reader.topology.regions
        #expect(regions.map(\.name) == ["pcie-root-port-bar0", "nvme-bar0"])
        #expect(regions.map(\.base) == [0xfe60_0000, 0xfe40_0000])
        #expect(regions.map(\.size) == [0x1000, 0x4000])
        #expect(regions.map(\.barIndex) == [0, 0])
        #expect(reader.topology.mappings.map(\.type) == [.deviceNGnRE, .deviceNGnRE])
    }

    @Test func countsEqualTheLinesOfTheSample() throws {
        let reader = try QEMULogReader(path: Self.path)
        let events = try drain(reader)
        let bar = try #require(reader.topology.regionID(named: "nvme-bar0"))
        var writes = 0, reads = 0, msixWrites = 0, msixReads = 0, configReads = 0, configWrites = 0, resets = 0
        var marks: [String] = []
        for event in events {
            switch event.kind {
            case .write(let a) where a.region == bar: if a.address < 0xfe40_2000 { writes += 1 } else { msixWrites += 1 }
            case .read(let a) where a.region == bar: if a.address < 0xfe40_2000 { reads += 1 } else { msixReads += 1 }
            case .configRead: configReads += 1
            case .configWrite: configWrites += 1
            case .reset(.flr, let device): resets += 1; #expect(device == reader.topology.deviceID(named: "nvme"))
            case .mark(let mark): marks.append(mark.text)
            default: Issue.record("unexpected event \(event)")
            }
        }
        #expect(writes == Self.count("memory_region_ops_write", "name 'nvme'"))
        #expect(reads == Self.count("memory_region_ops_read", "name 'nvme'"))
        #expect(msixWrites == Self.count("memory_region_ops_write", "name 'msix-table'"))
        #expect(msixReads == Self.count("memory_region_ops_read", "name 'msix-table'"))
        // Decoded ECAM and CF8/CFC accesses to present functions are exactly what pci_cfg_* report.
        #expect(configReads == Self.count("pci_cfg_read"))
        #expect(configWrites == Self.count("pci_cfg_write"))
        // The NVMe model's reset handler is a mark (power-on; the guest's FLR is its config write).
        #expect(resets == 0)
        let resetMarks = marks.filter { $0.hasPrefix("pci_nvme_pci_reset") }
        #expect(resetMarks.count == Self.count("pci_nvme_pci_reset"))
        #expect(marks.count - resetMarks.count == Self.count("memory_region_ops_write", "name 'ioport80'"))
        #expect(marks.filter { $0 != "ioport80 0x0" && !$0.hasPrefix("pci_nvme_pci_reset") } == ["ioport80 0x1", "ioport80 0xa", "ioport80 0xb", "ioport80 0xc", "ioport80 0xd",
                                                             "ioport80 0xe", "ioport80 0xf", "ioport80 0x10", "ioport80 0x11",
                                                             "ioport80 0x5a", "ioport80 0x63"])
        // The NVMe model saw each register access once too.
        #expect(writes == Self.count("pci_nvme_mmio_write") && reads == Self.count("pci_nvme_mmio_read"))
        let counts: [Int] = [writes, reads, msixWrites, msixReads, configReads, configWrites, resets, marks.count]
        #expect(counts == [945, 90, 950, 140, 950, 245, 0, 19])

        // Every line is accounted for: an event, an unknown event, or an ignored one.
        let unknown = reader.unknownEvents.values.reduce(0, +)
        let ignored = reader.ignored.values.reduce(0, +)
        #expect(events.count + unknown + ignored == Self.lines.count)
        #expect(reader.unknownEvents.keys.allSatisfy { $0.hasPrefix("pci_nvme_") })
        #expect(reader.unknownEvents["pci_nvme_admin_cmd"] == Self.count("pci_nvme_admin_cmd"))
        #expect(reader.ignored["pci_nvme_mmio_write (memory_region_ops_* are authoritative)"] == Self.count("pci_nvme_mmio_write"))
        #expect(reader.ignored["pci_nvme_mmio_read (memory_region_ops_* are authoritative)"] == Self.count("pci_nvme_mmio_read"))
        #expect(reader.ignored["pci_nvme_mmio_doorbell_sq"] == Self.count("pci_nvme_mmio_doorbell_sq"))
        #expect(reader.ignored["pci_cfg_* (decoded ECAM/CF8 accesses are authoritative)"] == Self.count("pci_cfg_read") + Self.count("pci_cfg_write"))
        #expect(reader.ignored["configuration access to an absent function"] == 186)
        #expect(reader.ignored["memory_region_ops_* 'pci-conf-idx' (CF8 address)"] == Self.count("memory_region_ops_write", "name 'pci-conf-idx'"))
        #expect(reader.continuationLines == 0 && reader.otherLines == 0)
        #expect(reader.warnings.isEmpty && reader.warningCount == 0)
    }

    @Test func valuesTimesAndAgents() throws {
        let settings = CaptureSettings(agents: ["16635": "vcpu0", "16636": "vcpu1", "16632": "vmm"])
        let reader = try QEMULogReader(path: Self.path, settings: settings)
        let events = try drain(reader)
        let firstRead = try #require(events.first { if case .read = $0.kind { true } else { false } })
        #expect(firstRead.kind == .read(MemoryAccess(address: 0xfe40_0008, region: 1, size: 4, value: AccessValue(0x10400))))
        // Relative to the log's first timestamp (1_795_246_887_740_883 µs after the epoch).
        #expect(firstRead.time == TraceTime(nanoseconds: 83_165_000))
        #expect(firstRead.agent == .vcpu(0))
        let marker10 = try #require(events.first { $0.kind == .mark("ioport80 0xa") })
        #expect(marker10.agent == .vcpu(1))
        #expect(!events.contains { if case .reset = $0.kind { true } else { false } })
        #expect(zip(events, events.dropFirst()).allSatisfy { $0.time <= $1.time })
        // The first config access: CF8 = 0x80008000, a 2-byte read of 0xcfc from the root port.
        let firstConfig = try #require(events.first { if case .configRead = $0.kind { true } else { false } })
        #expect(firstConfig.kind == .configRead(ConfigAccess(device: 0, offset: 0, size: 2, value: 0x1b36)))
        // vcpu0 and vcpu1 share the guest's address space; the vmm has its own.
        #expect(reader.topology.mappings.map(\.addressSpace) == [AddressSpace.vmm(vm: 0), .guest(vm: 0), .vmm(vm: 0), .guest(vm: 0)])
    }

    @Test func aUserMappingAddsEvents() throws {
        let yaml = try String(contentsOf: qemuFixtures.appendingPathComponent("qemu/mapping-extra.yaml"), encoding: .utf8)
        let mapping = QEMULogMapping.builtIn.merging(try QEMULogMapping.load(yaml: yaml, file: "mapping-extra.yaml"))
        let reader = try QEMULogReader(path: Self.path, mapping: mapping)
        let marks = try drain(reader).compactMap { if case .mark(let mark) = $0.kind { mark.text } else { nil } }
        #expect(marks.count == Self.count("memory_region_ops_write", "name 'ioport80'") + Self.count("pci_nvme_mmio_doorbell_sq")
                    + Self.count("pci_nvme_irq_msix") + Self.count("pci_nvme_pci_reset"))
        #expect(marks.contains("pci_nvme_mmio_doorbell_sq sqid 0 new_tail 1"))
        #expect(marks.contains("pci_nvme_irq_msix raising MSI-X IRQ vector 0"))
        #expect(reader.unknownEvents["pci_nvme_irq_msix"] == nil)
    }
}

@Suite struct QEMULogPrefixTests {
    static func events(_ name: String) throws -> (QEMULogReader, [TraceEvent]) {
        let reader = try QEMULogReader(path: qemuFixtures.appendingPathComponent("qemu/\(name)").path,
                                       settings: CaptureSettings(agents: ["16636": "vcpu1"]))
        return (reader, try drain(reader))
    }

    static let kinds: [EventKind] = [
        .write(MemoryAccess(address: 0xfe40_0014, region: 0, size: 4, value: AccessValue(0x460001))),
        .read(MemoryAccess(address: 0xfe40_001c, region: 0, size: 4, value: AccessValue(1))),
        .mark("ioport80 0xa"),
    ]

    @Test func noPrefix() throws {
        let (reader, events) = try Self.events("prefix-none.log")
        #expect(events.map(\.kind) == Self.kinds)
        #expect(events.map(\.time.nanoseconds) == [0, 0, 0])
        #expect(events.map(\.agent) == [.vcpu(0), .vcpu(0), .vcpu(0)])
        #expect(reader.ignored["pci_nvme_mmio_write (memory_region_ops_* are authoritative)"] == 1)
    }

    @Test func threadIdAndSecondsMicroseconds() throws {
        let (reader, events) = try Self.events("prefix-pid.log")
        #expect(events.map(\.kind) == Self.kinds)
        // Relative to the log's first timestamp, 1_795_246_887.780958 s after the epoch.
        #expect(events.map(\.time.nanoseconds) == [43_695_000, 43_744_000, 8_425_609_000])
        #expect(events.map(\.agent) == [.vcpu(0), .vcpu(0), .vcpu(1)])
        #expect(events.map { _ in reader.fileName.hasSuffix("prefix-pid.log") } == [true, true, true])
        #expect(reader.line == 6)
    }

    @Test func iso8601() throws {
        let (_, events) = try Self.events("prefix-iso.log")
        #expect(events.map(\.kind) == Self.kinds)
        // Relative to the log's first timestamp, 2025-07-01T12:00:00.123456Z (1751371200 s after
        // the epoch, and 123,456 µs).
        #expect(events.map(\.time.nanoseconds) == [1_000, 876_544_000, 1_876_544_001])
        #expect(events.map(\.agent) == [.vcpu(0), .vcpu(0), .vcpu(0)])
    }

    @Test func continuationAndOtherLines() throws {
        let (reader, events) = try Self.events("continuation.log")
        #expect(events.count == 2)
        #expect(reader.continuationLines == 2)
        #expect(reader.otherLines == 1)
    }

    /// Accesses no vCPU made (`cpu -1`: QEMU's main loop, I/O threads, device emulation) are
    /// QEMU's own, the VMM's, never a guest vCPU's.
    @Test func accessesWithoutAVCPUAreTheVMMs() throws {
        let text = """
            1@10.000000:pci_update_mappings_add nvme 01:00.0 0,0xfe400000+0x4000
            1@10.000001:memory_region_ops_write cpu 0 mr 0x1 addr 0xfe400014 value 0x1 size 4 name 'nvme'
            2@10.000002:memory_region_ops_read cpu -1 mr 0x1 addr 0xfe40001c value 0x1 size 4 name 'nvme'
            """
        let reader = try QEMULogReader(text: text, fileName: "full.log")
        let events = try drain(reader)
        #expect(events.map(\.agent) == [.vcpu(0), .vmm(vm: 0)])
        #expect(reader.topology.mappings.contains { $0.addressSpace == .vmm(vm: 0) })
    }

    /// arm64 `virt` phase markers: port 0x80 writes land in the PCI I/O window, kept as marks.
    @Test func gpexIOPortWindowWritesAreMarks() throws {
        let text = """
            memory_region_ops_write cpu 0 mr 0x1 addr 0x80 value 0xa size 1 name 'gpex_ioport_window'
            memory_region_ops_read cpu 0 mr 0x1 addr 0x80 value 0x0 size 1 name 'gpex_ioport_window'
            memory_region_ops_write cpu 0 mr 0x1 addr 0x80 value 0x63 size 1 name 'gpex_ioport_window'
            """
        let reader = try QEMULogReader(text: text, fileName: "arm64.log")
        let events = try drain(reader)
        #expect(events.map(\.kind) == [.mark("gpex_ioport_window 0x80 0xa"), .mark("gpex_ioport_window 0x80 0x63")])
        #expect(reader.ignored["memory_region_ops_read 'gpex_ioport_window'"] == 1)
    }

    @Test func timeGoingBackwardsWarns() throws {
        let text = """
            1@10.000000:pci_update_mappings_add nvme 01:00.0 0,0xfe400000+0x4000
            1@10.000002:memory_region_ops_write cpu 0 mr 0x1 addr 0xfe400010 value 0x1 size 4 name 'nvme'
            1@10.000001:memory_region_ops_write cpu 0 mr 0x1 addr 0xfe400014 value 0x1 size 4 name 'nvme'
            memory_region_ops_write cpu 0 mr 0x1 addr 0xfe400018 value 0x1 size 4 name 'nvme'
            0@9.999999:memory_region_ops_write cpu 0 mr 0x1 addr 0xfe40001c value 0x1 size 4 name 'nvme'
            """
        let reader = try QEMULogReader(text: text, fileName: "t.log")
        let events = try drain(reader)
        #expect(events.map(\.time.nanoseconds) == [2_000, 1_000, 1_000, 0])
        #expect(reader.warnings.map(\.description) == [
            "t.log:3:1: warning: time goes backwards by 1000 ns; the event keeps its time",
            "t.log:5:1: warning: time is 1000 ns before the log's first timestamp; the event is placed at 0",
            "t.log:5:1: warning: time goes backwards by 1000 ns; the event keeps its time",
        ])
    }
}
