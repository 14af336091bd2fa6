import Foundation
import Importers
import MMIOTrace
import PCIeTransport
import Testing

@Suite struct MmiotraceReaderTests {
    static let sample = captures.appendingPathComponent("x86-q35-nvme-e1000e.mmiotrace").path

    @Test func realCaptureImportsEveryLine() throws {
        let lines = try String(contentsOfFile: Self.sample, encoding: .utf8).split(separator: "\n")
        func count(_ keyword: String) -> Int { lines.filter { $0.split(separator: " ").first.map(String.init) == keyword }.count }
        let reader = try MmiotraceReader(path: Self.sample)
        let (events, error) = drain(reader)
        #expect(error == nil)
        #expect(events.filter(\.isRead).count == count("R"))
        #expect(events.filter(\.isWrite).count == count("W"))
        let marks = events.compactMap(\.markText)
        #expect(marks.filter { $0.hasPrefix("ioremap ") }.count == count("MAP"))
        #expect(marks.filter { $0.hasPrefix("iounmap ") }.count == count("UNMAP"))
        #expect(marks.filter { !$0.hasPrefix("ioremap ") && !$0.hasPrefix("iounmap ") }.count == count("MARK"))
        #expect((count("R"), count("W"), count("MARK"), count("MAP"), count("UNMAP"), count("PCIDEV")) == (3_859, 5_777, 14, 14, 10, 8))
        #expect(reader.warnings.isEmpty)

        let topology = reader.topology
        #expect(topology.devices.count == 8)
        #expect(topology.devices.map(\.name).contains("pcieport-00-10-0"))
        #expect(topology.regions.map(\.name) == [
            "pcieport-00-10-0-bar0", "pcieport-00-11-0-bar0", "dev-00-1f-2-bar5", "dev-01-00-0-bar0",
            "dev-02-00-0-bar0", "dev-02-00-0-bar1", "dev-02-00-0-bar3",
        ])
        let nvme = try #require(topology.regionID(named: "dev-01-00-0-bar0"))
        #expect(topology.regions[Int(nvme)].base == 0xfe40_0000 && topology.regions[Int(nvme)].size == 0x4000)
        #expect(topology.devices[Int(topology.regions[Int(nvme)].device)].bdf?.description == "0000:01:00.0")
        // The three BARs the drivers ioremap get a stage-1 mapping; every access lies in a region.
        #expect(topology.mappings.map { topology.regions[Int($0.region)].name } == ["dev-01-00-0-bar0", "dev-02-00-0-bar0", "dev-02-00-0-bar3"])
        #expect(topology.mappings.allSatisfy { $0.type == .deviceNGnRE && $0.addressSpace == .guest(vm: 0) })
        #expect(events.compactMap(\.access).allSatisfy { $0.region != nil })
        #expect(events.allSatisfy { $0.agent == .vcpu(0) })
        #expect(events.first?.time.nanoseconds == 5_287_732_000)
        #expect(events.first?.markText == "PHASE 10: insmod nvme-core + nvme (probe)")
    }

    @Test func sideFileSetsModelsTypesAndAgent() throws {
        let settings = CaptureSettings(stage1: ["dev-01-00-0-bar0": .deviceNGnRnE], models: ["dev-01-00-0": "nvme"], defaultAgent: "vm1.vcpu2")
        let reader = try MmiotraceReader(path: Self.sample, settings: settings)
        let topology = reader.topology
        let nvme = try #require(topology.regionID(named: "dev-01-00-0-bar0"))
        #expect(topology.stage1Type(of: nvme, in: .guest(vm: 1)) == .deviceNGnRnE)
        #expect(topology.devices[Int(topology.regions[Int(nvme)].device)].model == "nvme")
        #expect(try reader.next()?.agent == .vcpu(2, vm: 1))
    }

    static let traceForm = """
        # tracer: mmiotrace
        #
        MAP 5.418737 1 0xfe400000 0xff6d19df405c6000 0x2000 0x0 0
        R 4 5.449145 1 0xfe40001c 0x1 0x0 0
        MAP 5.452551 2 0xfe402000 0xff6d19df4005d000 0x410 0x0 0
        MAP 5.452600 3 0xfe402400 0xff6d19df4005e000 0x100 0x0 0
        W 4 5.454254 2 0xfe402000 0xfee01004 0x0 0
        UNMAP 5.479940 2 0x0 0
        W 2 5.480000 1 0xfe500000 0xffff 0x0 0
        """

    @Test func traceFormTakesRegionsFromMaps() throws {
        let reader = try MmiotraceReader(text: Self.traceForm, fileName: "t.mmiotrace")
        let topology = reader.topology
        // Overlapping maps merge; touching ones stay apart; each unknown range is its own device.
        #expect(topology.regions.map(\.name) == ["mem-fe400000", "mem-fe402000"])
        #expect(topology.regions.map(\.size) == [0x2000, 0x500])
        #expect(topology.devices.map(\.name) == ["mem-fe400000", "mem-fe402000"])
        #expect(topology.mappings.count == 2)
        let (events, error) = drain(reader)
        #expect(error == nil)
        #expect(events.compactMap(\.markText) == [
            "ioremap map 1 0xfe400000 size 0x2000", "ioremap map 2 0xfe402000 size 0x410",
            "ioremap map 3 0xfe402400 size 0x100", "iounmap map 2",
        ])
        #expect(events.compactMap(\.access).map(\.region) == [0, 1, nil])
        #expect(events.compactMap(\.access).last?.size == 2)
    }

    static let pcidev = "PCIDEV 0010 80865a84 86 91000004 0 8000000c 0 f001 0 c0002 1000000 0 10000000 0 40 0 20000 i915\n"

    @Test func sixtyFourBitBARsTakeTwoSlots() throws {
        let reader = try MmiotraceReader(text: "VERSION 20070824\n" + Self.pcidev)
        let regions = reader.topology.regions
        #expect(regions.map(\.name) == ["i915-00-02-0-bar0", "i915-00-02-0-bar2"])
        #expect(regions.map(\.base) == [0x9100_0000, 0x8000_0000])
        #expect(regions.map(\.size) == [0x100_0000, 0x1000_0000])
        #expect(regions.map(\.prefetchable) == [false, true])
        #expect(regions.map(\.barIndex) == [0, 2])
        #expect(reader.topology.devices.first?.bdf == PCIAddress(bus: 0, device: 2, function: 0))
    }

    @Test func lenientUpperCaseHexAndRunsOfSpaces() throws {
        let text = "VERSION 20070824\n" + Self.pcidev + "R  4   1037.681772  1  0X9000030C   0xABCD   0x0 0\n\n  W 1 1037.681777 1 0x9100009C 0x17 0x0 0   \n"
        let (events, error) = drain(try MmiotraceReader(text: text))
        #expect(error == nil)
        #expect(events.map { $0.access?.address } == [0x9000_030c, 0x9100_009c])
        #expect(events.map { $0.access?.value.low64 } == [0xabcd, 0x17])
        #expect(events.map { $0.access?.region } == [nil, 0])
        #expect(events.map(\.time.nanoseconds) == [1_037_681_772_000, 1_037_681_777_000])
    }

    @Test func backwardsTimeIsAWarningAndKeepsTheEvent() throws {
        let reader = try MmiotraceReader(text: "W 4 2.000000 1 0x1000 0x1 0x0 0\nW 4 1.500000 1 0x1000 0x2 0x0 0\n", fileName: "b")
        let (events, error) = drain(reader)
        #expect(error == nil && events.count == 2)
        #expect(reader.warnings.map(\.description) == ["b:2:5: warning: time goes back from 2.000000 to 1.500000; event kept"])
    }

    @Test func lostEventsAndUnknownAreWarnings() throws {
        let text = "W 4 2.000000 1 0x1000 0x1 0x0 0\nMARK 0.000000 Lost 12 events.\nUNKNOWN 2.100000 1 0x1008 0f,b6,40 0x0 0\n"
        let reader = try MmiotraceReader(text: text, fileName: "l")
        let (events, error) = drain(reader)
        #expect(error == nil)
        #expect(events.map(\.markText) == [nil, "Lost 12 events."])
        #expect(events.last?.time.nanoseconds == 2_000_000_000)
        #expect(reader.warnings.map(\.description) == [
            "l:2:1: warning: the tracer lost 12 events here",
            "l:3:1: warning: an access mmiotrace could not decode (UNKNOWN) at 0x1008; skipped",
        ])
    }

    @Test(arguments: [
        ("Q 4 1.0 1 0x0 0x0 0x0 0", "m:1:1: error: expected an mmiotrace line (VERSION, PCIDEV, MAP, UNMAP, R, W, MARK, UNKNOWN), found 'Q'; did you mean 'R'?"),
        ("MRK 1.000000 x", "m:1:1: error: expected an mmiotrace line (VERSION, PCIDEV, MAP, UNMAP, R, W, MARK, UNKNOWN), found 'MRK'; did you mean 'MARK'?"),
        ("R 3 1.000000 1 0x1000 0x1 0x0 0", "m:1:3: error: expected an access width (1, 2, 4 or 8), found '3'"),
        ("R 4 1,000000 1 0x1000 0x1 0x0 0", "m:1:5: error: expected a timestamp (secs.usecs), found '1,000000'"),
        ("W 4 1.000000 1 1000 0x1 0x0 0", "m:1:16: error: expected a physical address (0x…), found '1000'"),
        ("W 1 1.000000 1 0x1000 0x100 0x0 0", "m:1:23: error: expected a value of at most 1 bytes, found '0x100'"),
        ("W 4 1.000000 1 0x1000 0xg 0x0 0", "m:1:23: error: expected a value (0x…), found '0xg'"),
        ("W 4 1.000000 1 0x1000 0x1 0x0", "m:1:30: error: expected a pid (decimal), found end of line"),
        ("W 4 1.000000 1 0x1000 0x1 0x0 0 extra", "m:1:33: error: expected end of line, found 'extra'"),
        ("UNMAP 1.000000 x 0x0 0", "m:1:16: error: expected a map id (decimal), found 'x'"),
        ("MAP 1.000000 1 0x1000 0xffff0000 0x0 0x0 0", "m:1:34: error: expected a mapping length (0x…, not zero) ending below 2^52 (Arm's largest physical address space), found '0x0'"),
        ("PCIDEV 010 80865a84 86 0 0 0 0 0 0 0 0 0 0 0 0 0 0", "m:1:8: error: expected a bus and devfn (4 hex digits), found '010'"),
        ("PCIDEV 0100 80865a84 86 0 0 0 0 0 0 0 0 0 0 0 0 0", "m:1:50: error: expected resource 6's size (hex), found end of line"),
    ])
    func malformedLinesAreLocatedErrors(line: String, message: String) {
        #expect(errorText { try readAll(MmiotraceReader(text: line + "\n", fileName: "m")) } == message)
    }
}
