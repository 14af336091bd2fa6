import Foundation
@testable import mmio_replay
import Testing

/// The campaign progress line fits the terminal: never as wide as it, the verdict tally dropped
/// first, then the bar, then cut.
@Suite struct ProgressLineTests {
    static let line = ProgressLine(label: "experiments", fraction: 0.24, counts: "1200/5000 24%  3100/s  ETA 1s",
                                   tally: "guest-abort 900, host-panic 40, none 12")

    @Test func aWideTerminalGetsTheWholeLine() {
        let whole = Self.line.text(bar: true, tally: true)
        #expect(whole == "experiments [#####-------------------] 1200/5000 24%  3100/s  ETA 1s  guest-abort 900, host-panic 40, none 12")
        #expect(Self.line.fitted(width: whole.count + 1) == whole)
        #expect(Self.line.fitted(width: 200) == whole)
    }

    @Test func theTallyGoesFirstThenTheBar() {
        let whole = Self.line.text(bar: true, tally: true)
        let noTally = Self.line.text(bar: true, tally: false)
        let bare = Self.line.text(bar: false, tally: false)
        #expect(noTally == "experiments [#####-------------------] 1200/5000 24%  3100/s  ETA 1s")
        #expect(bare == "experiments 1200/5000 24%  3100/s  ETA 1s")
        #expect(Self.line.fitted(width: whole.count) == noTally)
        #expect(Self.line.fitted(width: noTally.count + 1) == noTally)
        #expect(Self.line.fitted(width: noTally.count) == bare)
        #expect(Self.line.fitted(width: bare.count + 1) == bare)
        #expect(Self.line.fitted(width: bare.count) == String(bare.prefix(bare.count - 1)))
        #expect(Self.line.fitted(width: 12) == "experiments")
    }

    @Test func itNeverWraps() {
        for width in 0...200 {
            #expect(Self.line.fitted(width: width).count <= max(width - 1, 0), "width \(width)")
        }
    }

    @Test func anEmptyTallyAddsNothing() {
        let golden = ProgressLine(label: "golden runs", fraction: 1, counts: "4/4 100%", tally: "")
        #expect(golden.fitted(width: 80) == "golden runs [########################] 4/4 100%")
    }
}

/// Off a terminal (a pipe here) `campaign run` writes no progress at all, `--quiet` or not.
@Suite struct ProgressOffTerminalTests {
    @Test func noProgressWhenStandardErrorIsAPipe() throws {
        let db = FileManager.default.temporaryDirectory.appendingPathComponent("progress-\(UUID().uuidString).db").path
        let run = try CLI.run(["campaign", "run", "Tests/CLITests/Fixtures/campaigns/slurm-small.yaml", "--db", db])
        #expect(run.status == 0 && run.stderr.isEmpty, "stderr: \(run.stderr)")
        #expect(run.stdout.contains("complete"))
    }
}
