import Foundation
import Testing

/// `mmio-replay shrink` (docs/shrink.md): the output reproduces the verdict on its own.
@Suite struct ShrinkCLITests {
    static func temporary(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("shrink-\(UUID().uuidString)-\(name)").path
    }

    @Test func theOutputReproducesTheVerdictOnItsOwn() throws {
        let output = Self.temporary("reclaim.mtrace")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let shrink = try CLI.run(["shrink", "traces/scenarios/reclaim-after-writes.mtrace", "--platform", "split-ecam", "--schedule", "adversarial",
                                  "--verdict", "post-reclaim-write", "-o", output])
        #expect(shrink.status == 0, "\(shrink.stderr)")
        #expect(shrink.stderr.contains("shrink: 12 → 2 events"), "\(shrink.stderr)")
        let text = try String(contentsOfFile: output, encoding: .utf8)
        #expect(text.hasPrefix("# shrunk by mmio-replay shrink from reclaim-after-writes.mtrace (12 events) to 2: policy kvm-normal-nc, platform split-ecam"))
        let replay = try CLI.run(["replay", output, "--platform", "split-ecam", "--schedule", "adversarial"])
        #expect(replay.stdout.contains("post-reclaim-write (UNCONTAINED)"), "\(replay.stdout)")
    }

    /// A capture with a fault: the fault becomes a `fault` line of the output.
    @Test func aCaptureKeepsItsFault() throws {
        let output = Self.temporary("capture.mtrace")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let shrink = try CLI.run(["shrink", "traces/captures/x86-q35-nvme-e1000e.mmiotrace", "--map", "traces/captures/x86-q35-nvme-e1000e.yaml",
                                  "--platform", "ras-sbsa", "--fault", "CA at dev-02-00-0-bar0+0x8 read #3", "--verdict", "host-panic", "-o", output])
        #expect(shrink.status == 0, "\(shrink.stderr)")
        #expect(shrink.stderr.contains("→ 3 events"), "\(shrink.stderr)")
        let text = try String(contentsOfFile: output, encoding: .utf8)
        #expect(text.contains("\nfault CA at dev-02-00-0-bar0+0x8 read #3\n"), "\(text)")
        let replay = try CLI.run(["replay", output, "--platform", "ras-sbsa"])
        #expect(replay.stdout.contains("host-panic (UNCONTAINED)"), "\(replay.stdout)")
    }

    @Test func errors() throws {
        let output = Self.temporary("none.mtrace")
        let missing = try CLI.run(["shrink", "traces/nvme-doorbell.mtrace", "--verdict", "host-panic", "-o", output])
        #expect(missing.status == 1 && missing.stderr.contains("does not give the verdict host-panic"), "\(missing.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output))
        #expect(try CLI.run(["shrink", "traces/nvme-doorbell.mtrace", "--verdict", "host-panik", "-o", output]).status == 64)
        #expect(try CLI.run(["shrink", "traces/nvme-doorbell.mtrace", "--verdict", "none", "--schedule", "explore", "-o", output]).status == 64)
    }
}
