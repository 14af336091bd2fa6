import Campaigns
import Verdicts
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A campaign's progress on standard error: on a terminal, one line redrawn in place and cut to
/// the terminal's width; nothing when standard error is not a terminal (a log, a pipe: `campaign
/// status` reads the progress from the database) or with `--quiet`. Wall-clock time is used here
/// only, for the rate and the ETA: never in results.
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
        guard !quiet, terminal else { return }
        let now = Date()
        let phaseChanged = progress.phase != lastPhase
        guard phaseChanged || progress.done == progress.total || now.timeIntervalSince(lastShown) >= 0.1 else { return }
        if phaseChanged, drawn { write("\n") }
        lastPhase = progress.phase
        lastShown = now
        write("\r\u{1B}[K" + ProgressLine(progress, elapsed: now.timeIntervalSince(started)).fitted(width: Self.terminalWidth()))
        drawn = true
    }

    /// Ends the bar's line.
    func finish() {
        if drawn { write("\n") }
    }

    /// The width of the terminal on standard error: from `TIOCGWINSZ`, else `$COLUMNS`, else 80.
    /// Read at every redraw, so that a resized terminal is followed.
    private static func terminalWidth() -> Int {
        var size = winsize()
        if withUnsafeMutablePointer(to: &size, { ioctl(2, UInt(TIOCGWINSZ), $0) }) == 0, size.ws_col > 0 {
            return Int(size.ws_col)
        }
        if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns > 0 { return columns }
        return 80
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}

/// One progress line, `experiments [#####-----] 1200/5000 24%  3100/s  ETA 1s  host-panic 40, guest-abort 900`,
/// as parts that can be left out to fit a terminal.
struct ProgressLine {
    /// `golden runs` or `experiments`.
    var label: String
    /// How much is done, from 0 to 1.
    var fraction: Double
    /// Done of total, percent, rate and ETA, resumed experiments.
    var counts: String
    /// The most frequent verdicts so far (empty before the first).
    var tally: String

    /// The width of the bar, brackets excluded.
    static let barWidth = 24

    init(label: String, fraction: Double, counts: String, tally: String) {
        self.label = label
        self.fraction = fraction
        self.counts = counts
        self.tally = tally
    }

    init(_ p: CampaignProgress, elapsed: TimeInterval) {
        label = p.phase == .golden ? "golden runs" : "experiments"
        fraction = p.total == 0 ? 1 : Double(p.done) / Double(p.total)
        counts = "\(p.done)/\(p.total) \(Int(fraction * 100))%"
        let ran = p.done - p.resumed
        if p.phase == .experiments, elapsed > 0, ran > 0 {
            let rate = Double(ran) / elapsed
            counts += "  \(Int(rate))/s  ETA \(Int(Double(p.total - p.done) / rate))s"
        }
        if p.resumed > 0 { counts += "  (\(p.resumed) resumed)" }
        tally = p.verdicts.nonZero.sorted { ($0.count, $1.kind.name) > ($1.count, $0.kind.name) }.prefix(4)
            .map { "\($0.kind.name) \($0.count)" }.joined(separator: ", ")
    }

    /// The line with or without the bar and the verdict tally.
    func text(bar: Bool, tally showTally: Bool) -> String {
        var text = label
        if bar {
            let filled = Int(fraction * Double(Self.barWidth))
            text += " [" + String(repeating: "#", count: filled) + String(repeating: "-", count: Self.barWidth - filled) + "]"
        }
        text += " " + counts
        if showTally, !tally.isEmpty { text += "  " + tally }
        return text
    }

    /// The line for a terminal `width` columns wide, shorter than that so that it never wraps
    /// (a character in the last column moves some terminals' cursor to the next line): the
    /// whole line if it fits, else without the verdict tally, else without the bar too, else
    /// that cut to fit.
    func fitted(width: Int) -> String {
        let limit = max(width - 1, 0)
        let candidates = [text(bar: true, tally: true), text(bar: true, tally: false), text(bar: false, tally: false)]
        return candidates.first { $0.count <= limit } ?? String(candidates.last!.prefix(limit))
    }
}
