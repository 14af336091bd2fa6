import Foundation
import Testing

/// Every numeric field of every input format at its ends and one past them: 0, 1, the 16-, 32-,
/// 52- and 64-bit limits and one past each, the ns/ps limit, and far past. Each value, put in one
/// field of an otherwise valid input, must give a result (exit 0) or an error located in the
/// file (exit 65 with `file:line:`), within a few seconds: never a trap, a wrap or a hang.
/// Serialized: a thousand concurrent process launches once crashed Foundation's `Process.run`.
@Suite(.serialized) struct BoundaryTableTests {
    /// A number written the way a field of one format writes it.
    enum Notation {
        case decimal, hex, bareHex, seconds
    }

    static func values(_ notation: Notation) -> [String] {
        let limits: [String] = [
            "0", "1", "2", "3", "7", "8", "64", "65", "65535", "65536", "4294967295", "4294967296",
            "4503599627370495", "4503599627370496",  // 2^52 - 1, 2^52
            "9223372036854775", "9223372036854776",  // the latest event, in ns
            "9223372036854775807", "9223372036854775808", "18446744073709551615", "18446744073709551616",
            "340282366920938463463374607431768211456",
        ]
        switch notation {
        case .decimal: return limits
        case .hex, .bareHex:
            let hex = [
                "0", "1", "3", "ff", "fff", "1000", "ffff", "10000", "ffffffff", "100000000", "fffffffffffff", "10000000000000",
                "7fffffffffffffff", "8000000000000000", "ffffffffffffffff", "10000000000000000", "ffffffffffffffffffffffffffffffffff",
            ]
            return notation == .hex ? hex.map { "0x" + $0 } : hex
        case .seconds:
            return ["0.000000", "0.000001", "4294967295.999999", "9223372036.854775", "18446744073.709551", "18446744074.000000",
                    "99999999999.999999", "9999999999999999999999.0"]
        }
    }

    /// One input with one field to vary: the text, with `«field»` in its place.
    struct Case: CustomTestStringConvertible, Sendable {
        var file: String
        var field: String
        var notation: Notation
        var text: String
        var extraArguments: [String] = []
        var testDescription: String { "\(file) \(field)" }
    }

    static let mtrace = """
        mtrace 1
        device d0 bdf=0000:01:00.0 model=nvme
        region bar0 device=d0 kind=bar base=«base» size=«size» bar=«bar»
        map vm0 bar0 device-ngnre
        «time» vcpu«vcpu» write bar0+«offset» «access-size» «value»
        200 vcpu0 read bar0+0x1c 4 -> «read-value»
        300 vmm cfg-write d0 «cfg-offset» 2 0x6
        400 host tlbi ipas2e1is bar0+«tlbi-offset» vm«vm»
        500 host dsb ish

        """
    static let mmiotrace = """
        VERSION 20070824
        PCIDEV 0100 1b360010 a «pcidev-bar» 0 0 0 0 0 0 «pcidev-size» 0 0 0 0 0 0
        MAP «map-time» «map-id» «map-phys» 0xff6d19df405c6000 «map-length» 0x0 0
        R «width» 5.449145 1 «read-address» «read-value» 0x0 0
        W 4 5.454254 1 0xfe400014 «write-value» 0x0 0

        """
    static let ftrace = """
                    kvm-5664  [000] «time»: kvm_mmio: mmio write len «length» gpa «gpa» val «value»
                    kvm-5664  [000] 11906.220190: kvm_mmio: mmio read len 4 gpa 0xfee000b0 val 0x0

        """
    static let qemuLog = """
        «pid»@1795246887.780958:pci_update_mappings_add nvme 01:00.0 0,«base»+«size»
        16635@«time»:memory_region_ops_write cpu «cpu» mr 0x55b35fb8ff70 addr «address» value «value» size «size2» name 'nvme'
        16635@1795246887.824700:pci_nvme_mmio_read addr 0x1c size 4
        16635@1795246887.824702:memory_region_ops_read cpu 0 mr 0x55b35fb8ff70 addr 0xfe40001c value 0x1 size 4 name 'nvme'
        16635@1795246887.824800:vfio_region_write  (0000:03:00.0:region2+«vfio-offset», «vfio-value», «vfio-size»)
        16635@1795246887.824900:vfio_pci_read_config  (0000:03:00.0, @«config-offset», len=0x2) 0x407

        """
    static let deviceModel = """
        name: boundary
        pci: {vendor-id: «vendor-id», device-id: 0x1041, class: «class», revision: «revision»}
        flr: {ready-after-ns: «ready-after-ns»}
        bars:
          0:
            size: «bar-size»
            memory:
              - {offset: «memory-offset», size: «memory-size»}
            registers:
              - name: CC
                offset: «register-offset»
                sizes: [«register-size»]
                reset: «reset»
                side-effects:
                  - {when-written-bit: «bit», sets: {register: CSTS, bit: 0, after-ns: «after-ns»}}
              - {name: DB, offset: 0x1000, count: «count», stride: «stride», access: doorbell}
              - {name: CSTS, offset: 0x1c, access: ro}

        """
    static let deviceModelTrace = """
        mtrace 1
        device d0 bdf=0000:01:00.0 model=MODEL
        region bar0 device=d0 kind=bar base=0xfe400000 size=0x4000 bar=0
        map vm0 bar0 device-ngnre
        100 vcpu0 write bar0+0x14 4 0x1
        200 vcpu0 read bar0+0x1c 4
        300 host reset flr d0
        400 vcpu0 read bar0+0x1c 4

        """

    static let cases: [Case] = {
        func fields(_ file: String, _ text: String, _ notations: [String: Notation], extra: [String] = []) -> [Case] {
            notations.keys.sorted().map { Case(file: file, field: $0, notation: notations[$0]!, text: text, extraArguments: extra) }
        }
        var cases = fields("t.mtrace", mtrace, [
            "base": .hex, "size": .hex, "bar": .decimal, "time": .decimal, "vcpu": .decimal, "offset": .hex, "access-size": .decimal,
            "value": .hex, "read-value": .hex, "cfg-offset": .hex, "tlbi-offset": .hex, "vm": .decimal,
        ])
        cases += fields("t.mmiotrace", mmiotrace, [
            "pcidev-bar": .bareHex, "pcidev-size": .bareHex, "map-time": .seconds, "map-id": .decimal, "map-phys": .hex,
            "map-length": .hex, "width": .decimal, "read-address": .hex, "read-value": .hex, "write-value": .hex,
        ])
        cases += fields("t.ftrace", ftrace, ["time": .seconds, "length": .decimal, "gpa": .hex, "value": .hex])
        cases += fields("t.log", qemuLog, [
            "pid": .decimal, "base": .hex, "size": .hex, "time": .seconds, "cpu": .decimal, "address": .hex, "value": .hex,
            "size2": .decimal, "vfio-offset": .hex, "vfio-value": .hex, "vfio-size": .decimal, "config-offset": .hex,
        ])
        cases += fields("side.yaml", "regions:\n  - {name: r, device: d, base: «base», size: «size»}\n", ["base": .hex, "size": .hex],
                        extra: ["Tests/ImportersTests/Fixtures/ftrace/kvm-mmio.ftrace", "--map"])
        cases += fields("model.yaml", deviceModel, [
            "vendor-id": .hex, "class": .hex, "revision": .decimal, "ready-after-ns": .decimal, "bar-size": .hex,
            "memory-offset": .hex, "memory-size": .hex, "register-offset": .hex, "register-size": .decimal, "reset": .hex,
            "count": .decimal, "stride": .decimal, "bit": .decimal, "after-ns": .decimal,
        ])
        return cases
    }()

    /// The default of each field: a value that makes the input valid.
    static let defaults: [String: String] = [
        "base": "0xfe400000", "size": "0x4000", "bar": "0", "time": "100", "vcpu": "0", "offset": "0x14", "access-size": "4",
        "value": "0x1", "read-value": "0x1", "cfg-offset": "0x4", "tlbi-offset": "0x0", "vm": "0",
        "pcidev-bar": "fe400004", "pcidev-size": "4000", "map-time": "5.418737", "map-id": "1", "map-phys": "0xfe400000",
        "map-length": "0x2000", "width": "4", "read-address": "0xfe40001c", "write-value": "0xfee01004",
        "length": "4", "gpa": "0xfee000b0", "pid": "16635", "cpu": "0", "address": "0xfe400014", "size2": "4",
        "vfio-offset": "0x26c960", "vfio-value": "0xa5a5a5a5", "vfio-size": "4", "config-offset": "0x4",
        "vendor-id": "0x1af4", "class": "0x020000", "revision": "0", "ready-after-ns": "1000", "bar-size": "0x4000",
        "memory-offset": "0x800", "memory-size": "0x400", "register-offset": "0x14", "register-size": "4", "reset": "0x0",
        "count": "4", "stride": "8", "bit": "0", "after-ns": "1000",
    ]

    /// `text` with `field` set to `value` and every other field to its default. The time field
    /// of an ftrace or QEMU log in seconds has its own defaults.
    static func instantiate(_ c: Case, value: String) -> String {
        var text = c.text.replacingOccurrences(of: "«\(c.field)»", with: value)
        let secondsDefaults = ["t.ftrace": "11906.220183", "t.log": "1795246887.824653"]
        while let open = text.range(of: "«"), let close = text.range(of: "»", range: open.upperBound..<text.endIndex) {
            let name = String(text[open.upperBound..<close.lowerBound])
            let fallback = name == "time" ? secondsDefaults[c.file] ?? defaults[name]! : defaults[name]!
            text.replaceSubrange(open.lowerBound..<close.upperBound, with: fallback)
        }
        return text
    }

    @Test(arguments: cases)
    func everyValueGivesAResultOrALocatedError(_ c: Case) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("boundary-table-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent(c.file).path
        // The defaults first: the input must replay, so that each value tests its own field.
        for (index, value) in ([nil] + Self.values(c.notation).map(Optional.some)).enumerated() {
            try Self.instantiate(c, value: value ?? "«\(c.field)»").write(toFile: path, atomically: false, encoding: .utf8)
            var arguments = ["replay"] + c.extraArguments + [path, "--schedule", "adversarial"]
            if c.file == "model.yaml" {
                let trace = directory.appendingPathComponent("t.mtrace").path
                try Self.deviceModelTrace.replacingOccurrences(of: "MODEL", with: "boundary").write(toFile: trace, atomically: false, encoding: .utf8)
                arguments = ["replay", trace, "--device-model", path, "--schedule", "adversarial"]
            }
            let result = try CLI.run(arguments, timeout: 20)
            let what = "\(c.file) \(c.field)=\(value ?? "default"): exit \(result.status)\n\(result.stderr)"
            #expect(result.status == 0 || (index > 0 && result.status == 65), "\(what)")
            if result.status == 65 { #expect(result.stderr.contains(path + ":"), "\(what)") }
        }
    }

    /// Every number of a platform profile, the same way.
    @Test func everyProfileNumber() throws {
        let shown = try CLI.run(["profiles", "show", "quiet-pcie"]).stdout
        let lines = shown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let numeric = lines.indices.filter { i in
            guard let colon = lines[i].lastIndex(of: ":") else { return false }
            let value = lines[i][lines[i].index(after: colon)...].trimmingCharacters(in: .whitespaces)
            return !value.isEmpty && value.allSatisfy { $0.isNumber || $0 == "_" }
        }
        #expect(numeric.count >= 20)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("boundary-profile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("profile.yaml").path
        try shown.write(toFile: path, atomically: false, encoding: .utf8)
        #expect(try CLI.run(["replay", "traces/nvme-doorbell.mtrace", "--platform", path]).status == 0)
        for i in numeric {
            for value in ["0", "1", "3", "4294967296", "18446744073709551615", "18446744073709551616"] {
                var changed = lines
                changed[i] = String(lines[i][...lines[i].lastIndex(of: ":")!]) + " " + value
                try changed.joined(separator: "\n").write(toFile: path, atomically: false, encoding: .utf8)
                let result = try CLI.run(["replay", "traces/nvme-doorbell.mtrace", "--platform", path, "--schedule", "adversarial"], timeout: 20)
                let what = "\(lines[i].trimmingCharacters(in: .whitespaces)) -> \(value): exit \(result.status)\n\(result.stderr)"
                #expect(result.status == 0 || result.status == 65, "\(what)")
                if result.status == 65 { #expect(result.stderr.contains(path + ":"), "\(what)") }
            }
        }
    }

    /// The numbers of the fault grammar: offsets, occurrences and times.
    @Test(arguments: ["UR at bar0+«» write", "UR at bar0+0x24 write #«»", "UR at bar0+0x24 every «»", "link-down at «»ns",
                      "link-down at 1us for «»ns", "link-down at event «»", "DPC at «»s"])
    func everyFaultNumber(_ template: String) throws {
        let notation: Notation = template.contains("bar0+«»") ? .hex : .decimal
        for value in Self.values(notation) {
            let fault = template.replacingOccurrences(of: "«»", with: value)
            let result = try CLI.run(["replay", "traces/nvme-doorbell.mtrace", "--fault=\(fault)", "--schedule", "adversarial"], timeout: 20)
            let what = "\(fault): exit \(result.status)\n\(result.stderr)"
            #expect(result.status == 0 || result.status == 64 || result.status == 65, "\(what)")
        }
    }
}
