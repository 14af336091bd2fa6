import Foundation
import Testing

/// `inspect --side-file` prints the capture's side file alone: valid input for `--map`, the same
/// text `inspect` shows after its summary.
@Suite struct SideFileTests {
    @Test(arguments: ["traces/captures/x86-q35-nvme.log", "traces/captures/x86-q35-nvme-e1000e.mmiotrace"])
    func theSideFileAloneFeedsMap(_ capture: String) throws {
        let side = try CLI.run(["inspect", capture, "--side-file"])
        #expect(side.status == 0 && side.stderr.isEmpty)
        #expect(side.stdout.hasPrefix("# mmio-replay side file"))
        let full = try CLI.run(["inspect", capture])
        #expect(full.stdout.hasSuffix("side file (edit and pass with --map):\n" + side.stdout))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("side-\(UUID().uuidString).yaml").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try side.stdout.write(toFile: path, atomically: true, encoding: .utf8)
        let replay = try CLI.run(["replay", capture, "--map", path, "--device-view-limit", "0"])
        #expect(replay.status == 0, "\(replay.stderr)")
    }

    @Test func aTraceHasNoSideFile() throws {
        let result = try CLI.run(["inspect", "traces/nvme-doorbell.mtrace", "--side-file"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--side-file is for captures"))
        #expect(result.stdout.isEmpty)
    }
}
