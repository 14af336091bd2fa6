import Foundation
import Pcap
import Testing

@Suite struct PcapFileTests {
    /// Records come back with their bytes, nanosecond times and the link type.
    @Test func writeThenRead() throws {
        let path = try TestSupport.scratchDirectory().appendingPathComponent("a.pcap").path
        let records: [(UInt64, [UInt8])] = [(0, []), (1, [1]), (1_999_999_999, [1, 2, 3]), (PcapWriter.timeLimitNanoseconds - 1, [0xff])]
        do {
            let writer = try PcapWriter(path: path, linkType: .user1)
            for (time, bytes) in records { try writer.write(timeNanoseconds: time, bytes: bytes) }
            try writer.close()
        }
        var reader = try PcapReader(path: path)
        #expect(reader.linkType == .user1)
        for (time, bytes) in records {
            #expect(try reader.next() == PcapPacket(timeNanoseconds: time, bytes: bytes, originalLength: bytes.count))
        }
        #expect(try reader.next() == nil)
    }

    /// The file header says nanoseconds (magic a1b23c4d, written in host order) and USER1.
    @Test func fileHeader() throws {
        let path = try TestSupport.scratchDirectory().appendingPathComponent("h.pcap").path
        try PcapWriter(path: path, linkType: .user1).close()
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(bytes.count == 24)
        #expect(Array(bytes[0..<4]) == [0x4d, 0x3c, 0xb2, 0xa1])
        #expect(Array(bytes[20..<24]) == [148, 0, 0, 0])
    }

    @Test func limitsAreErrors() throws {
        let path = try TestSupport.scratchDirectory().appendingPathComponent("l.pcap").path
        let writer = try PcapWriter(path: path, linkType: .user0)
        #expect(throws: PcapError.self) { try writer.write(timeNanoseconds: PcapWriter.timeLimitNanoseconds, bytes: []) }
        #expect(throws: PcapError.self) {
            try writer.write(timeNanoseconds: 0, bytes: [UInt8](repeating: 0, count: PcapWriter.maximumRecordLength + 1))
        }
    }

    /// libpcap's own messages, with the path.
    @Test func libpcapErrors() throws {
        let directory = try TestSupport.scratchDirectory()
        let missing = directory.appendingPathComponent("missing.pcap").path
        do {
            _ = try PcapReader(path: missing)
            Issue.record("expected an error")
        } catch {
            #expect(error.path == missing)
            #expect(error.description.hasPrefix("\(missing): error: "))
            #expect(error.message.contains("No such file"))
        }
        do {
            _ = try PcapWriter(path: directory.appendingPathComponent("no/such/dir.pcap").path, linkType: .user0)
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("No such file"))
        }

        let truncated = directory.appendingPathComponent("truncated.pcap").path
        do {
            let writer = try PcapWriter(path: truncated, linkType: .user0)
            try writer.write(timeNanoseconds: 5, bytes: [1, 2, 3, 4])
            try writer.close()
        }
        let whole = try Data(contentsOf: URL(fileURLWithPath: truncated))
        try whole.prefix(whole.count - 2).write(to: URL(fileURLWithPath: truncated))
        var reader = try PcapReader(path: truncated)
        do {
            _ = try reader.next()
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("truncated"))
            // Located: the first record, whose header follows the 24-byte file header.
            #expect(error.record?.number == 1 && error.record?.byteOffset == 24)
            #expect(error.description.hasPrefix("\(truncated):record 1: error: ") && error.description.hasSuffix("(the record's header is at byte 24)"))
        }
    }
}
