import Foundation
import Testing

/// A trace many parsing chunks long, read the way users read it: an error far into the file is
/// reported at its own line by `replay` and `inspect`, from the file and from standard input, and
/// the summary of a clean file is the same either way.
@Suite struct LargeInputCLITests {
    @Test func anErrorManyChunksInIsReportedAtItsLine() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("large-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let clean = directory.appendingPathComponent("clean.mtrace").path
        #expect(try CLI.run(["generate", "--events", "60000", "--workload", "mixed", "--seed", "3", "--output", clean]).status == 0)
        let text = try String(contentsOfFile: clean, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(text.utf8.count > 2 << 20, "several 512 KiB chunks")

        // A malformed event near the end: line `bad` of the file.
        let bad = lines.count - 100
        var broken = lines
        broken[bad - 1] = "12 vcpu0 wrte nvme0-bar0+0x14 4 0x1"
        let brokenPath = directory.appendingPathComponent("broken.mtrace").path
        try broken.joined(separator: "\n").write(toFile: brokenPath, atomically: true, encoding: .utf8)
        for command in ["replay", "inspect"] {
            let fromFile = try CLI.run([command, brokenPath])
            #expect(fromFile.status == 65, "\(command)")
            #expect(fromFile.stderr.contains("broken.mtrace:\(bad):10: error: expected an event kind, found 'wrte'"), "\(command): \(fromFile.stderr)")
            let fromInput = try CLI.run([command, "-"], stdin: broken.joined(separator: "\n"))
            #expect(fromInput.status == 65, "\(command) -")
            #expect(fromInput.stderr.contains("-:\(bad):10: error: expected an event kind"), "\(command) -: \(fromInput.stderr)")
        }

        let fromFile = try CLI.run(["inspect", clean, "--json"])
        let fromInput = try CLI.run(["inspect", "-", "--json"], stdin: text)
        #expect(fromFile.status == 0 && fromInput.status == 0)
        #expect(fromFile.stdout.replacingOccurrences(of: clean, with: "-") == fromInput.stdout)
    }
}
