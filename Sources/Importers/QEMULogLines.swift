#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Diagnostics
import MMIOTrace

/// Splits a QEMU log into lines through a fixed-size buffer, so memory does not grow with the
/// file. Lines come without their `\n` (and a `\r` before it).
final class QEMULogLines {
    /// The longest accepted line; a longer one is an input error.
    static let maximumLineLength = 1 << 16
    private static let chunkSize = 1 << 20

    private let fd: Int32
    private let storage: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    private var start = 0
    private var end = 0
    private var atEOF = false
    private let fileName: String
    /// 1-based number of the line last returned.
    private(set) var lineNumber = 0

    /// Reads the file at `path`.
    init(path: String) throws(InputUnavailableError) {
        let opened = open(path, O_RDONLY)
        guard opened >= 0 else { throw InputUnavailableError(path: path, reason: String(cString: strerror(errno))) }
        var info = stat()
        if fstat(opened, &info) == 0, (info.st_mode & S_IFMT) != S_IFREG {
            close(opened)
            throw InputUnavailableError(path: path, reason: "not a regular file (a QEMU log is read twice: topology first, then events)")
        }
        fd = opened
        fileName = path
        capacity = Self.chunkSize + Self.maximumLineLength
        storage = .allocate(capacity: capacity)
    }

    /// Reads lines from bytes already in memory.
    init(bytes: [UInt8], fileName: String) {
        fd = -1
        self.fileName = fileName
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

    /// The next line, valid until the following call; nil at the end of the input.
    func nextLine() throws -> UnsafeBufferPointer<UInt8>? {
        while true {
            let available = end - start
            if available > 0, let newline = memchr(storage + start, 0x0a, available) {
                return try take(upTo: storage.distance(to: newline.assumingMemoryBound(to: UInt8.self)), skipping: 1)
            }
            if atEOF { return available > 0 ? try take(upTo: end, skipping: 0) : nil }
            if available > Self.maximumLineLength { throw tooLong() }
            try refill()
        }
    }

    private func tooLong() -> InputError {
        lineNumber += 1
        return InputError(SourceLocation(file: fileName, line: lineNumber, column: 1), "line longer than \(Self.maximumLineLength) bytes")
    }

    private func take(upTo terminator: Int, skipping: Int) throws -> UnsafeBufferPointer<UInt8> {
        defer { start = terminator + skipping }
        if terminator - start > Self.maximumLineLength { throw tooLong() }
        var lineEnd = terminator
        if lineEnd > start, storage[lineEnd - 1] == 0x0d { lineEnd -= 1 }
        lineNumber += 1
        return UnsafeBufferPointer(start: storage + start, count: lineEnd - start)
    }

    private func refill() throws {
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
