#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Diagnostics

/// The input could not be opened or read (as opposed to being malformed).
public struct InputUnavailableError: Error, Hashable, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
    public var description: String { "\(path): error: cannot read input: \(reason)" }
}

/// Splits a byte stream into lines with a fixed-size buffer, so memory does not grow with the
/// input. Lines are returned without their `\n` (and without a `\r` before it).
public final class LineBuffer {
    /// The longest accepted line; longer lines are an input error, not a reason to grow.
    public let maximumLineLength: Int
    private let chunkSize: Int

    private let fd: Int32
    private var ownsDescriptor: Bool
    private let storage: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    // Touched for every line by the one thread that owns the buffer: no dynamic exclusivity
    // checks (they were a tenth of an import's time).
    @exclusivity(unchecked) private var start = 0
    @exclusivity(unchecked) private var end = 0
    @exclusivity(unchecked) private var atEOF = false
    /// 1-based number of the line last returned.
    public var lineNumber: Int { currentLine }
    /// Behind a getter: a stored property read directly from another module gets an exclusivity
    /// check despite `@exclusivity(unchecked)`.
    @exclusivity(unchecked) private var currentLine = 0

    /// Reads the file at `path` (`-` for standard input) in chunks of `chunkSize` bytes.
    public init(path: String, maximumLineLength: Int = 1 << 20, chunkSize: Int = 4 << 20) throws(InputUnavailableError) {
        self.maximumLineLength = maximumLineLength
        self.chunkSize = chunkSize
        if path == "-" {
            fd = 0
            ownsDescriptor = false
        } else {
            let opened = open(path, O_RDONLY)
            guard opened >= 0 else { throw InputUnavailableError(path: path, reason: String(cString: strerror(errno))) }
            var info = stat()
            if fstat(opened, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
                close(opened)
                throw InputUnavailableError(path: path, reason: "is a directory")
            }
            fd = opened
            ownsDescriptor = true
        }
        capacity = chunkSize + maximumLineLength
        storage = .allocate(capacity: capacity)
    }

    /// Reads lines from bytes already in memory.
    public init(bytes: some Collection<UInt8>, maximumLineLength: Int = 1 << 20) {
        self.maximumLineLength = maximumLineLength
        chunkSize = 0
        fd = -1
        ownsDescriptor = false
        capacity = max(bytes.count, 1)
        storage = .allocate(capacity: capacity)
        _ = UnsafeMutableBufferPointer(start: storage, count: capacity).initialize(from: bytes)
        end = bytes.count
        atEOF = true
    }

    deinit {
        storage.deallocate()
        if ownsDescriptor { close(fd) }
    }

    /// Goes back to the first line (a file must be seekable: not standard input or a pipe).
    /// - Throws: ``LineBuffer/Failure/readFailed(_:)`` when the file cannot seek.
    public func rewind() throws(Failure) {
        currentLine = 0
        start = 0
        guard fd >= 0 else { return }
        guard lseek(fd, 0, SEEK_SET) == 0 else { throw .readFailed(String(cString: strerror(errno))) }
        end = 0
        atEOF = false
    }

    /// The rest of the input, for a reader that goes on without this buffer: the bytes read but
    /// not yet returned as lines, and the descriptor to read the others from (-1 when there is
    /// nothing more to read), which the caller then owns when `owned`. The buffer must not be
    /// used after.
    public func handOver() -> (unread: [UInt8], descriptor: Int32, owned: Bool) {
        let unread = Array(UnsafeBufferPointer(start: storage + start, count: end - start))
        start = end
        guard !atEOF else { return (unread, -1, false) }
        let owned = ownsDescriptor
        ownsDescriptor = false
        return (unread, fd, owned)
    }

    /// The next line, valid until the following call; nil at the end of input.
    /// - Throws: ``LineBuffer/Failure`` for an over-long line or a read error.
    public func nextLine() throws(Failure) -> UnsafeBufferPointer<UInt8>? {
        while true {
            let available = end - start
            if available > 0, let newline = memchr(storage + start, 0x0a, available) {
                let nl = storage.distance(to: newline.assumingMemoryBound(to: UInt8.self))
                return try take(upTo: nl, skipping: 1)
            }
            if atEOF {
                guard available > 0 else { return nil }
                return try take(upTo: end, skipping: 0)
            }
            if available > maximumLineLength {
                currentLine += 1
                throw .lineTooLong(line: currentLine)
            }
            try refill()
        }
    }

    /// ``nextLine()`` with its failures as the errors commands report.
    /// - Throws: ``InputError`` at the line for an over-long line, ``InputUnavailableError`` for
    ///   a read error, both naming `file`.
    public func nextLine(file: String) throws -> UnsafeBufferPointer<UInt8>? {
        do {
            return try nextLine()
        } catch {
            switch error {
            case .lineTooLong(let line):
                throw Self.overlongLine(file: file, line: line, maximumLineLength: maximumLineLength)
            case .readFailed(let reason):
                throw InputUnavailableError(path: file, reason: reason)
            }
        }
    }

    /// The error for line `line` of `file` being longer than `maximumLineLength` bytes (for
    /// every reader that splits lines, so that they all report it alike).
    static func overlongLine(file: String, line: Int, maximumLineLength: Int) -> InputError {
        InputError(SourceLocation(file: file, line: line, column: 1), "line longer than \(maximumLineLength) bytes")
    }

    private func take(upTo terminator: Int, skipping: Int) throws(Failure) -> UnsafeBufferPointer<UInt8> {
        if terminator - start > maximumLineLength {
            start = terminator + skipping
            currentLine += 1
            throw .lineTooLong(line: currentLine)
        }
        var lineEnd = terminator
        if lineEnd > start, storage[lineEnd - 1] == 0x0d { lineEnd -= 1 }
        let line = UnsafeBufferPointer(start: storage + start, count: lineEnd - start)
        start = terminator + skipping
        currentLine += 1
        return line
    }

    private func refill() throws(Failure) {
        if start > 0 {
            let remaining = end - start
            if remaining > 0 { memmove(storage, storage + start, remaining) }
            start = 0
            end = remaining
        }
        while end < capacity {
            let n = read(fd, storage + end, min(capacity - end, chunkSize))
            if n < 0 {
                if errno == EINTR { continue }
                throw .readFailed(String(cString: strerror(errno)))
            }
            if n == 0 { atEOF = true; return }
            end += n
            return
        }
    }

    public enum Failure: Error {
        case lineTooLong(line: Int)
        case readFailed(String)
    }
}
