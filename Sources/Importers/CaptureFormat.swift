#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Diagnostics
import MMIOTrace
import Pcap

/// The trace formats `mmio-replay` reads, told apart by content (``detect(path:)``) or named
/// with `--from` (``init(name:)``).
public enum CaptureFormat: String, CaseIterable, Hashable, Sendable {
    /// The native `.mtrace` text (`mtrace 1`).
    case mtrace
    /// Linux mmiotrace (`VERSION 20070824`, `# tracer: mmiotrace`, or its R/W/MAP lines).
    case mmiotrace
    /// QEMU trace events, log backend.
    case qemuLog = "qemu-log"
    /// ftrace or `trace-cmd report` text (`kvm_mmio`).
    case ftrace
    /// pcap or pcapng.
    case pcap

    /// How much of a file detection reads.
    public static let detectionBytes = 8192

    /// The format `--from` names: a case's name (`qemu-log`), case-insensitively.
    public init?(name: String) {
        guard let format = Self(rawValue: name.lowercased()) else { return nil }
        self = format
    }

    /// The spelling `--from` takes.
    public var name: String { rawValue }

    /// The format of the file at `path`, from its first ``detectionBytes`` bytes.
    /// - Throws: ``InputUnavailableError`` when the file cannot be read, ``InputError`` listing
    ///   the formats when none matches.
    public static func detect(path: String) throws -> CaptureFormat {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw InputUnavailableError(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: detectionBytes)
        var count = 0
        while count < bytes.count {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + count, $0.count - count) }
            if n < 0, errno == EINTR { continue }
            guard n >= 0 else { throw InputUnavailableError(path: path, reason: String(cString: strerror(errno))) }
            if n == 0 { break }
            count += n
        }
        if let format = detect(bytes: bytes[..<count]) { return format }
        throw InputError(SourceLocation(file: path, line: 1, column: 1),
                         "expected a trace in a known format (\(allCases.map(\.name).joined(separator: ", "))), found none in its first \(detectionBytes / 1024) KiB; "
                             + "name the format with --from")
    }

    /// The format of a file that starts with `bytes`, or nil.
    static func detect(bytes: ArraySlice<UInt8>) -> CaptureFormat? {
        if bytes.count >= 4 {
            let magic = bytes.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            if [0xa1b2_c3d4, 0xd4c3_b2a1, 0xa1b2_3c4d, 0x4d3c_b2a1, 0x0a0d_0d0a].contains(magic) { return .pcap }
        }
        // The last line may be cut short by the limit: only whole lines count.
        let text = bytes.count == detectionBytes ? bytes[..<(bytes.lastIndex(of: 0x0a) ?? bytes.startIndex)] : bytes
        for rawLine in text.split(separator: 0x0a) {
            let isBlank = { (c: Character) in c == " " || c == "\t" || c == "\r" }
            let decoded = String(decoding: rawLine, as: UTF8.self)
            let line = String(decoded.drop(while: isBlank).reversed().drop(while: isBlank).reversed())
            if line.isEmpty { continue }
            if line == "# tracer: mmiotrace" { return .mmiotrace }
            if line.hasPrefix("#") { continue }
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if words.first == "mtrace", words.count >= 2 { return .mtrace }
            if isMmiotrace(words) { return .mmiotrace }
            if isFtrace(line) { return .ftrace }
            if isQEMULog(line) { return .qemuLog }
        }
        return nil
    }

    private static func isMmiotrace(_ words: [Substring]) -> Bool {
        switch words.first {
        case "VERSION": words.count == 2
        case "PCIDEV": words.count >= 17
        case "R", "W": words.count == 8 && words[4].lowercased().hasPrefix("0x") && words[2].contains(".")
        case "MAP": words.count == 8 && words[3].lowercased().hasPrefix("0x")
        default: false
        }
    }

    /// `COMM-PID [(TGID)] [CPU] …secs.usecs: event:` (ftrace or trace-cmd).
    private static func isFtrace(_ line: String) -> Bool {
        guard let open = line.range(of: "] "), let bracket = line[..<open.lowerBound].lastIndex(of: "["),
              line[line.index(after: bracket)..<open.lowerBound].allSatisfy(\.isNumber),
              line[..<bracket].contains("-") else { return false }
        let rest = line[open.upperBound...]
        guard let colon = rest.range(of: ": ") else { return false }
        let time = rest[..<colon.lowerBound].split(separator: " ").last ?? ""
        return time.contains(".") && time.allSatisfy { $0.isNumber || $0 == "." } && rest[colon.upperBound...].contains(":")
    }

    /// The QEMU log prefix (docs/importers.md §2) followed by an event QEMU's device-assignment,
    /// memory or PCI code emits.
    private static func isQEMULog(_ line: String) -> Bool {
        var rest = Substring(line)
        if let at = rest.firstIndex(of: "@"), rest[..<at].allSatisfy(\.isNumber), !rest[..<at].isEmpty, let colon = rest.firstIndex(of: ":") {
            rest = rest[rest.index(after: colon)...]
        } else if rest.count > 20, rest.dropFirst(4).first == "-", rest.dropFirst(10).first == "T", let space = rest.firstIndex(of: " ") {
            rest = rest[rest.index(after: space)...]
        }
        guard let space = rest.firstIndex(of: " ") else { return false }
        let event = rest[..<space]
        guard !event.isEmpty, event.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "_" }), event.allSatisfy(\.isASCII) else { return false }
        return ["vfio_", "memory_region_ops_", "pci_"].contains { event.hasPrefix($0) }
    }
}

/// Opens a trace in `format` as an event source (`mtrace`, `mmiotrace`, `ftrace`).
/// - Parameters:
///   - path: The file to read.
///   - format: Its format, from ``CaptureFormat/detect(path:)`` or `--from`.
///   - settings: The side file for captured formats (ignored for `mtrace`, which records it all).
/// - Throws: ``InputUnavailableError`` when the file cannot be read or the format is not read
///   here yet (`qemu-log`, `pcap`), ``InputError`` for malformed input.
public func openTrace(path: String, format: CaptureFormat, settings: CaptureSettings = CaptureSettings()) throws -> any TraceEventSource {
    switch format {
    case .mtrace: return try MTraceReader(path: path)
    case .mmiotrace: return try MmiotraceReader(path: path, settings: settings)
    case .ftrace: return try FtraceReader(path: path, settings: settings)
    case .pcap: return try PcapTraceReader(path: path)
    case .qemuLog: return try QEMULogReader(path: path, settings: settings)
    }
}
