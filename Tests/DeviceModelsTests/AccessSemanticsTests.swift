import PCIeTransport
import DeviceModels
import Testing

/// A test model with one register of each access type, a memory range and a side effect.
let semanticsYAML = """
    name: semantics
    pci: {vendor-id: 0x1234, device-id: 0x5678}
    unsupported: ur
    bars:
      0:
        size: 0x1000
        memory:
          - {offset: 0x800, size: 0x100}
        registers:
          - {name: RW, offset: 0x0, sizes: [1, 2, 4], reset: 0x11223344}
          - {name: RO, offset: 0x4, access: ro, reset: 0xcafe}
          - {name: WO, offset: 0x8, access: wo}
          - {name: W1C, offset: 0xc, access: w1c, reset: 0xff}
          - {name: RC, offset: 0x10, access: rc, reset: 0x0}
          - {name: DB, offset: 0x14, access: fifo}
          - {name: WIDE, offset: 0x18, sizes: [4, 8], reset: 0x0102030405060708}
    """

func semantics() throws -> DeviceState {
    DeviceState(model: try DeviceModel.load(yaml: semanticsYAML, file: "semantics.yaml"))
}

@Suite struct AccessSemanticsTests {
    @Test func readWrite() throws {
        var device = try semantics()
        #expect(device.read(bar: 0, offset: 0, size: 4, at: 0) == ReadCompletion(status: .successful, data: AccessValue(0x1122_3344)))
        #expect(device.write(bar: 0, offset: 1, size: 1, data: AccessValue(0xaa), at: 1) == .accepted)
        #expect(device.read(bar: 0, offset: 0, size: 4, at: 2).data.low64 == 0x1122_aa44)
        #expect(device.read(bar: 0, offset: 2, size: 2, at: 3).data.low64 == 0x1122)
        // Byte enables: only byte 3 of a 4-byte write lands.
        #expect(device.write(bar: 0, offset: 0, size: 4, data: AccessValue(0xdead_beef), byteEnables: 0b1000, at: 4) == .accepted)
        #expect(device.read(bar: 0, offset: 0, size: 4, at: 5).data.low64 == 0xde22_aa44)
    }

    /// Writes to a read-only register are accepted and ignored, as PCIe and NVMe specify.
    @Test func readOnlyIgnoresWrites() throws {
        var device = try semantics()
        #expect(device.write(bar: 0, offset: 4, size: 4, data: AccessValue(1), at: 0) == .accepted)
        #expect(device.read(bar: 0, offset: 4, size: 4, at: 1).data.low64 == 0xcafe)
    }

    @Test func writeOnlyReadsZero() throws {
        var device = try semantics()
        #expect(device.write(bar: 0, offset: 8, size: 4, data: AccessValue(0x55), at: 0) == .accepted)
        #expect(device.read(bar: 0, offset: 8, size: 4, at: 1) == ReadCompletion(status: .successful))
        #expect(device.value(ofRegister: "WO", at: 1) == 0x55)
    }

    @Test func writeOneToClear() throws {
        var device = try semantics()
        _ = device.write(bar: 0, offset: 0xc, size: 4, data: AccessValue(0x0f), at: 0)
        #expect(device.read(bar: 0, offset: 0xc, size: 4, at: 1).data.low64 == 0xf0)
    }

    @Test func readToClear() throws {
        var device = try semantics()
        let rc = try #require(device.model.registerIndex(named: "RC"))
        #expect(device.model.registers[rc].access == .rc)
        #expect(device.isReadSensitive(bar: 0, offset: 0x10))
        #expect(device.isReadSensitive(bar: 0, offset: 0x0, size: 64))
        #expect(!device.isReadSensitive(bar: 0, offset: 0x0, size: 0x10))
        #expect(!device.isReadSensitive(bar: 0, offset: 0x800, size: 64))
        // Writes are ignored; the device's own value (none here) stays until a read clears it.
        #expect(device.write(bar: 0, offset: 0x10, size: 4, data: AccessValue(7), at: 0) == .accepted)
        let first = device.read(bar: 0, offset: 0x10, size: 4, at: 1)
        #expect(first.status == .successful && first.hadSideEffect)
    }

    @Test func doorbellsCountAndReadZero() throws {
        var device = try semantics()
        for i in 0..<3 { #expect(device.write(bar: 0, offset: 0x14, size: 4, data: AccessValue(UInt64(i)), at: UInt64(i)) == .accepted) }
        #expect(device.doorbellWrites(ofRegister: "DB") == 3)
        #expect(device.doorbellWrites(ofRegister: "RW") == 0)
        #expect(device.totalDoorbellWrites == 3)
        #expect(device.read(bar: 0, offset: 0x14, size: 4, at: 4) == ReadCompletion(status: .successful))
        #expect(device.value(ofRegister: "DB", at: 4) == 2)
    }

    @Test func eightByteRegisterAndItsHalves() throws {
        var device = try semantics()
        #expect(device.read(bar: 0, offset: 0x18, size: 8, at: 0).data.low64 == 0x0102_0304_0506_0708)
        #expect(device.read(bar: 0, offset: 0x1c, size: 4, at: 0).data.low64 == 0x0102_0304)
        #expect(device.write(bar: 0, offset: 0x1c, size: 4, data: AccessValue(0xaabb_ccdd), at: 1) == .accepted)
        #expect(device.read(bar: 0, offset: 0x18, size: 8, at: 2).data.low64 == 0xaabb_ccdd_0506_0708)
        #expect(!device.acceptsSize(bar: 0, offset: 0x1a, size: 4))
        #expect(!device.acceptsSize(bar: 0, offset: 0x18, size: 2))
    }

    /// Memory ranges take any size and alignment, merge byte-enabled bytes, and read back.
    @Test func memoryRangeMergesBytes() throws {
        var device = try semantics()
        let line = AccessValue(bytes: (0..<64).map { UInt8($0 + 1) })
        #expect(device.write(bar: 0, offset: 0x800, size: 64, data: line, at: 0) == .accepted)
        #expect(device.write(bar: 0, offset: 0x803, size: 3, data: AccessValue(0xccbbaa), byteEnables: 0b101, at: 1) == .accepted)
        let read = device.read(bar: 0, offset: 0x801, size: 6, at: 2)
        #expect(read.status == .successful && !read.hadSideEffect)
        #expect((0..<6).map { read.data.byte($0) } == [2, 3, 0xaa, 5, 0xcc, 7])
        #expect(device.read(bar: 0, offset: 0x800, size: 64, at: 3).data.byte(63) == 64)
        #expect(device.acceptsSize(bar: 0, offset: 0x8ff, size: 1))
        #expect(!device.acceptsSize(bar: 0, offset: 0x8ff, size: 2))
    }

    /// Memory over several pages (kept in 4 KiB pages that copy on write): a write across a
    /// page boundary reads back; a copy changes apart from the original; an FLR zeroes it all,
    /// equal to a device just powered up.
    @Test func memoryPagesCopyApartAndReset() throws {
        let model = try DeviceModel.load(yaml: """
            name: paged
            bars:
              0:
                size: 0x4000
                memory: [{offset: 0x1000, size: 0x2100}]
            """, file: "paged.yaml")
        var device = DeviceState(model: model)
        let fresh = device
        let line = AccessValue(bytes: (0..<16).map { UInt8($0 + 1) })
        #expect(device.write(bar: 0, offset: 0x1ff8, size: 16, data: line, at: 0) == .accepted)
        #expect(device.read(bar: 0, offset: 0x1ff8, size: 16, at: 1).data == line)
        var copy = device
        #expect(copy == device)
        #expect(copy.write(bar: 0, offset: 0x2000, size: 1, data: AccessValue(0xee), at: 2) == .accepted)
        #expect(copy.write(bar: 0, offset: 0x30ff, size: 1, data: AccessValue(0xdd), at: 2) == .accepted)
        #expect(device.read(bar: 0, offset: 0x2000, size: 1, at: 3).data.low64 == 9)
        #expect(copy.read(bar: 0, offset: 0x2000, size: 1, at: 3).data.low64 == 0xee)
        #expect(copy.read(bar: 0, offset: 0x30ff, size: 1, at: 3).data.low64 == 0xdd)
        #expect(copy != device)
        copy.initiateFLR(at: 4)
        device.initiateFLR(at: 4)
        #expect(copy == device)
        #expect(device.read(bar: 0, offset: 0x1ff8, size: 16, at: 1_000_000_000_000).data == AccessValue(bytes: Array(repeating: 0, count: 16)))
        var reset = fresh
        reset.initiateFLR(at: 4)
        #expect(reset == device)
    }

    /// Unsupported accesses: no register, wrong size, misaligned, straddling, past the window.
    @Test(arguments: [
        (UInt8(0), UInt64(0x100), 4), (0, 0x4, 2), (0, 0x4, 8), (0, 0x2, 4), (0, 0x1, 2), (0, 0x12, 4),
        (0, 0x8fe, 4), (1, 0x0, 4), (0, 0x1000, 4), (0, 0x800, 0), (0, 0x800, 65),
    ])
    func unsupportedAccesses(bar: UInt8, offset: UInt64, size: Int) throws {
        var device = try semantics()
        let report = AERReport(error: .unsupportedRequest, severity: .nonFatal, masked: false)
        #expect(device.write(bar: bar, offset: offset, size: size, data: .zero, at: 0) == .unsupported(.ur, report))
        #expect(device.read(bar: bar, offset: offset, size: size, at: 1) == ReadCompletion(status: .unsupportedRequest, aer: report))
        #expect(device.aer.status == UncorrectableError.unsupportedRequest.bit)
        #expect(!device.acceptsSize(bar: bar, offset: offset, size: size))
    }

    /// A copy is a snapshot: each evolves on its own.
    @Test func snapshotEvolvesIndependently() throws {
        var original = try semantics()
        _ = original.write(bar: 0, offset: 0, size: 4, data: AccessValue(1), at: 0)
        var snapshot = original
        _ = original.write(bar: 0, offset: 0, size: 4, data: AccessValue(2), at: 1)
        _ = original.write(bar: 0, offset: 0x14, size: 4, data: AccessValue(2), at: 1)
        _ = original.write(bar: 0, offset: 0x800, size: 1, data: AccessValue(9), at: 1)
        _ = snapshot.write(bar: 0, offset: 0, size: 4, data: AccessValue(3), at: 1)
        _ = snapshot.read(bar: 0, offset: 0x100, size: 4, at: 2)
        #expect(original.read(bar: 0, offset: 0, size: 4, at: 3).data.low64 == 2)
        #expect(snapshot.read(bar: 0, offset: 0, size: 4, at: 3).data.low64 == 3)
        #expect(original.doorbellWrites(ofRegister: "DB") == 1 && snapshot.doorbellWrites(ofRegister: "DB") == 0)
        #expect(original.read(bar: 0, offset: 0x800, size: 1, at: 3).data.low64 == 9)
        #expect(snapshot.read(bar: 0, offset: 0x800, size: 1, at: 3).data.low64 == 0)
        #expect(original.aer.status == 0 && snapshot.aer.status != 0)
        #expect(original != snapshot)
    }
}
