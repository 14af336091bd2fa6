import PCIeTransport
import DeviceModels
import Testing

@Suite struct FLRAndAERTests {
    let ms: UInt64 = 1_000_000_000

    @Test func configHeader() throws {
        var device = DeviceState(model: try #require(DeviceModel.builtIn(named: "nvme")))
        #expect(device.configRead(offset: 0, size: 4, at: 0) == ConfigCompletion(status: .successful, value: 0x0010_1b36))
        #expect(device.configRead(offset: 0x2, size: 2, at: 0).value == 0x0010)
        #expect(device.configRead(offset: 0x8, size: 4, at: 0).value == 0x0108_0202)
        #expect(device.configRead(offset: 0x34, size: 1, at: 0).value == 0x80)
        #expect(device.configRead(offset: 0x84, size: 4, at: 0).value == 0x1000_8000)
        #expect(device.configRead(offset: 0x100, size: 4, at: 0).value == 0x0002_0001)
        #expect(device.configRead(offset: 0x10c, size: 4, at: 0).value == 0x0006_2030)
        #expect(device.configRead(offset: 0x3, size: 2, at: 0).status == .unsupportedRequest)
        #expect(device.configRead(offset: 0x1000, size: 4, at: 0).status == .unsupportedRequest)
        // BAR sizing: all ones reads back the size mask.
        #expect(device.configWrite(offset: 0x10, size: 4, value: 0xffff_ffff, at: 0) == .successful)
        #expect(device.configRead(offset: 0x10, size: 4, at: 0).value == 0xffff_c000)
        var nic = DeviceState(model: try #require(DeviceModel.builtIn(named: "nic")))
        _ = nic.configWrite(offset: 0x18, size: 4, value: 0xffff_ffff, at: 0)
        #expect(nic.configRead(offset: 0x18, size: 4, at: 0).value == 0xffff_0008)
    }

    /// AER defaults (docs/domain.md §3): UR, CA, poisoned TLP, completion timeout, ECRC non-fatal;
    /// malformed TLP, surprise down, DLP, flow control, receiver overflow fatal.
    @Test(arguments: UncorrectableError.allCases)
    func defaultSeverity(error: UncorrectableError) {
        var aer = AERRegisters()
        let fatal: [UncorrectableError] = [.malformedTLP, .surpriseDown, .dataLinkProtocol, .flowControl, .receiverOverflow]
        #expect(aer.log(error) == AERReport(error: error, severity: fatal.contains(error) ? .fatal : .nonFatal, masked: false))
        #expect(aer.status == error.bit)
    }

    @Test func bitPositions() {
        #expect(UncorrectableError.allCases.map(\.rawValue) == [4, 5, 12, 13, 14, 15, 16, 17, 18, 19, 20])
        #expect(UncorrectableError.defaultFatalBits == 0x0006_2030)
    }

    /// Mask and severity are programmable through config space; status is RW1C; a masked error
    /// still sets its status bit.
    @Test func aerThroughConfigSpace() throws {
        var device = DeviceState(model: try #require(DeviceModel.builtIn(named: "nic")))
        _ = device.configWrite(offset: 0x108, size: 4, value: UncorrectableError.unsupportedRequest.bit, at: 0)
        _ = device.configWrite(offset: 0x10c, size: 4, value: 0xffff_ffff, at: 0)
        let outcome = device.write(bar: 0, offset: 0x4, size: 4, data: .zero, at: 1)
        #expect(outcome == .unsupported(.ur, AERReport(error: .unsupportedRequest, severity: .fatal, masked: true)))
        #expect(device.configRead(offset: 0x104, size: 4, at: 2).value == 0x0010_0000)
        #expect(device.configRead(offset: 0x10c, size: 4, at: 2).value == UncorrectableError.definedBits)
        // Device Status: fatal error detected (bit 2) and UR detected (bit 3).
        #expect(device.configRead(offset: 0x8a, size: 2, at: 2).value == 0b1100)
        _ = device.configWrite(offset: 0x104, size: 4, value: 0x0010_0000, at: 3)
        _ = device.configWrite(offset: 0x8a, size: 2, value: 0b1000, at: 3)
        #expect(device.aer.status == 0)
        #expect(device.configRead(offset: 0x8a, size: 2, at: 3).value == 0b0100)
    }

    /// FLR through config space (Linux `pcie_flr`: write 0x8000 at the PCIe capability + 8):
    /// posted writes discarded and non-posted requests UR inside the window, completions for
    /// earlier requests unexpected, registers at reset values afterwards; AER status kept.
    @Test func flrThroughConfigSpace() throws {
        var device = DeviceState(model: try #require(DeviceModel.builtIn(named: "nvme")))
        _ = device.write(bar: 0, offset: 0x24, size: 4, data: AccessValue(0x1f001f), at: 0)
        _ = device.write(bar: 0, offset: 0x14, size: 4, data: AccessValue(1), at: 0)
        _ = device.write(bar: 0, offset: 0x2000, size: 4, data: AccessValue(0xfee0_1004), at: 0)
        _ = device.write(bar: 0, offset: 0x1000, size: 4, data: AccessValue(1), at: 0)
        _ = device.read(bar: 0, offset: 0x1c, size: 8, at: 0)  // CA: logged, sticky
        _ = device.configWrite(offset: 0x04, size: 2, value: 0x0006, at: 0)
        #expect(device.value(ofRegister: "CSTS", at: 1 * ms) == 1)

        let start = 2 * ms
        #expect(device.configWrite(offset: 0x88, size: 2, value: 0x8000, at: start) == .successful)
        #expect(device.flrStartedAt == start)
        #expect(device.flrInProgress(at: start) && device.flrInProgress(at: start + 100 * ms - 1))
        #expect(!device.flrInProgress(at: start + 100 * ms) && !device.flrInProgress(at: start - 1))
        #expect(device.write(bar: 0, offset: 0x24, size: 4, data: AccessValue(7), at: start + ms) == .discardedDuringFLR)
        #expect(device.write(bar: 0, offset: 0x1000, size: 4, data: AccessValue(2), at: start + ms) == .discardedDuringFLR)
        #expect(device.read(bar: 0, offset: 0x0, size: 4, at: start + ms) == ReadCompletion(status: .unsupportedRequest))
        #expect(device.configRead(offset: 0, size: 4, at: start + ms).status == .configurationRetry)
        #expect(device.configWrite(offset: 0x88, size: 2, value: 0x8000, at: start + ms) == .configurationRetry)
        #expect(device.isUnexpectedCompletion(requestedAt: start - 1, arrivingAt: start + ms))
        #expect(!device.isUnexpectedCompletion(requestedAt: start, arrivingAt: start + ms))
        #expect(device.receiveCompletion(requestedAt: start - 1, at: start + ms)
            == AERReport(error: .unexpectedCompletion, severity: .nonFatal, masked: false))
        #expect(device.receiveCompletion(requestedAt: start + ms, at: start + 2 * ms) == nil)

        let ready = start + 100 * ms
        #expect(device.read(bar: 0, offset: 0x24, size: 4, at: ready) == ReadCompletion(status: .successful))
        #expect(device.read(bar: 0, offset: 0x14, size: 4, at: ready).data.low64 == 0)
        #expect(device.value(ofRegister: "CSTS", at: ready) == 0)
        #expect(device.read(bar: 0, offset: 0x0, size: 8, at: ready).data.low64 == 0x0040_1820_0f01_07ff)
        #expect(device.read(bar: 0, offset: 0x2000, size: 4, at: ready).data.low64 == 0)
        #expect(device.configRead(offset: 0x04, size: 2, at: ready).value == 0)
        #expect(device.configRead(offset: 0x88, size: 2, at: ready).value == 0)
        #expect(device.doorbellWrites(ofRegister: "SQTDBL0") == 1)
        #expect(device.aer.status == UncorrectableError.completerAbort.bit | UncorrectableError.unexpectedCompletion.bit)
        #expect(device.write(bar: 0, offset: 0x24, size: 4, data: AccessValue(7), at: ready) == .accepted)
    }

    /// A pending CSTS.RDY from before the FLR never lands after it.
    @Test func flrDropsPendingSideEffects() throws {
        var device = DeviceState(model: try #require(DeviceModel.builtIn(named: "nvme")))
        _ = device.write(bar: 0, offset: 0x14, size: 4, data: AccessValue(1), at: 0)
        device.initiateFLR(at: 1)
        #expect(device.value(ofRegister: "CSTS", at: 200 * ms) == 0)
    }

    /// A model that keeps posted writes during FLR still answers reads with its non-posted status.
    @Test func flrThatKeepsPostedWrites() throws {
        var device = DeviceState(model: try DeviceModel.load(yaml: """
            name: keeps
            pci: {vendor-id: 1, device-id: 2}
            flr: {ready-after-ns: 1000, discard-posted: false, non-posted: ca}
            bars: {0: {size: 16, registers: [{name: R, offset: 0}]}}
            """, file: "k.yaml"))
        device.initiateFLR(at: 0)
        #expect(device.write(bar: 0, offset: 0, size: 4, data: AccessValue(5), at: 10) == .accepted)
        #expect(device.read(bar: 0, offset: 0, size: 4, at: 999_999) == ReadCompletion(status: .completerAbort))
        #expect(device.read(bar: 0, offset: 0, size: 4, at: 1_000_000).data.low64 == 5)
    }
}
