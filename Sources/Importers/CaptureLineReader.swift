#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Diagnostics
import MMIOTrace

/// The lines of a capture, which importers read twice (topology, then events) in constant
/// memory: a ``LineBuffer`` over a regular file that can start over.
final class CaptureLineReader {
    /// The longest accepted line; a longer one is an input error.
    static let maximumLineLength = 1 << 16

    let fileName: String
    private let buffer: LineBuffer
    /// 1-based number of the line last returned.
    var lineNumber: Int { buffer.lineNumber }

    /// Reads the file at `path`, which must be a regular file; standard input cannot be read
    /// twice, so `-` is refused.
    init(path: String) throws(InputUnavailableError) {
        guard path != "-" else {
            throw InputUnavailableError(path: path, reason: "captures are read twice (topology, then events); save standard input to a file first")
        }
        var info = stat()
        if stat(path, &info) == 0, (info.st_mode & S_IFMT) != S_IFREG {
            throw InputUnavailableError(path: path, reason: "not a regular file (captures are read twice: topology first, then events)")
        }
        fileName = path
        buffer = try LineBuffer(path: path, maximumLineLength: Self.maximumLineLength, chunkSize: 1 << 18)
    }

    /// Reads lines from bytes already in memory; `fileName` is used in messages.
    init(bytes: [UInt8], fileName: String) {
        self.fileName = fileName
        buffer = LineBuffer(bytes: bytes, maximumLineLength: Self.maximumLineLength)
    }

    /// Goes back to the first line.
    func rewind() throws(InputUnavailableError) {
        do {
            try buffer.rewind()
        } catch {
            switch error {
            case .readFailed(let reason): throw InputUnavailableError(path: fileName, reason: reason)
            case .lineTooLong: preconditionFailure("rewinding reads no line")
            }
        }
    }

    /// The rest of the input for a reader that goes on without this one (``LineBuffer/handOver()``).
    func handOver() -> (unread: [UInt8], descriptor: Int32, owned: Bool) { buffer.handOver() }

    /// The next line, valid until the following call; nil at the end of the input.
    /// - Throws: ``InputError`` for an over-long line, ``InputUnavailableError`` for a read error.
    func nextLine() throws -> UnsafeBufferPointer<UInt8>? { try buffer.nextLine(file: fileName) }
}
