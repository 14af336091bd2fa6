#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A line-by-line event grammar that ``ParallelEventParsing`` runs on several threads: each
/// thread parses its own copy, one chunk of whole lines at a time, numbering lines from 1 within
/// the chunk. What a line means must not depend on the lines before it, except through
/// ``ChunkNotes``, which the consumer reconciles in file order.
public protocol ChunkedLineParser {
    /// What a line gives: an event, or a record its reader settles in file order.
    associatedtype Output
    /// What parsing one chunk noted beside its events (warnings, and whatever the consumer must
    /// settle knowing the chunks before: a time that went back across chunks, say).
    associatedtype ChunkNotes
    /// The input's name, for errors. Each parsing thread's copy gets storage of its own: a
    /// grammar whose every line retains it would otherwise have threads fight over one reference
    /// count's cache line.
    var fileName: String { get set }
    /// The line being parsed, set before each line (within the chunk, on a parsing thread).
    var lineNumber: Int { get set }
    /// Forgets what earlier lines left behind: the next line starts a chunk.
    mutating func beginChunk()
    /// Initializes `output` from `line` and returns true, or returns false for a line that gives
    /// nothing.
    /// - Throws: ``InputError`` for a malformed line (ending the input there).
    mutating func parseLine(_ line: UnsafeBufferPointer<UInt8>, into output: UnsafeMutablePointer<Output>) throws -> Bool
    /// What the lines since ``beginChunk()`` noted.
    mutating func endChunk() -> ChunkNotes
}

extension ChunkedLineParser where ChunkNotes == Void {
    public mutating func beginChunk() {}
    public mutating func endChunk() {}
}

/// How many threads to parse an input on by default.
public enum ParsingThreads {
    /// One per core this process may run on, up to four (beyond, reading the file and handing
    /// chunks over cost more than another thread gains): the online CPUs, narrowed by the
    /// process's CPU affinity and by a cgroup CPU quota (`cpu.max`), as in a container.
    public static let `default` = max(1, min(4, usableCPUs()))

    static func usableCPUs() -> Int {
        var count = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        if let allowed = affinityCount(contents(of: "/proc/self/status")) { count = min(count, allowed) }
        if let quota = cgroupQuota(contents(of: "/sys/fs/cgroup/cpu.max")) { count = min(count, quota) }
        return count
    }

    /// The CPUs in the `Cpus_allowed:` mask (hex, comma-separated words) of a Linux
    /// `/proc/<pid>/status`; nil without one.
    static func affinityCount(_ status: String?) -> Int? {
        guard let line = status?.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed:") }) else { return nil }
        let count = line.dropFirst("Cpus_allowed:".count).reduce(0) { sum, c in sum + (c.hexDigitValue?.nonzeroBitCount ?? 0) }
        return count > 0 ? count : nil
    }

    /// The CPUs a cgroup v2 `cpu.max` (`<quota> <period>` in microseconds, or `max <period>`)
    /// allows, rounded up; nil without a limit.
    static func cgroupQuota(_ text: String?) -> Int? {
        guard let fields = text?.split(whereSeparator: { $0 == " " || $0 == "\n" }), fields.count == 2,
              let quota = Int(fields[0]), let period = Int(fields[1]), quota > 0, period > 0 else { return nil }
        return max(1, (quota + period - 1) / period)
    }

    private static func contents(of path: String) -> String? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1 << 14)
        var count = 0
        while count < buffer.count {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + count, $0.count - count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { break }
            count += n
        }
        return count > 0 ? String(decoding: buffer[..<count], as: UTF8.self) : nil
    }
}
