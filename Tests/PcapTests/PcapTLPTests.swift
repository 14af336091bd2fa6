import Foundation
import Pcap
import PCIeTransport
import Testing

@Suite struct PcapTLPTests {
    static let root = PCIAddress(routingID: 0)
    static let device = PCIAddress(bus: 1, device: 0, function: 0)

    /// One TLP of each kind the dissector tests check, with its direction.
    static let captured: [CapturedTLP] = [
        CapturedTLP(timeNanoseconds: 100, direction: .downstream, tlp: .memoryWrite(
            address: 0xfe40_0014, firstByteEnables: 0xf, lastByteEnables: 0, payload: TLPPayload(dword: 0x0046_0001), requester: root)),
        CapturedTLP(timeNanoseconds: 200, direction: .downstream, tlp: .memoryRead(
            address: 0x80_0000_1000, length: 2, firstByteEnables: 0xf, lastByteEnables: 0x3, requester: root, tag: 0x2a5)),
        CapturedTLP(timeNanoseconds: 300, direction: .upstream, tlp: .completionWithData(
            completer: device, requester: root, tag: 0x2a5, byteCount: 8, lowerAddress: 0, payload: TLPPayload(dword: 0xdead_beef))),
        CapturedTLP(timeNanoseconds: 400, direction: .upstream, tlp: .completion(
            status: .unsupportedRequest, completer: device, requester: root, tag: 7, byteCount: 4)),
        CapturedTLP(timeNanoseconds: 500, direction: .downstream, tlp: .configWrite(
            target: device, register: 0x41, firstByteEnables: 0x3, value: 0x0006, requester: root, tag: 9)),
    ]

    /// Writes ``captured`` (the first as bytes, the rest as values) to a new file.
    static func writeCapture() throws -> String {
        let path = try TestSupport.scratchDirectory().appendingPathComponent("tlps.pcap").path
        let writer = try PcapTLPWriter(path: path)
        for (index, record) in captured.enumerated() {
            if index == 0 {
                try writer.write(timeNanoseconds: record.timeNanoseconds, direction: record.direction, tlp: record.tlp.bytes)
            } else {
                try writer.write(timeNanoseconds: record.timeNanoseconds, direction: record.direction, tlp: record.tlp)
            }
        }
        try writer.flush()
        return path
    }

    @Test func roundTrip() throws {
        let reader = try PcapTLPReader(path: try Self.writeCapture())
        for record in Self.captured { #expect(try reader.next() == record) }
        #expect(try reader.next() == nil)
    }

    /// Record bytes: type 3, direction, then the TLP exactly as `TLP.bytes` lays it out.
    @Test func recordBytes() throws {
        var reader = try PcapReader(path: try Self.writeCapture())
        #expect(reader.linkType == .user1)
        let first = try #require(try reader.next())
        #expect(first.bytes == [3, 0, 0x40, 0, 0, 1, 0, 0, 0, 0x0f, 0xfe, 0x40, 0, 0x14, 0x01, 0x00, 0x46, 0x00])
        #expect(first.timeNanoseconds == 100)
    }

    @Test(arguments: [
        ([UInt8]([3, 2, 0x0a, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0]), "unknown direction 2 (0 downstream, 1 upstream)"),
        ([2, 0], "expected a TLP record (type 3)"),
        ([3, 0, 0x40, 0, 0, 1], "malformed TLP at record byte 6: a MWr32 header is 12 bytes, found 4"),
    ])
    func malformedRecords(bytes: [UInt8], message: String) throws {
        let path = try TestSupport.scratchDirectory().appendingPathComponent("bad.pcap").path
        do {
            let writer = try PcapWriter(path: path, linkType: .user1)
            try writer.write(timeNanoseconds: 0, bytes: bytes)
            try writer.close()
        }
        let reader = try PcapTLPReader(path: path)
        do {
            _ = try reader.next()
            Issue.record("expected an error")
        } catch let error as PcapRecordError {
            #expect(error.description == "\(path):record 1: error: \(message)")
        }
    }
}
