import Campaigns
import Verdicts
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A campaign's progress on standard error: a bar redrawn in place on a terminal, a plain line
/// every few seconds otherwise, nothing with `--quiet`. Wall-clock time is used here only, for
/// the rate and the ETA: never in results.
final class ProgressDisplay {
    private let quiet: Bool
    private let terminal = isatty(2) != 0
    private let started = Date()
    private var lastShown = Date.distantPast
    private var lastPhase: CampaignProgress.Phase?
    private var drawn = false

    init(quiet: Bool) {
        self.quiet = quiet
    }

    func show(_ progress: CampaignProgress) {
        guard !quiet else { return }
        let now = Date()
        let phaseChanged = progress.phase != lastPhase
        let interval = terminal ? 0.1 : 5
        guard phaseChanged || progress.done == progress.total || now.timeIntervalSince(lastShown) >= interval else { return }
        if phaseChanged, lastPhase != nil, terminal, drawn { write("\n") }
        lastPhase = progress.phase
        lastShown = now
        let line = Self.line(progress, elapsed: now.timeIntervalSince(started), barWidth: terminal ? 24 : 0)
        if terminal {
            write("\r\u{1B}[K" + line)
            drawn = true
        } else {
            write(line + "\n")
        }
    }

    /// Ends the bar's line.
    func finish() {
        if !quiet, terminal, drawn { write("\n") }
    }

    /// `experiments [#####-----] 1200/5000  24%  3100/s  ETA 1s  host-panic 40, guest-abort 900`
    static func line(_ p: CampaignProgress, elapsed: TimeInterval, barWidth: Int) -> String {
        let fraction = p.total == 0 ? 1 : Double(p.done) / Double(p.total)
        var text = p.phase == .golden ? "golden runs" : "experiments"
        if barWidth > 0 {
            let filled = Int(fraction * Double(barWidth))
            text += " [" + String(repeating: "#", count: filled) + String(repeating: "-", count: barWidth - filled) + "]"
        }
        text += " \(p.done)/\(p.total) \(Int(fraction * 100))%"
        let ran = p.done - p.resumed
        if p.phase == .experiments, elapsed > 0, ran > 0 {
            let rate = Double(ran) / elapsed
            text += "  \(Int(rate))/s  ETA \(Int(Double(p.total - p.done) / rate))s"
        }
        if p.resumed > 0 { text += "  (\(p.resumed) resumed)" }
        if !p.verdicts.isEmpty {
            text += "  " + p.verdicts.nonZero.sorted { ($0.count, $1.kind.name) > ($1.count, $0.kind.name) }.prefix(4)
                .map { "\($0.kind.name) \($0.count)" }.joined(separator: ", ")
        }
        return text
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
