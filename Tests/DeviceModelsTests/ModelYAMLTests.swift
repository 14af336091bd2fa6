import DeviceModels
import Diagnostics
import PCIeTransport
import Testing

@Suite struct ModelYAMLTests {
    @Test func loadsAUserModel() throws {
        let model = try DeviceModel.load(yaml: """
            name: my-dev
            summary: "a doorbell and a status"
            pci: {vendor-id: 0x1af4, device-id: 0x1041, class: 0x020000}
            unsupported: ca
            flr: {ready-after-ns: 5_000}
            aer:
              masked: [unsupported-request]
              fatal: [surprise-down, completer-abort]
            bars:
              2:
                size: 0x1000
                prefetchable: true
                memory: [{offset: 0x800, size: 0x800}]
              0:
                size: 0x100
                registers:
                  - name: GO
                    offset: 0x10
                    access: w1c
                    side-effects: [{when-written-bit: 1, value: 0, sets: {register: DONE, bit: 31}}]
                  - {name: DONE, offset: 0x14, access: ro, reset: 0b1}
                  - {name: Q, offset: 0x20, count: 4, stride: 8, sizes: [8], access: doorbell}
            """, file: "my-dev.yaml")
        #expect(model.name == "my-dev" && model.summary == "a doorbell and a status" && model.source == "file my-dev.yaml")
        #expect(model.pci == PCIIdentity(vendorID: 0x1af4, deviceID: 0x1041, classCode: 0x020000))
        #expect(model.unsupported == .ca)
        #expect(model.flr == FLRBehaviour(readyAfterNs: 5000, discardPosted: true, nonPosted: .ur))
        #expect(model.aer.mask == UncorrectableError.unsupportedRequest.bit)
        #expect(model.aer.severity == UncorrectableError.surpriseDown.bit | UncorrectableError.completerAbort.bit)
        #expect(model.bars.map(\.index) == [0, 2])
        #expect(model.registers.map(\.name) == ["GO", "DONE", "Q0", "Q1", "Q2", "Q3"])
        #expect(model.registers.map(\.offset) == [0x10, 0x14, 0x20, 0x28, 0x30, 0x38])
        let effect = try #require(model.registers[0].sideEffects.first)
        #expect(effect.triggerBit == 1 && !effect.triggerValue && effect.targetRegister == 1 && effect.targetBit == 31)
        #expect(effect.targetValue && effect.delayNs == 0)

        var device = DeviceState(model: model)
        _ = device.write(bar: 0, offset: 0x10, size: 4, data: AccessValue(2), at: 0)
        #expect(device.read(bar: 0, offset: 0x14, size: 4, at: 0).data.low64 == 0x8000_0001)
        #expect(device.write(bar: 0, offset: 0x38, size: 8, data: AccessValue(1), at: 1) == .accepted)
        #expect(device.write(bar: 0, offset: 0x38, size: 4, data: AccessValue(1), at: 1)
            == .unsupported(.ca, AERReport(error: .completerAbort, severity: .fatal, masked: false)))
    }

    /// Bad files and the exact error each gives.
    @Test(arguments: [
        ("name: d\nbar:\n  0: {size: 16}\n",
         "d.yaml:2:1: error: expected a model key (name, summary, pci, unsupported, unmapped, bars, flr, aer), found 'bar'; did you mean 'bars'?"),
        ("summary: x\nbars: {}\n",
         "d.yaml:1:1: error: expected key 'name' (the model's name), found none"),
        ("name: d\nunmapped: zeros\nbars:\n  0: {size: 16}\n",
         "d.yaml:2:11: error: expected what an offset with no register gets (ur, ca, zero), found 'zeros'; did you mean 'zero'?"),
        ("name: d\nbars:\n  6: {size: 16}\n",
         "d.yaml:3:3: error: expected a BAR number (0-5), found '6'"),
        ("name: d\nbars:\n  0: {size: 100}\n",
         "d.yaml:3:13: error: expected a BAR size (a power of two, at least 16), found '100'"),
        ("name: d\nbars:\n  0:\n    size: 16\n    registers:\n      - {name: A, offset: 0, acess: rw}\n",
         "d.yaml:6:30: error: expected a register key (name, offset, sizes, access, reset, count, stride, side-effects), "
            + "found 'acess'; did you mean 'access'?"),
        ("name: d\nbars:\n  0:\n    size: 16\n    registers:\n      - {name: A, offset: 0, access: w1s}\n",
         "d.yaml:6:38: error: expected a register access (rw, ro, wo, w1c, rc, doorbell, fifo), found 'w1s'; did you mean 'w1c'?"),
        ("name: d\nbars:\n  0:\n    size: 16\n    registers:\n      - {name: A, offset: 2}\n",
         "d.yaml:6:27: error: expected an offset aligned to the register's width (4 bytes), found 0x2"),
        ("name: d\nbars:\n  0:\n    size: 16\n    registers:\n      - {name: A, offset: 0, sizes: [4, 8]}\n      - {name: B, offset: 4}\n",
         "d.yaml:7:9: error: expected registers and memory ranges not to overlap, found register B at 0x4 inside register A at 0x0 of BAR 0"),
        ("name: d\nbars:\n  0:\n    size: 16\n    registers:\n      - {name: A, offset: 0, reset: 0x100000000}\n",
         "d.yaml:6:37: error: expected a reset value that fits in 4 bytes, found '0x100000000'"),
        ("name: d\nbars:\n  0:\n    size: 16\n    registers:\n      - {name: A, offset: 0, sizes: [3]}\n",
         "d.yaml:6:38: error: expected an access size (1, 2, 4 or 8), found '3'"),
        ("name: d\nbars:\n  0:\n    size: 16\n    registers:\n      - {name: A, offset: 0, count: 5}\n",
         "d.yaml:6:9: error: expected the last of 5 A registers (at 0x10) to fit in the BAR of 0x10 bytes"),
        ("name: d\nbars:\n  0:\n    size: 16\n    registers:\n      - {name: A, offset: 0}\n      - {name: A, offset: 4}\n",
         "d.yaml:7:9: error: expected register names to be unique, found 'A' again"),
        ("name: d\nbars:\n  0:\n    size: 16\n    registers:\n      - name: CC\n        offset: 0\n"
            + "        side-effects: [{when-written-bit: 0, sets: {register: CTS, bit: 0}}]\n      - {name: CSTS, offset: 4, access: ro}\n",
         "d.yaml:8:63: error: expected a register of this model, found 'CTS'; did you mean 'CSTS'?"),
        ("name: d\nbars:\n  0:\n    size: 16\n    registers:\n      - name: CC\n        offset: 0\n"
            + "        side-effects: [{when-written-bit: 0, sets: {register: CSTS, bit: 32}}]\n      - {name: CSTS, offset: 4}\n",
         "d.yaml:8:74: error: expected a bit of CSTS (0-31), found '32'"),
        ("name: d\nbars:\n  0:\n    size: 16\n    registers:\n      - name: CC\n        offset: 0\n        access: ro\n"
            + "        side-effects: [{when-written-bit: 0, clears: {register: CC, bit: 1}}]\n",
         "d.yaml:9:23: error: expected side effects only on a register that stores writes (rw, wo, w1c, doorbell), found them on ro register CC"),
        ("name: d\nbars:\n  0:\n    size: 16\n    registers:\n      - name: CC\n        offset: 0\n"
            + "        side-effects: [{when-written-bit: 0}]\n",
         "d.yaml:8:24: error: expected exactly one of 'sets' and 'clears' (the target bit), found neither"),
        ("name: d\nbars:\n  0:\n    size: 64\n    memory: [{offset: 0x20, size: 0x40}]\n",
         "d.yaml:5:35: error: expected a size that fits in the BAR (1-0x20), found '0x40'"),
        ("name: d\nunsupported: UR\nbars: {}\n",
         "d.yaml:2:14: error: expected an error response (ur, ca), found 'UR'; did you mean 'ur'?"),
        ("name: d\nflr: {non-posted: crs}\nbars: {}\n",
         "d.yaml:2:19: error: expected an error response (ur, ca), found 'crs'"),
        ("name: d\naer: {fatal: [malformed-tlp, ecrc-error]}\nbars: {}\n",
         "d.yaml:2:30: error: expected an uncorrectable error (data-link-protocol, surprise-down, poisoned-tlp, flow-control, "
            + "completion-timeout, completer-abort, unexpected-completion, receiver-overflow, malformed-tlp, ecrc, "
            + "unsupported-request), found 'ecrc-error'"),
        ("name: d\npci: {vendor-id: 0x10000, device-id: 1}\nbars: {}\n",
         "d.yaml:2:18: error: expected a 16-bit vendor ID, found '0x10000'"),
        ("name: d\nbars:\n  0: {size: 16}\n  00: {size: 32}\n",
         "d.yaml:4:3: error: expected each BAR once, found BAR 0 more than once"),
        ("name: d\nbars: [0, 1]\n",
         "d.yaml:2:7: error: expected a mapping from BAR number (0-5) to BAR, found a sequence"),
        ("name: d\nbars:\n  0: {size: 16, size: 32}\n",
         "d.yaml:3:7: error: expected each key once in a mapping, found 'size' more than once"),
        ("name: d\nbars: {0: {size: 16}\n",
         "d.yaml:3:1: error: expected valid YAML, found a syntax error: did not find expected ',' or '}' (while parsing a flow mapping at 2:7)"),
        ("", "d.yaml:1:1: error: expected a mapping of model keys, found an empty document"),
    ])
    func badModel(yaml: String, message: String) {
        let error = #expect(throws: InputError.self) { try DeviceModel.load(yaml: yaml, file: "d.yaml") }
        #expect(error?.description == message)
    }
}
