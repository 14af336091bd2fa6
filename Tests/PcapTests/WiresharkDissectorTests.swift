import Foundation
import MMIOTrace
import Pcap
import PCIeTransport
import Testing

/// Real Wireshark decoding of the files the Swift code writes: tshark loads
/// `tools/wireshark/mmio-replay.lua` and prints fields, which are checked one by one.
@Suite(.enabled(if: TestSupport.which("tshark") != nil, "tshark is not installed: run tools/install-deps.sh or apt-get install tshark"))
struct WiresharkDissectorTests {
    /// One dictionary of field → text per record, as `tshark -T fields` prints them; booleans
    /// read `1`/`0` whatever the Wireshark version.
    static func decode(_ path: String, fields: [String]) throws -> [[String: String]] {
        let script = TestSupport.packageRoot.appendingPathComponent("tools/wireshark/mmio-replay.lua").path
        var arguments = ["-X", "lua_script:\(script)", "-r", path, "-T", "fields", "-E", "separator=/t", "-E", "occurrence=f"]
        for field in fields { arguments += ["-e", field] }
        let output = try TestSupport.run(try #require(TestSupport.which("tshark")), arguments)
        return output.split(separator: "\n").map { line in
            let values = line.split(separator: "\t", omittingEmptySubsequences: false).map { value -> String in
                switch value {
                case "True": "1"
                case "False": "0"
                default: String(value)
                }
            }
            return Dictionary(uniqueKeysWithValues: zip(fields, values))
        }
    }

    @Test func traceEvents() throws {
        let topology = Topology(
            devices: [Device(name: "nvme0", bdf: PCIAddress(bus: 1, device: 0, function: 0), model: "nvme")],
            regions: [Region(name: "bar0", device: 0, kind: .bar, base: 0xfe40_0000, size: 0x4000)]
        )
        let events = [
            TraceEvent(time: TraceTime(nanoseconds: 100), agent: .vcpu(0),
                       kind: .write(MemoryAccess(address: 0xfe40_0014, region: 0, size: 4, value: AccessValue(0x46_0001)))),
            TraceEvent(time: TraceTime(nanoseconds: 1_000_000_110), agent: .vcpu(2, vm: 1),
                       kind: .read(MemoryAccess(address: 0xfe40_001c, region: 0, size: 4, value: AccessValue(1)))),
            TraceEvent(time: TraceTime(nanoseconds: 1_000_000_120), agent: .vcpu(1), kind: .barrier(.dmb(.outerShareable, .stores))),
            TraceEvent(time: TraceTime(nanoseconds: 1_000_000_130), agent: .vmm(), kind: .mark("doorbell rung")),
        ]
        let path = try TestSupport.scratchDirectory().appendingPathComponent("events.pcap").path
        do {
            let writer = try PcapTraceWriter(path: path, topology: topology)
            for event in events { try writer.write(event) }
            try writer.flush()
        }
        let rows = try Self.decode(path, fields: [
            "frame.time_epoch", "mmioreplay.record_type", "mmioreplay.kind", "mmioreplay.agent", "mmioreplay.agent.vm",
            "mmioreplay.agent.index", "mmioreplay.address", "mmioreplay.region", "mmioreplay.offset", "mmioreplay.size",
            "mmioreplay.value", "mmioreplay.has_value", "mmioreplay.barrier", "mmioreplay.barrier.domain",
            "mmioreplay.barrier.accesses", "mmioreplay.mark", "mmioreplay.topology", "_ws.col.Info",
        ])
        try #require(rows.count == 5)

        #expect(rows[0]["mmioreplay.record_type"] == "1")
        #expect(rows[0]["mmioreplay.topology"]?.hasPrefix("mtrace 1") == true)
        #expect(rows[0]["_ws.col.Info"] == "topology: 1 devices, 1 regions")

        let write = rows[1]
        #expect(write["frame.time_epoch"] == "0.000000100")
        #expect(write["mmioreplay.record_type"] == "2")
        #expect(write["mmioreplay.kind"] == "write")
        #expect(write["mmioreplay.agent"] == "vcpu0")
        #expect(write["mmioreplay.address"] == "0x00000000fe400014")
        #expect(write["mmioreplay.region"] == "bar0")
        #expect(write["mmioreplay.offset"] == "0x0000000000000014")
        #expect(write["mmioreplay.size"] == "4")
        #expect(write["mmioreplay.value"] == "0x460001")
        #expect(write["mmioreplay.has_value"] == "1")
        #expect(write["_ws.col.Info"] == "vcpu0 write bar0+0x14 4 0x460001")

        let read = rows[2]
        #expect(read["frame.time_epoch"] == "1.000000110")
        #expect(read["mmioreplay.kind"] == "read")
        #expect(read["mmioreplay.agent"] == "vm1.vcpu2")
        #expect(read["mmioreplay.agent.vm"] == "1")
        #expect(read["mmioreplay.agent.index"] == "2")
        #expect(read["mmioreplay.region"] == "bar0")
        #expect(read["mmioreplay.offset"] == "0x000000000000001c")
        #expect(read["mmioreplay.value"] == "0x1")
        #expect(read["mmioreplay.has_value"] == "1")
        #expect(read["_ws.col.Info"] == "vm1.vcpu2 read bar0+0x1c 4 -> 0x1")

        let barrier = rows[3]
        #expect(barrier["mmioreplay.kind"] == "barrier")
        #expect(barrier["mmioreplay.agent"] == "vcpu1")
        #expect(barrier["mmioreplay.barrier"] == "dmb oshst")
        #expect(barrier["mmioreplay.barrier.domain"] == "osh")
        #expect(barrier["mmioreplay.barrier.accesses"] == "st")
        #expect(barrier["mmioreplay.address"] == "")
        #expect(barrier["_ws.col.Info"] == "vcpu1 dmb oshst")

        let mark = rows[4]
        #expect(mark["mmioreplay.kind"] == "mark")
        #expect(mark["mmioreplay.agent"] == "vmm")
        #expect(mark["mmioreplay.mark"] == "doorbell rung")
        #expect(mark["_ws.col.Info"] == "vmm mark doorbell rung")
    }

    @Test func tlps() throws {
        let path = try PcapTLPTests.writeCapture()
        let rows = try Self.decode(path, fields: [
            "frame.time_epoch", "pcietlp.direction", "pcietlp.fmt_type", "pcietlp.kind", "pcietlp.length", "pcietlp.requester_id",
            "pcietlp.tag", "pcietlp.first_be", "pcietlp.last_be", "pcietlp.address", "pcietlp.completion_status",
            "pcietlp.completer_id", "pcietlp.byte_count", "pcietlp.lower_address", "pcietlp.target_id", "pcietlp.register",
            "pcietlp.payload", "pcietlp.td", "_ws.col.Info",
        ])
        try #require(rows.count == 5)

        let mwr32 = rows[0]
        #expect(mwr32["frame.time_epoch"] == "0.000000100")
        #expect(mwr32["pcietlp.direction"] == "0")
        #expect(mwr32["pcietlp.fmt_type"] == "0x40")
        #expect(mwr32["pcietlp.kind"] == "MWr32")
        #expect(mwr32["pcietlp.length"] == "1")
        #expect(mwr32["pcietlp.requester_id"] == "0x0000")
        #expect(mwr32["pcietlp.tag"] == "0")
        #expect(mwr32["pcietlp.first_be"] == "0x0f")
        #expect(mwr32["pcietlp.last_be"] == "0x00")
        #expect(mwr32["pcietlp.address"] == "0x00000000fe400014")
        #expect(mwr32["pcietlp.payload"] == "01004600")
        #expect(mwr32["pcietlp.td"] == "0")
        #expect(mwr32["pcietlp.completion_status"] == "")

        let mrd64 = rows[1]
        #expect(mrd64["pcietlp.direction"] == "0")
        #expect(mrd64["pcietlp.fmt_type"] == "0x20")
        #expect(mrd64["pcietlp.kind"] == "MRd64")
        #expect(mrd64["pcietlp.length"] == "2")
        #expect(mrd64["pcietlp.tag"] == "677")
        #expect(mrd64["pcietlp.first_be"] == "0x0f")
        #expect(mrd64["pcietlp.last_be"] == "0x03")
        #expect(mrd64["pcietlp.address"] == "0x0000008000001000")
        #expect(mrd64["pcietlp.payload"] == "")
        #expect(mrd64["_ws.col.Info"] == "downstream MRd64 requester=00:00.0 tag=677 address=0x8000001000 length=2 first_be=0xf last_be=0x3")

        let cplD = rows[2]
        #expect(cplD["pcietlp.direction"] == "1")
        #expect(cplD["pcietlp.fmt_type"] == "0x4a")
        #expect(cplD["pcietlp.kind"] == "CplD")
        #expect(cplD["pcietlp.completion_status"] == "0")
        #expect(cplD["pcietlp.completer_id"] == "0x0100")
        #expect(cplD["pcietlp.requester_id"] == "0x0000")
        #expect(cplD["pcietlp.tag"] == "677")
        #expect(cplD["pcietlp.byte_count"] == "8")
        #expect(cplD["pcietlp.lower_address"] == "0x00")
        #expect(cplD["pcietlp.length"] == "1")
        #expect(cplD["pcietlp.payload"] == "efbeadde")
        #expect(cplD["_ws.col.Info"] == "upstream CplD SC completer=01:00.0 requester=00:00.0 tag=677 bytes=8 data=efbeadde")

        let cpl = rows[3]
        #expect(cpl["pcietlp.direction"] == "1")
        #expect(cpl["pcietlp.fmt_type"] == "0x0a")
        #expect(cpl["pcietlp.kind"] == "Cpl")
        #expect(cpl["pcietlp.completion_status"] == "1")
        #expect(cpl["pcietlp.completer_id"] == "0x0100")
        #expect(cpl["pcietlp.tag"] == "7")
        #expect(cpl["pcietlp.byte_count"] == "4")
        #expect(cpl["pcietlp.length"] == "0")
        #expect(cpl["pcietlp.payload"] == "")
        #expect(cpl["_ws.col.Info"] == "upstream Cpl UR completer=01:00.0 requester=00:00.0 tag=7 bytes=4")

        let cfgWr = rows[4]
        #expect(cfgWr["pcietlp.direction"] == "0")
        #expect(cfgWr["pcietlp.fmt_type"] == "0x44")
        #expect(cfgWr["pcietlp.kind"] == "CfgWr0")
        #expect(cfgWr["pcietlp.length"] == "1")
        #expect(cfgWr["pcietlp.tag"] == "9")
        #expect(cfgWr["pcietlp.first_be"] == "0x03")
        #expect(cfgWr["pcietlp.target_id"] == "0x0100")
        #expect(cfgWr["pcietlp.register"] == "65")
        #expect(cfgWr["pcietlp.payload"] == "06000000")
        #expect(cfgWr["pcietlp.address"] == "")
        #expect(cfgWr["_ws.col.Info"] == "downstream CfgWr0 requester=00:00.0 tag=9 target=01:00.0 offset=0x104 length=1 first_be=0x3 last_be=0x0 data=06000000")
    }

    /// Every record of the bundled traces decodes with the dissector's Info text equal to the
    /// canonical `.mtrace` line without its time.
    @Test func infoMatchesMTrace() throws {
        for trace in PcapTraceTests.traces {
            let directory = try TestSupport.scratchDirectory()
            let pcap = try PcapTraceTests.convert(trace, into: directory)
            let lines = try PcapTraceTests.canonicalText(PcapTraceReader(path: pcap)).split(separator: "\n")
            let events = lines.filter { $0.first?.isNumber == true }.map { $0.drop { $0 != " " }.dropFirst() }
            let infos = try Self.decode(pcap, fields: ["_ws.col.Info"]).dropFirst().map { $0["_ws.col.Info"] ?? "" }
            #expect(infos.map { Substring($0) } == events, "\(trace)")
        }
    }
}
