import Diagnostics
import PCIeTransport
import DeviceModels
import Testing

@Suite struct BuiltInModelTests {
    @Test func namesAndOrder() throws {
        #expect(DeviceModel.builtIns.map(\.name) == ["generic", "nvme", "nic", "e1000e", "gicv2"])
        #expect(DeviceModel.builtIn(named: "NVMe")?.name == "nvme")
        #expect(DeviceModel.builtIn(named: "e1000") == nil)
        #expect(DeviceModel.builtIns.allSatisfy { $0.source == "built-in" })
    }

    @Test func resolve() throws {
        #expect(try DeviceModel.resolve("gicv2").name == "gicv2")
        #expect(throws: ResolutionError(argument: "nvm", kind: DeviceModel.resourceKind, failure: .unknownName(suggestion: "nvme"))) { try DeviceModel.resolve("nvm") }
        #expect(throws: ResolutionError(argument: "models/x.yaml", kind: DeviceModel.resourceKind, failure: .missingFile)) { try DeviceModel.resolve("models/x.yaml") }
        #expect(ResolutionError(argument: "nvm", kind: DeviceModel.resourceKind, failure: .unknownName(suggestion: "nvme")).description
            == "expected a device model (generic, nvme, nic, e1000e, gicv2) or the path of a model file, found 'nvm'; did you mean 'nvme'?")
    }

    /// Unsupported accesses get UR or CA per model, logged in AER with the default severity.
    @Test(arguments: [("generic", ErrorResponse.ur), ("nvme", .ca), ("nic", .ur), ("e1000e", .ur), ("gicv2", .ur)])
    func unsupportedResponse(name: String, response: ErrorResponse) throws {
        var device = DeviceState(model: try #require(DeviceModel.builtIn(named: name)))
        let report = AERReport(error: response.aerError, severity: .nonFatal, masked: false)
        #expect(device.read(bar: 0, offset: 0x14, size: 8, at: 0) == ReadCompletion(status: response.completionStatus, aer: report))
        #expect(device.aer.status == response.aerError.bit)
        #expect(device.write(bar: 0, offset: 0x15, size: 2, data: .zero, at: 1) == .unsupported(response, report))
    }

    /// Offsets with no register: an error where the model says so, else read 0 and writes
    /// dropped (nvme and e1000e decode their whole BARs, as QEMU's do).
    @Test(arguments: [("generic", UnmappedResponse.error(.ur)), ("nvme", .zero), ("nic", .error(.ur)), ("e1000e", .zero), ("gicv2", .error(.ur))])
    func unmappedOffsets(name: String, response: UnmappedResponse) throws {
        let model = try #require(DeviceModel.builtIn(named: name))
        #expect(model.unmapped == response)
        var device = DeviceState(model: model)
        let offset: UInt64 = name == "e1000e" ? 0xfc : 0xff0
        let read = device.read(bar: 0, offset: offset, size: 4, at: 0)
        let write = device.write(bar: 0, offset: offset, size: 4, data: AccessValue(0xffff_ffff), at: 1)
        switch response {
        case .zero:
            #expect(read == ReadCompletion(status: .successful) && write == .accepted)
            #expect(device.read(bar: 0, offset: offset, size: 4, at: 2).data == .zero && device.aer.status == 0)
        case .error(let error):
            #expect(read.status == error.completionStatus)
            #expect(write == .unsupported(error, AERReport(error: error.aerError, severity: .nonFatal, masked: false)))
        }
        #expect(device.read(bar: 0, offset: model.bar(0)!.size, size: 4, at: 3).status != .successful, "past the BAR is unsupported")
    }

    @Test func generic() throws {
        var device = DeviceState(model: try #require(DeviceModel.builtIn(named: "generic")))
        #expect(device.model.registers.count == 64 && device.model.registers.last?.offset == 0xfc)
        #expect(device.write(bar: 0, offset: 0xfe, size: 2, data: AccessValue(0xbeef), at: 0) == .accepted)
        #expect(device.read(bar: 0, offset: 0xfc, size: 4, at: 1).data.low64 == 0xbeef_0000)
        #expect(device.read(bar: 0, offset: 0x100, size: 4, at: 1).status == .unsupportedRequest)
    }

    /// docs/domain.md §7 scenario 1: an 8-byte read of a 4-byte NVMe register gets CA; CAP accepts both.
    @Test func nvmeRegisters() throws {
        var device = DeviceState(model: try #require(DeviceModel.builtIn(named: "nvme")))
        #expect(device.read(bar: 0, offset: 0x0, size: 8, at: 0).data.low64 == 0x0040_1820_0f01_07ff)
        #expect(device.read(bar: 0, offset: 0x4, size: 4, at: 0).data.low64 == 0x0040_1820)
        #expect(device.read(bar: 0, offset: 0x8, size: 4, at: 0).data.low64 == 0x0001_0400)
        #expect(device.read(bar: 0, offset: 0x1c, size: 8, at: 0).status == .completerAbort)
        #expect(device.aer.status == UncorrectableError.completerAbort.bit)
        #expect(device.write(bar: 0, offset: 0x28, size: 8, data: AccessValue(0x6adc000), at: 1) == .accepted)
        #expect(device.write(bar: 0, offset: 0x1008, size: 4, data: AccessValue(1), at: 2) == .accepted)
        #expect(device.doorbellWrites(ofRegister: "SQTDBL1") == 1)
        #expect(device.write(bar: 0, offset: 0x1000, size: 8, data: AccessValue(1), at: 3) == .unsupported(
            .ca, AERReport(error: .completerAbort, severity: .nonFatal, masked: false)))
        #expect(device.model.registerIndex(named: "CQHDBL64") != nil)
    }

    /// CC.EN = 1 sets CSTS.RDY after the model's delay (1000 ns); EN = 0 clears it likewise; a
    /// later write replaces a pending change of the same bit.
    @Test func nvmeEnableSetsReadyAfterTheDelay() throws {
        var device = DeviceState(model: try #require(DeviceModel.builtIn(named: "nvme")))
        let us: UInt64 = 1_000_000  // picoseconds
        _ = device.write(bar: 0, offset: 0x14, size: 4, data: AccessValue(0x460061), at: 10 * us)
        #expect(device.read(bar: 0, offset: 0x1c, size: 4, at: 10 * us + 999_999).data.low64 == 0)
        #expect(device.read(bar: 0, offset: 0x1c, size: 4, at: 11 * us).data.low64 == 1)
        // Disable then re-enable before the disable lands: RDY never drops.
        _ = device.write(bar: 0, offset: 0x14, size: 4, data: AccessValue(0x460060), at: 20 * us)
        _ = device.write(bar: 0, offset: 0x14, size: 4, data: AccessValue(0x460061), at: 20 * us + 500_000)
        #expect(device.value(ofRegister: "CSTS", at: 21 * us) == 1)
        #expect(device.value(ofRegister: "CSTS", at: 22 * us) == 1)
        // Shutdown notification: SHST = 10b, as Linux saw (CSTS 0x9).
        _ = device.write(bar: 0, offset: 0x14, size: 4, data: AccessValue(0x464061), at: 30 * us)
        #expect(device.value(ofRegister: "CSTS", at: 31 * us) == 0x9)
        _ = device.write(bar: 0, offset: 0x14, size: 4, data: AccessValue(0), at: 40 * us)
        #expect(device.value(ofRegister: "CSTS", at: 41 * us) == 0)
    }

    @Test func nic() throws {
        var device = DeviceState(model: try #require(DeviceModel.builtIn(named: "nic")))
        #expect(device.read(bar: 0, offset: 0x8, size: 4, at: 0).data.low64 == 0x80283)
        #expect(device.isReadSensitive(bar: 0, offset: 0xc0) && device.isReadSensitive(bar: 0, offset: 0x4124))
        #expect(!device.isReadSensitive(bar: 0, offset: 0x8, size: 4))
        #expect(device.write(bar: 0, offset: 0x3918, size: 4, data: AccessValue(5), at: 1) == .accepted)
        #expect(device.doorbellWrites(ofRegister: "TDT1") == 1)
        #expect(device.write(bar: 0, offset: 0x3818, size: 2, data: AccessValue(5), at: 1) == .unsupported(
            .ur, AERReport(error: .unsupportedRequest, severity: .nonFatal, masked: false)))
        // BAR2: one 64-byte write-combined push, read back at any size.
        #expect(device.model.bar(2)?.prefetchable == true)
        let push = AccessValue(bytes: (0..<64).map { UInt8(0x80 | $0) })
        #expect(device.write(bar: 2, offset: 0x40, size: 64, data: push, at: 2) == .accepted)
        #expect(device.read(bar: 2, offset: 0x7c, size: 4, at: 3).data.low64 == 0xbfbe_bdbc)
        #expect(!device.isShared(bar: 2))
    }

    /// The 82574L handshakes Linux's e1000e polls for: MDIC Ready after a PHY read or write,
    /// EERD Done after Start, CTRL.RST self-clearing; RDT/TDT doorbells; MSI-X vectors masked.
    @Test func e1000eHandshakes() throws {
        var device = DeviceState(model: try #require(DeviceModel.builtIn(named: "e1000e")))
        #expect(device.read(bar: 0, offset: 0x8, size: 4, at: 0).data.low64 == 0x80283)
        #expect(device.write(bar: 0, offset: 0x20, size: 4, data: AccessValue(0x0822_0000), at: 1) == .accepted)  // PHY read op
        #expect(device.read(bar: 0, offset: 0x20, size: 4, at: 2).data.low64 == 0x1822_0000)
        #expect(device.write(bar: 0, offset: 0x14, size: 4, data: AccessValue(0x1), at: 3) == .accepted)
        #expect(device.read(bar: 0, offset: 0x14, size: 4, at: 4).data.low64 == 0x3)
        #expect(device.write(bar: 0, offset: 0x0, size: 4, data: AccessValue(0x0414_0241), at: 5) == .accepted)
        #expect(device.read(bar: 0, offset: 0x0, size: 4, at: 6).data.low64 == 0x0014_0241)
        #expect(device.write(bar: 0, offset: 0x2918, size: 4, data: AccessValue(7), at: 7) == .accepted)
        #expect(device.doorbellWrites(ofRegister: "RDT1") == 1)
        #expect(device.read(bar: 3, offset: 0x4c, size: 4, at: 8).data.low64 == 1)
        #expect(device.read(bar: 3, offset: 0x50, size: 4, at: 8).data == .zero)
        #expect(device.read(bar: 3, offset: 0x4c, size: 8, at: 8).status == .unsupportedRequest)
        #expect(device.read(bar: 0, offset: 0x5404, size: 4, at: 8).data.low64 == 0x8000_5634)
    }

    @Test func gicv2() throws {
        var device = DeviceState(model: try #require(DeviceModel.builtIn(named: "gicv2")))
        #expect(device.model.pci == nil)
        #expect(device.isShared(bar: 0) && !device.isShared(bar: 1))
        #expect(device.isReadSensitive(bar: 0, offset: 0xc) && !device.isReadSensitive(bar: 0, offset: 0x10))
        let iar = device.read(bar: 0, offset: 0xc, size: 4, at: 0)
        #expect(iar.data.low64 == 0x3ff && iar.hadSideEffect)
        #expect(device.read(bar: 0, offset: 0xfc, size: 4, at: 0).data.low64 == 0x0202_143b)
        #expect(device.read(bar: 0, offset: 0x1000, size: 4, at: 0) == ReadCompletion(status: .successful))
        #expect(device.read(bar: 0, offset: 0x0, size: 2, at: 0).status == .unsupportedRequest)
        #expect(device.configRead(offset: 0, size: 4, at: 0).status == .unsupportedRequest)
    }
}
