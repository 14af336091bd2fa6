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
    /// The bytes of an input held in memory (nil for a file), for ``independentReader()``.
    private let bytes: [UInt8]?
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
        bytes = nil
        buffer = try LineBuffer(path: path, maximumLineLength: Self.maximumLineLength, chunkSize: 1 << 18)
    }

    /// Reads lines from bytes already in memory; `fileName` is used in messages.
    init(bytes: [UInt8], fileName: String) {
        self.fileName = fileName
        self.bytes = bytes
        buffer = LineBuffer(bytes: bytes, maximumLineLength: Self.maximumLineLength)
    }

    /// The whole input again, for a pass that reads it on its own (``ParallelEventParsing``)
    /// while this reader stays where it is: a file opened anew (the caller owns the
    /// descriptor), or the bytes held in memory.
    func independentReader() throws(InputUnavailableError) -> (unread: [UInt8], descriptor: Int32, owned: Bool) {
        if let bytes { return (bytes, -1, false) }
        let descriptor = open(fileName, O_RDONLY)
        guard descriptor >= 0 else { throw InputUnavailableError(path: fileName, reason: String(cString: strerror(errno))) }
        return ([], descriptor, true)
    }

    /// Runs `parser` over every line of the input on `threads` threads, a chunk of about
    /// `chunkSize` bytes at a time, and hands each chunk's notes to `absorb` in file order. For
    /// a pass whose lines give no outputs; returns the number of lines.
    func parseInParallel<Parser: ChunkedLineParser>(_ parser: Parser, threads: Int, chunkSize: Int,
                                                    absorb: @escaping (Parser.ChunkNotes, _ linesBefore: Int) -> Void) throws -> Int {
        let input = try independentReader()
        let pass = ParallelEventParsing(unread: input.unread, descriptor: input.descriptor, owned: input.owned, firstLine: 1, parser: parser,
                                        threads: threads, chunkSize: chunkSize, chunks: 2 * threads,
                                        maximumLineLength: Self.maximumLineLength) { notes, linesBefore, _, _ in absorb(notes, linesBefore) }
        while try pass.nextChunk() {}
        return pass.line
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
