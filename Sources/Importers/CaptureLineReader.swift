#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Diagnostics
import MMIOTrace

/// Splits a capture into lines with a fixed-size buffer, and can start over: importers read a
/// capture twice (topology, then events) in constant memory. Lines come without their `\n` (and
/// without a `\r` before it).
final class CaptureLineReader {
    /// The longest accepted line; a longer one is an input error.
    static let maximumLineLength = 1 << 16
    private static let chunkSize = 1 << 18

    let fileName: String
    private let fd: Int32
    private let storage: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    private let inMemory: Bool
    private var start = 0
    private var end = 0
    private var atEOF = false
    /// 1-based number of the line last returned.
    private(set) var lineNumber = 0

    /// Reads the file at `path`, which must be a regular file; standard input cannot be read
    /// twice, so `-` is refused.
    init(path: String) throws(InputUnavailableError) {
        guard path != "-" else {
            throw InputUnavailableError(path: path, reason: "captures are read twice (topology, then events); save standard input to a file first")
        }
        let opened = open(path, O_RDONLY)
        guard opened >= 0 else { throw InputUnavailableError(path: path, reason: String(cString: strerror(errno))) }
        var info = stat()
        if fstat(opened, &info) == 0, (info.st_mode & S_IFMT) != S_IFREG {
            close(opened)
            throw InputUnavailableError(path: path, reason: "not a regular file (captures are read twice: topology first, then events)")
        }
        fileName = path
        fd = opened
        inMemory = false
        capacity = Self.chunkSize + Self.maximumLineLength
        storage = .allocate(capacity: capacity)
    }

    /// Reads lines from bytes already in memory; `fileName` is used in messages.
    init(bytes: [UInt8], fileName: String) {
        self.fileName = fileName
        fd = -1
        inMemory = true
        capacity = max(bytes.count, 1)
        storage = .allocate(capacity: capacity)
        _ = UnsafeMutableBufferPointer(start: storage, count: capacity).initialize(from: bytes)
        end = bytes.count
        atEOF = true
    }

    deinit {
        storage.deallocate()
        if fd >= 0 { close(fd) }
    }

    /// Goes back to the first line.
    func rewind() throws(InputUnavailableError) {
        lineNumber = 0
        start = 0
        if inMemory { return }
        guard lseek(fd, 0, SEEK_SET) == 0 else { throw InputUnavailableError(path: fileName, reason: String(cString: strerror(errno))) }
        end = 0
        atEOF = false
    }

    /// The next line, valid until the following call; nil at the end of the input.
    /// - Throws: ``InputError`` for an over-long line, ``InputUnavailableError`` for a read error.
    func nextLine() throws -> UnsafeBufferPointer<UInt8>? {
        while true {
            let available = end - start
            if available > 0, let newline = memchr(storage + start, 0x0a, available) {
                return try take(upTo: storage.distance(to: newline.assumingMemoryBound(to: UInt8.self)), skipping: 1)
            }
            if atEOF {
                guard available > 0 else { return nil }
                return try take(upTo: end, skipping: 0)
            }
            if available > Self.maximumLineLength { throw tooLong() }
            try refill()
        }
    }

    private func tooLong() -> InputError {
        lineNumber += 1
        return InputError(SourceLocation(file: fileName, line: lineNumber, column: 1), "line longer than \(Self.maximumLineLength) bytes")
    }

    private func take(upTo terminator: Int, skipping: Int) throws(InputError) -> UnsafeBufferPointer<UInt8> {
        if terminator - start > Self.maximumLineLength {
            start = terminator + skipping
            throw tooLong()
        }
        var lineEnd = terminator
        if lineEnd > start, storage[lineEnd - 1] == 0x0d { lineEnd -= 1 }
        let line = UnsafeBufferPointer(start: storage + start, count: lineEnd - start)
        start = terminator + skipping
        lineNumber += 1
        return line
    }

    private func refill() throws(InputUnavailableError) {
        if start > 0 {
            let remaining = end - start
            if remaining > 0 { memmove(storage, storage + start, remaining) }
            start = 0
            end = remaining
        }
        while true {
            let n = read(fd, storage + end, min(capacity - end, Self.chunkSize))
            if n < 0 {
                if errno == EINTR { continue }
                throw InputUnavailableError(path: fileName, reason: String(cString: strerror(errno)))
            }
            if n == 0 { atEOF = true } else { end += n }
            return
        }
    }
}
