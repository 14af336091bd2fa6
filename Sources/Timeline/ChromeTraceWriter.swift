#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import MMIOTrace
import ReplayEngine

/// Writes a replay's timeline as Chrome trace-event JSON (docs/timeline.md), for Perfetto and
/// `chrome://tracing`, streaming entries to the file as the replay makes them.
///
/// Spans (`ph: X`) on one thread of that format must nest, but a track's spans overlap (TLPs in
/// flight one behind the other, lines gathering side by side), so each track is drawn as lanes:
/// a span goes to the first lane whose spans all end before it starts. Instants (`ph: i`) go to
/// the track's first lane. Times are microseconds with picosecond decimals; the same replay
/// gives the same bytes.
public final class ChromeTraceWriter: TimelineObserver {
    private static let flushThreshold = 1 << 20

    private struct Lane {
        var tid: Int
        /// The latest end of the spans in this lane.
        var end: UInt64
    }

    private let fd: Int32
    private let path: String
    private var buffer: [UInt8] = []
    private var lanes: [TimelineEntry.Track: [Lane]] = [:]
    private var nextTID = 1
    private var wroteEvent = false
    private var failure: InputUnavailableError?

    /// Creates (or truncates) the file at `path`; `title` names the replay (the process name).
    public init(path: String, title: String) throws(InputUnavailableError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw InputUnavailableError(path: path, reason: String(cString: strerror(errno))) }
        self.fd = fd
        self.path = path
        buffer.reserveCapacity(Self.flushThreshold + 4096)
        append("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n")
        event("{\"ph\":\"M\",\"pid\":1,\"tid\":0,\"name\":\"process_name\",\"args\":{\"name\":\(Self.quoted(title))}}")
    }

    deinit { close(fd) }

    public func record(_ entry: TimelineEntry) {
        let tid = lane(for: entry)
        var text = "{\"ph\":\"\(entry.endPs == nil ? "i" : "X")\",\"pid\":1,\"tid\":\(tid),\"ts\":\(Self.microseconds(entry.startPs))"
        if let end = entry.endPs {
            text += ",\"dur\":\(Self.microseconds(end - min(entry.startPs, end)))"
        } else {
            text += ",\"s\":\"t\""
        }
        text += ",\"cat\":\(Self.quoted(entry.category)),\"name\":\(Self.quoted(entry.name))"
        if !entry.details.isEmpty {
            text += ",\"args\":{" + entry.details.map { "\(Self.quoted($0.key)):\(Self.quoted($0.value))" }.joined(separator: ",") + "}"
        }
        event(text + "}")
    }

    /// Closes the JSON and writes what is buffered; reports the first write error of the run.
    public func finish() throws(InputUnavailableError) {
        append("\n]}\n")
        flush()
        if let failure { throw failure }
    }

    // MARK: - Lanes

    /// Instants share the track's first lane; a span takes the first lane free at its start.
    /// Lanes are mutated in place in ``lanes`` (no copy per entry).
    private func lane(for entry: TimelineEntry) -> Int {
        let track = entry.track
        let count = lanes[track]?.count ?? 0
        let index = entry.endPs == nil ? 0 : lanes[track]?.firstIndex { $0.end <= entry.startPs } ?? count
        if index == count { lanes[track, default: []].append(newLane(entry, number: index)) }
        if let end = entry.endPs { lanes[track]![index].end = max(lanes[track]![index].end, end) }
        return lanes[track]![index].tid
    }

    /// Names a new lane and places it among the others (`thread_sort_index`).
    private func newLane(_ entry: TimelineEntry, number: Int) -> Lane {
        let tid = nextTID
        nextTID += 1
        let name = number == 0 ? entry.trackName : "\(entry.trackName) #\(number + 1)"
        event("{\"ph\":\"M\",\"pid\":1,\"tid\":\(tid),\"name\":\"thread_name\",\"args\":{\"name\":\(Self.quoted(name))}}")
        event("{\"ph\":\"M\",\"pid\":1,\"tid\":\(tid),\"name\":\"thread_sort_index\",\"args\":{\"sort_index\":\(Self.sortIndex(entry.track) * 1000 + min(number, 999))}}")
        return Lane(tid: tid, end: 0)
    }

    /// Agents each followed by their write buffer, then the interconnect, the link, the
    /// devices, and faults with verdicts last.
    private static func sortIndex(_ track: TimelineEntry.Track) -> Int {
        switch track {
        case .agent(let i): 2 * i
        case .writeBuffer(let i): 2 * i + 1
        case .interconnect(let c): 100_000 + c
        case .linkDownstream: 100_010
        case .linkUpstream: 100_011
        case .device(let d): 100_100 + d
        case .outcomes: 200_000
        }
    }

    // MARK: - Output

    private func event(_ text: String) {
        if wroteEvent { append(",\n") }
        wroteEvent = true
        append(text)
        if buffer.count >= Self.flushThreshold { flush() }
    }

    private func append(_ text: String) {
        var text = text
        text.withUTF8 { buffer.append(contentsOf: $0) }
    }

    private func flush() {
        var written = 0
        while failure == nil, written < buffer.count {
            let n = buffer.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                failure = InputUnavailableError(path: path, reason: String(cString: strerror(errno)))
            } else {
                written += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Picoseconds as microseconds with six decimals.
    static func microseconds(_ ps: UInt64) -> String {
        let fraction = String(ps % 1_000_000)
        return "\(ps / 1_000_000)." + String(repeating: "0", count: 6 - fraction.count) + fraction
    }

    /// A JSON string literal.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20: result += "\\u00" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
