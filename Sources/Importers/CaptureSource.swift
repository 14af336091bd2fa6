import Diagnostics
import MMIOTrace

/// Something an importer noticed but accepted: printed as `file:line:column: warning: message`.
public struct CaptureWarning: Hashable, Sendable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String

    public init(_ location: SourceLocation, _ message: String) {
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): warning: \(message)" }
}

/// An importer of a captured format: a ``TraceEventSource`` that also reports what it accepted
/// leniently and what the side file could say about the capture.
public protocol CaptureSource: TraceEventSource {
    /// Warnings so far, in input order: the first ``CaptureWarnings/limit``, then one that
    /// counts the rest. Complete once ``TraceEventSource/next()`` has returned nil.
    var warnings: [CaptureWarning] { get }
    /// The captured agent keys (thread names, pid fields) the side file's `agents:` may map,
    /// sorted; complete before the first event.
    var agentKeys: [String] { get }
    /// A ready-to-edit side file for this capture (``CaptureSettings/template(for:agents:regions:)``).
    func sideFileTemplate() -> String
}

/// A bounded warning list, so that a capture with a million backward timestamps still reads in
/// constant memory; and the time of the last event, to warn when time goes back.
///
/// A list may also cover one chunk of a capture parsed on its own (``ChunkedLineParser``): it
/// then remembers its first timed event, which only the lists before it can check, and
/// ``absorb(_:linesBefore:)`` appends it to theirs.
struct CaptureWarnings {
    /// The most warnings kept; later ones are counted.
    static let limit = 100
    private(set) var kept: [CaptureWarning] = []
    private var dropped = 0
    private(set) var lastTime: UInt64?
    /// The first time ``ordered(_:at:)`` saw, where, and how many warnings came before it.
    private var firstTime: (time: UInt64, location: SourceLocation, warningsBefore: Int)?

    /// `time`, with a warning at `location` when it is earlier than the previous event's.
    mutating func ordered(_ time: UInt64, at location: @autoclosure () -> SourceLocation) -> TraceTime {
        if let last = lastTime {
            if time < last { add(Self.timeWentBack(from: last, to: time, at: location())) }
        } else {
            firstTime = (time, location(), kept.count + dropped)
        }
        lastTime = time
        return TraceTime(nanoseconds: time)
    }

    private static func timeWentBack(from last: UInt64, to time: UInt64, at location: SourceLocation) -> CaptureWarning {
        CaptureWarning(location, "time goes back from \(seconds(last)) to \(seconds(time)); event kept")
    }

    private static func seconds(_ ns: UInt64) -> String {
        let micros = String(ns % 1_000_000_000 / 1000)
        return "\(ns / 1_000_000_000).\(String(repeating: "0", count: 6 - micros.count))\(micros)"
    }

    mutating func add(_ warning: @autoclosure () -> CaptureWarning) {
        if kept.count < Self.limit { kept.append(warning()) } else { dropped += 1 }
    }

    /// Appends the warnings of the lines right after these, read on their own with lines
    /// numbered from 1 after `linesBefore`, with the warning their first timed event could not
    /// give alone; its last time becomes this list's.
    mutating func absorb(_ later: CaptureWarnings, linesBefore: Int) {
        func shifted(_ warning: CaptureWarning) -> CaptureWarning {
            var warning = warning
            warning.location.line += linesBefore
            return warning
        }
        var missed: (warning: CaptureWarning, before: Int)?
        if let first = later.firstTime, let last = lastTime, first.time < last {
            missed = (shifted(Self.timeWentBack(from: last, to: first.time, at: first.location)), first.warningsBefore)
        }
        for (index, warning) in later.kept.enumerated() {
            if let missed, missed.before == index { add(missed.warning) }
            add(shifted(warning))
        }
        // After every kept warning (when `later` dropped some, this list is full by now).
        if let missed, missed.before >= later.kept.count { add(missed.warning) }
        dropped += later.dropped
        if let time = later.lastTime { lastTime = time }
    }

    /// The kept warnings, with a last one counting the dropped ones at `end`.
    func list(end: SourceLocation) -> [CaptureWarning] {
        dropped == 0 ? kept : kept + [CaptureWarning(end, "\(dropped) more warnings not shown")]
    }
}

extension Agent {
    /// Parses an agent spelling: `host`, `vmm`, `vcpuN`, `vmK.vmm`, `vmK.vcpuN`.
    init?(spelling: String) {
        var rest = Substring(spelling)
        var vm: UInt16 = 0
        func number(_ digits: Substring) -> UInt16? {
            digits.allSatisfy { $0.isASCII && $0.isNumber } ? UInt16(digits) : nil
        }
        if rest.hasPrefix("vm"), let dot = rest.firstIndex(of: "."), let k = number(rest[rest.index(rest.startIndex, offsetBy: 2)..<dot]) {
            vm = k
            rest = rest[rest.index(after: dot)...]
        }
        if rest == "vmm" {
            self = .vmm(vm: vm)
        } else if rest == "host", vm == 0, rest.count == spelling.count {
            self = .host
        } else if rest.hasPrefix("vcpu"), let n = number(rest.dropFirst(4)) {
            self = .vcpu(n, vm: vm)
        } else {
            return nil
        }
    }
}
