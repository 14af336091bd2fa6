import Foundation
import Importers
import MMIOTrace
import Testing

@Suite struct CaptureFormatTests {
    @Test func detectsTheRealAndWrittenSamples() throws {
        #expect(try CaptureFormat.detect(path: MmiotraceReaderTests.sample) == .mmiotrace)
        #expect(try CaptureFormat.detect(path: captures.appendingPathComponent("x86-q35-nvme.log").path) == .qemuLog)
        #expect(try CaptureFormat.detect(path: FtraceReaderTests.ftrace) == .ftrace)
        #expect(try CaptureFormat.detect(path: FtraceReaderTests.traceCmd) == .ftrace)
    }

    @Test(arguments: [
        ("# a trace\nmtrace 1\ndevice d\n", CaptureFormat.mtrace),
        ("# tracer: mmiotrace\n#\n", .mmiotrace),
        ("MAP 5.418737 1 0xfe400000 0xff6d19df405c6000 0x2000 0x0 0\n", .mmiotrace),
        ("R 4 1037.681772 1 0x90000300 0x37002 0x0 0\n", .mmiotrace),
        ("2025-07-01T10:00:00.123456Z vfio_region_read  (0000:06:01.0:region0+0x6fb8, 4) = 0x30000\n", .qemuLog),
        ("vfio_pci_reset_flr 0000:00:02.0 FLR/VFIO_DEVICE_RESET\n", .qemuLog),
        ("notdxvm-533084  [088] ..... 14915.616719: kvm_mmio: mmio write len 4 gpa 0xc0004014 val 0x0\n", .ftrace),
    ])
    func detectsText(text: String, format: CaptureFormat) throws {
        #expect(try CaptureFormat.detect(path: temporaryFile(text)) == format)
    }

    @Test(arguments: [[0xd4, 0xc3, 0xb2, 0xa1], [0x4d, 0x3c, 0xb2, 0xa1], [0x0a, 0x0d, 0x0d, 0x0a]] as [[UInt8]])
    func detectsPcapMagic(magic: [UInt8]) throws {
        let path = try temporaryFile("")
        try Data(magic + [UInt8](repeating: 0, count: 20)).write(to: URL(fileURLWithPath: path))
        #expect(try CaptureFormat.detect(path: path) == .pcap)
    }

    @Test func unknownContentListsTheFormats() throws {
        let path = try temporaryFile("hello world\n")
        #expect(errorText { _ = try CaptureFormat.detect(path: path) }
            == "\(path):1:1: error: expected a trace in a known format (mtrace, mmiotrace, qemu-log, ftrace, pcap), found none in its first 8 KiB; name the format with --from")
    }

    @Test func namesAndOpening() throws {
        #expect(CaptureFormat(name: "QEMU-log") == .qemuLog)
        #expect(CaptureFormat(name: "qemu") == nil)
        #expect(try openTrace(path: MmiotraceReaderTests.sample, format: .mmiotrace) is MmiotraceReader)
        #expect(try openTrace(path: FtraceReaderTests.ftrace, format: .ftrace) is FtraceReader)
        let mtrace = try temporaryFile("mtrace 1\n10 vcpu0 mark hello\n")
        #expect(try openTrace(path: mtrace, format: .mtrace).next()?.kind == .mark("hello"))
        // A file that is not pcap, opened as pcap: libpcap's own complaint, with the path.
        #expect(errorText { _ = try openTrace(path: MmiotraceReaderTests.sample, format: .pcap) }?.contains(MmiotraceReaderTests.sample) == true)
    }
}
