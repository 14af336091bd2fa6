import Foundation
import MMIOTrace
@testable import Pcap
import PCIeTransport
import Testing

@Suite struct PcapTraceTests {
    /// The bundled traces and the canonical fixture, relative to the package root.
    static let traces: [String] = {
        let root = TestSupport.packageRoot
        let enumerator = FileManager.default.enumerator(atPath: root.appendingPathComponent("traces").path)
        let bundled = (enumerator?.compactMap { $0 as? String } ?? []).filter { $0.hasSuffix(".mtrace") }.map { "traces/\($0)" }
        return bundled.sorted() + ["Tests/MMIOTraceTests/Fixtures/canonical.mtrace"]
    }()

    /// The canonical text of every event `source` has left, after `topology`'s header.
    static func canonicalText(_ source: some TraceEventSource) throws -> String {
        let writer = MTraceWriter(topology: source.topology)
        while let event = try source.next() { try writer.write(event) }
        return writer.text
    }

    /// Writes the trace at `path` (relative to the package root) as pcap into `directory`.
    static func convert(_ path: String, into directory: URL) throws -> String {
        let source = try MTraceReader(path: TestSupport.packageRoot.appendingPathComponent(path).path)
        let output = directory.appendingPathComponent("trace.pcap").path
        try PcapTraceWriter(path: output, topology: source.topology).write(contentsOf: source)
        return output
    }

    @Test func thereAreTraces() {
        #expect(Self.traces.count > 10)
    }

    /// mtrace → pcap → mtrace gives the canonical text back, byte for byte.
    @Test(arguments: traces) func roundTrip(_ path: String) throws {
        let directory = try TestSupport.scratchDirectory()
        let pcap = try Self.convert(path, into: directory)
        let expected = try Self.canonicalText(MTraceReader(path: TestSupport.packageRoot.appendingPathComponent(path).path))
        let reader = try PcapTraceReader(path: pcap)
        #expect(try Self.canonicalText(reader) == expected)
        #expect(reader.fileName == pcap)
        if path.hasSuffix("canonical.mtrace") {
            #expect(expected == (try String(contentsOf: TestSupport.packageRoot.appendingPathComponent(path), encoding: .utf8)))
        }
    }

    /// The same file converted to pcapng by Wireshark's editcap reads back the same.
    @Test(arguments: traces) func pcapngRoundTrip(_ path: String) throws {
        guard let editcap = TestSupport.which("editcap") else {
            print("skipped: editcap is not installed (apt-get install tshark)")
            return
        }
        let directory = try TestSupport.scratchDirectory()
        let pcap = try Self.convert(path, into: directory)
        let pcapng = directory.appendingPathComponent("trace.pcapng").path
        _ = try TestSupport.run(editcap, ["-F", "pcapng", pcap, pcapng])
        let magic = [UInt8](try Data(contentsOf: URL(fileURLWithPath: pcapng)).prefix(4))
        #expect(magic == [0x0a, 0x0d, 0x0d, 0x0a])
        #expect(try Self.canonicalText(PcapTraceReader(path: pcapng)) == Self.canonicalText(PcapTraceReader(path: pcap)))
    }

    /// Every event kind, with the edge values of each field.
    @Test func everyKindRoundTrips() throws {
        var topology = Topology(devices: [Device(name: "d", bdf: PCIAddress(bus: 1, device: 0, function: 0))],
                                regions: [Region(name: "r", device: 0, kind: .bar, base: 0x1000, size: 0x1000)])
        topology.mappings = [Mapping(addressSpace: .guest(vm: 1), region: 0, type: .normalNC)]
        var wide = AccessValue.zero
        for i in 0..<64 { wide.setByte(i, UInt8(i + 1)) }
        let kinds: [(Agent, EventKind)] = [
            (.vcpu(3, vm: 2), .write(MemoryAccess(address: 0x1004, region: 0, size: 4, value: AccessValue(0xdead_beef)))),
            (.vcpu(0), .read(MemoryAccess(address: 0xffff_ffff_ffff_fff8, region: nil, size: 8, value: AccessValue(.max)))),
            (.vcpu(0), .read(MemoryAccess(address: 0x1000, region: 0, size: 2, hasValue: false))),
            (.vmm(vm: 1), .write(MemoryAccess(address: 0x1040, region: 0, size: 64, value: wide))),
            (.vcpu(1), .barrier(.dmb(.outerShareable, .stores))),
            (.vcpu(1), .barrier(.dsb(.nonShareable, .loads))),
            (.vcpu(1), .barrier(.isb)),
            (.vcpu(1), .guestExit),
            (.vcpu(1), .guestEntry),
            (.host, .teardown(vm: 7)),
            (.host, .unmap(region: 0, vm: 1)),
            (.host, .tlbi(TLBInvalidation(operation: .ipas2e1is, vm: 1, address: 0x1000, region: 0))),
            (.host, .tlbi(TLBInvalidation(operation: .vmalls12e1is, vm: 3))),
            (.vmm(), .configRead(ConfigAccess(device: 0, offset: 0xffc, size: 4, value: 0xffff_ffff))),
            (.vmm(), .configRead(ConfigAccess(device: 0, offset: 4, size: 2, hasValue: false))),
            (.vmm(), .configWrite(ConfigAccess(device: 0, offset: 4, size: 2, value: 6))),
            (.host, .reset(.flr, device: 0)),
            (.vmm(), .reset(.controller, device: 0)),
            (.vcpu(0), .mark("step 2: ring the doorbell ✓")),
            (.vcpu(0), .mark("")),
        ]
        let events = kinds.enumerated().map { TraceEvent(time: TraceTime(nanoseconds: UInt64($0.offset) * 1_000_000_007), agent: $0.element.0, kind: $0.element.1) }
        let path = try TestSupport.scratchDirectory().appendingPathComponent("kinds.pcap").path
        do {
            let writer = try PcapTraceWriter(path: path, topology: topology)
            for event in events { try writer.write(event) }
            try writer.flush()
        }
        let reader = try PcapTraceReader(path: path)
        #expect(reader.topology == topology)
        var read: [TraceEvent] = []
        while let event = try reader.next() {
            read.append(event)
            #expect(reader.line == read.count + 1)
        }
        #expect(read == events)
    }

    /// The bytes of docs/pcap.md's examples.
    @Test func recordBytes() throws {
        let topology = Topology(devices: [Device(name: "nvme0")],
                                regions: [Region(name: "bar0", device: 0, kind: .bar, base: 0xfe40_0000, size: 0x4000)])
        let path = try TestSupport.scratchDirectory().appendingPathComponent("bytes.pcap").path
        do {
            let writer = try PcapTraceWriter(path: path, topology: topology)
            try writer.write(TraceEvent(time: TraceTime(nanoseconds: 100), agent: .vcpu(0),
                                        kind: .write(MemoryAccess(address: 0xfe40_0014, region: 0, size: 4, value: AccessValue(0x46_0001)))))
            try writer.flush()
        }
        var reader = try PcapReader(path: path)
        #expect(reader.linkType == .user0)
        let first = try #require(try reader.next())
        #expect(first.timeNanoseconds == 0)
        #expect(first.bytes == [1, 1] + Array(MTraceWriter.header(topology).utf8))
        let event = try #require(try reader.next())
        #expect(event.timeNanoseconds == 100)
        #expect(event.bytes == [0x02, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x40, 0xfe, 0x00, 0x00, 0x00, 0x00,
                                0x00, 0x00, 0x04, 0x01, 0x01, 0x00, 0x46, 0x00])
    }

    /// Events the format cannot carry are refused when written.
    @Test func unrepresentableEvents() throws {
        let topology = Topology(devices: [Device(name: "d")], regions: [Region(name: "r", device: 0, kind: .bar, base: 0, size: 16)])
        let writer = try PcapTraceWriter(path: try TestSupport.scratchDirectory().appendingPathComponent("x.pcap").path, topology: topology)
        #expect(throws: PcapError.self) {
            try writer.write(TraceEvent(time: TraceTime(nanoseconds: 0), agent: .vcpu(0),
                                        kind: .write(MemoryAccess(address: 0, region: 0, size: 1, value: AccessValue(0x100)))))
        }
        #expect(throws: PcapError.self) {
            try writer.write(TraceEvent(time: TraceTime(nanoseconds: PcapWriter.timeLimitNanoseconds), agent: .vcpu(0), kind: .mark("late")))
        }
    }

    /// Event records hold 16-bit region and device indices (0xffff: no region), where the
    /// trace model's ids are 32 bits: a region from 65535 on, a device from 65536 on, is refused
    /// with a message. (A topology that large does not fit the topology record either.)
    @Test func indicesPastSixteenBitsAreRefused() {
        var buffer: [UInt8] = []
        func write(region: RegionID) -> String? {
            TraceRecord.encode(TraceEvent(time: TraceTime(nanoseconds: 0), agent: .vcpu(0),
                                          kind: .write(MemoryAccess(address: 0, region: region, size: 1, value: AccessValue(1)))), into: &buffer)
        }
        #expect(write(region: 65_534) == nil)
        #expect(write(region: 65_535)?.contains("does not fit a pcap event record") == true)
        #expect(TraceRecord.encode(TraceEvent(time: TraceTime(nanoseconds: 0), agent: .host, kind: .reset(.flr, device: 65_535)), into: &buffer) == nil)
        #expect(TraceRecord.encode(TraceEvent(time: TraceTime(nanoseconds: 0), agent: .host, kind: .reset(.flr, device: 65_536)), into: &buffer) != nil)
    }

    /// Writes `records` (times 0, 1, ...) to a new file of `linkType`; returns its path.
    static func file(_ linkType: LinkType, _ records: [[UInt8]]) throws -> String {
        let path = try TestSupport.scratchDirectory().appendingPathComponent("records.pcap").path
        let writer = try PcapWriter(path: path, linkType: linkType)
        for (time, bytes) in records.enumerated() { try writer.write(timeNanoseconds: UInt64(time), bytes: bytes) }
        try writer.close()
        return path
    }

    static let topologyRecord: [UInt8] = [1, 1] + Array("mtrace 1\ndevice d model=generic\nregion r device=d kind=bar base=0x0 size=0x10\n".utf8)

    /// What goes wrong, at `file:record N`.
    @Test(arguments: [
        ([[UInt8]](), 1, "the file has no records; expected the topology record"),
        ([[2, 11, 2, 0, 0, 0, 0, 0]], 1, "expected the topology record (type 1) first"),
        ([[1, 9] + Array("mtrace 1\n".utf8)], 1, "topology record format version 9 is not 1"),
        ([[1, 1] + Array("mtrace 1\n0 vcpu0 mark\n".utf8)], 1, "the topology record holds events; they belong in records of their own"),
        ([topologyRecord, [2, 11, 2, 0, 0, 0, 0, 0], [2, 99, 2, 0, 0, 0, 0, 0]], 3, "unknown event kind 99"),
        ([topologyRecord, [2, 11, 0, 0, 1, 0, 0, 0]], 2, "agent host carries vm 1 and index 0; only vCPUs have an index and the host has no VM"),
        ([topologyRecord, [2, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 4, 1, 1, 2, 3, 4]], 2,
         "region index 5 is not declared (the topology has 1 regions)"),
        ([topologyRecord, [2, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 1, 1, 2]], 2,
         "the record ends after 22 bytes, inside its fields"),
        ([topologyRecord, [2, 3, 2, 0, 0, 0, 0, 0, 0]], 2, "1 bytes left over after the fields of a 'exit' event"),
        ([topologyRecord, [1, 1]], 2, "expected an event record (type 2), found type 1"),
    ] as [([[UInt8]], Int, String)])
    func malformedRecords(records: [[UInt8]], record: Int, message: String) throws {
        let path = try Self.file(.user0, records)
        do {
            let reader = try PcapTraceReader(path: path)
            while try reader.next() != nil {}
            Issue.record("expected an error")
        } catch let error as PcapRecordError {
            #expect(error.description == "\(path):record \(record): error: \(message)")
        }
    }

    @Test func foreignLinkType() throws {
        let path = try Self.file(.user1, [Self.topologyRecord])
        do {
            _ = try PcapTraceReader(path: path)
            Issue.record("expected an error")
        } catch let error as PcapRecordError {
            #expect(error.description == "\(path):record 1: error: link type USER1 (148) is not USER0 (147), the link type of mmio-replay trace events")
        }
    }
}
