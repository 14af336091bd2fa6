import Foundation
import Testing

/// Values at the ends of their documented ranges (valid syntax) are located errors (exit 65),
/// never a trap, a wrap or a hang: addresses past Arm's 52-bit physical address space, times
/// whose nanoseconds do not fit in 64 bits, profile durations beyond one day.
@Suite struct BoundaryValueTests {
    static func file(_ name: String, _ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("boundary-\(UUID().uuidString)-\(name)").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static let cases: [(name: String, text: String, message: String)] = [
        ("top.mtrace", """
            mtrace 1
            device d0 bdf=0000:01:00.0 model=nvme
            region bar0 device=d0 kind=bar base=0xffffffffffffc000 size=0x4000 bar=0
            100 vcpu0 write bar0+0x3ffc 8 0x1

            """, ":3:8: error: expected a region ending below 2^52 (Arm's largest physical address space), found '0xffffffffffffc000+0x4000'"),
        ("gpa.ftrace", " qemu-system-aar-5664  [000] 11906.220183: kvm_mmio: mmio write len 4 gpa 0xfffffffffffffffc val 0x1\n",
         ":1:75: error: expected a guest physical address below 2^52"),
        ("vfio.log", "16635@1795246887.762411:vfio_region_write  (0000:03:00.0:region0+0xffffffffffffffff, 0x1, 4)\n",
         ":1:66: error: expected an offset below 2^52"),
        ("iso.log", "2025-07-01T12:00:00.123456Z pci_cfg_read nvme 01:00.0 @0x0 -> 0x1\n9999-12-31T23:59:59.999999Z pci_cfg_read nvme 01:00.0 @0x0 -> 0x1\n",
         ":2:1: error: expected an ISO-8601 UTC time before the year 2554"),
        ("seconds.log", "1@99999999999.762411:pci_cfg_read nvme 01:00.0 @0x0 -> 0x1\n", ":1:3: error: expected a timestamp"),
    ]

    @Test(arguments: cases.indices)
    func importersAndReadersLocateIt(_ index: Int) throws {
        let c = Self.cases[index]
        let path = try Self.file(c.name, c.text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        for schedule in ["in-order", "adversarial"] {
            let result = try CLI.run(["replay", path, "--schedule", schedule])
            #expect(result.status == 65, "\(c.name): \(result.stderr)")
            #expect(result.stderr.contains(path + c.message), "\(c.name): \(result.stderr)")
        }
    }

    @Test func aSideFileRegionPastTheAddressSpace() throws {
        let side = try Self.file("side.yaml", "regions:\n  - {name: r, device: d, base: 0xfffffffffffff000, size: 0x1000}\n")
        defer { try? FileManager.default.removeItem(atPath: side) }
        let result = try CLI.run(["replay", "Tests/ImportersTests/Fixtures/ftrace/kvm-mmio.ftrace", "--map", side])
        #expect(result.status == 65 && result.stderr.contains("side.yaml:2:") && result.stderr.contains("ends below 2^52"), "\(result.stderr)")
    }

    @Test func aProfileDurationBeyondOneDay() throws {
        let shown = try CLI.run(["profiles", "show", "quiet-pcie"])
        let text = shown.stdout.replacingOccurrences(of: "name: quiet-pcie", with: "name: huge")
            .replacingOccurrences(of: "device-read-response: 300", with: "device-read-response: 18446744073709550")
        let profile = try Self.file("huge.yaml", text)
        defer { try? FileManager.default.removeItem(atPath: profile) }
        let result = try CLI.run(["replay", "traces/nvme-doorbell.mtrace", "--platform", profile, "--schedule", "adversarial"])
        #expect(result.status == 65, "\(result.stderr)")
        #expect(result.stderr.contains("error: expected a duration in nanoseconds from 0 to 86_400_000_000_000 (one day), found '18446744073709550'"))
    }
}
