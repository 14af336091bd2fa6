#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Diagnostics

/// Parses the event lines of an input on several threads, a chunk of whole lines each, and gives
/// what they hold (events, or a reader's own records) back in file order: the consumer sees
/// exactly the outputs, lines and first error that one thread parsing line by line would give.
///
/// The threads take turns reading: under one lock, a thread reads the next chunk (about
/// `chunkSize` bytes, ending at a newline), then parses it alone, numbering its lines from 1. A
/// chunk's outputs wait in a ring until the consumer reaches them, and the consumer, which knows
/// how many lines came before, turns their line numbers (and an error's) into the file's, and
/// hands the chunk's notes to `absorb` before its first output (``ChunkedLineParser``). At most
/// `chunks` are read ahead, so memory does not grow with the input. An error ends the reading:
/// the chunks after it are never read, and the consumer gets the error after every output before
/// it.
///
/// The consumer takes outputs one at a time (``next()``, for events), or a chunk at a time
/// (``nextChunk()``), its `absorb` moving every output out: that costs no generic call per output
/// in a module the parser type is not known in.
public final class ParallelEventParsing<Parser: ChunkedLineParser> {
    // The consumer's side, touched for every event by one thread: no dynamic exclusivity checks.
    /// The line the last returned event came from; once the input is read, its last line (the
    /// error's, if one ended it), as for a reader going line by line.
    public var line: Int { currentLine }
    /// Behind a getter: a stored property read directly from another module gets an exclusivity
    /// check despite `@exclusivity(unchecked)`.
    @exclusivity(unchecked) private var currentLine = 0
    /// The current chunk's outputs (moved out as they are returned) and their lines.
    @exclusivity(unchecked) private var outputs: UnsafeMutablePointer<Parser.Output>?
    @exclusivity(unchecked) private var lines: UnsafeMutablePointer<Int>?
    @exclusivity(unchecked) private var count = 0
    @exclusivity(unchecked) private var position = 0
    private var current: Chunk?
    private var nextIndex = 0
    /// Lines of the input before the current chunk.
    @exclusivity(unchecked) private var linesBefore: Int
    /// How the input ended, once the consumer has reached that point.
    private var ending: Result<Void, any Error>?
    private let shared: Shared
    private var started = false
    private let threads: Int
    private let absorb: Absorb

    /// Takes a chunk on the consumer's thread, before its first output: its notes, the number of
    /// lines before it, its outputs (to amend, or to move out with ``nextChunk()``) and their
    /// lines, numbered within the chunk.
    public typealias Absorb = (_ notes: Parser.ChunkNotes, _ linesBefore: Int, _ outputs: UnsafeMutableBufferPointer<Parser.Output>,
                               _ lines: UnsafeBufferPointer<Int>) -> Void

    /// - Parameters:
    ///   - unread: Bytes already read from the input, starting at a line.
    ///   - descriptor: Where the rest of the input comes from (-1: nothing more).
    ///   - owned: Whether to close `descriptor` at the end.
    ///   - firstLine: The number of the first line in `unread`.
    ///   - parser: The parser each thread copies (with its own line number and hints).
    ///   - absorb: Takes each chunk on the consumer's thread, in file order (``Absorb``).
    public init(unread: [UInt8], descriptor: Int32, owned: Bool, firstLine: Int, parser: Parser,
                threads: Int, chunkSize: Int, chunks: Int, maximumLineLength: Int, absorb: @escaping Absorb) {
        self.threads = threads
        self.absorb = absorb
        linesBefore = firstLine - 1
        shared = Shared(unread: unread, descriptor: descriptor, owned: owned, parser: parser,
                        chunkSize: chunkSize, chunks: max(chunks, threads), maximumLineLength: maximumLineLength)
    }

    /// The threads stop at their next chunk, never blocking the consumer.
    deinit {
        current?.taken = position
        shared.cancel()
    }

    /// Takes the next chunk for an `absorb` that moves every output out (instead of ``next()``);
    /// false at the end of the input, or throws the error that ended it.
    public func nextChunk() throws -> Bool {
        position = count
        guard try takeChunk() else { return false }
        position = count
        return true
    }

    /// Recycles the current chunk and takes the next, handing it to `absorb`; false at the end of
    /// the input. Not inlined: unspecialized, its notes need type metadata, which the per-output
    /// path of ``next()`` would otherwise look up on every call.
    @inline(never)
    private func takeChunk() throws -> Bool {
        if let chunk = current {
            current = nil
            if let end = chunk.end {
                ending = end.mapError { error in
                    guard var located = error as? InputError else { return error }
                    located.location.line += linesBefore
                    return located
                }
            }
            linesBefore += chunk.lineCount
            chunk.taken = position
            // From here on the chunk belongs to the parsing threads.
            shared.recycle(chunk)
        }
        switch ending {
        case .success: currentLine = linesBefore; return false
        case .failure(let error):
            currentLine = (error as? InputError)?.location.line ?? linesBefore
            throw error
        case nil: break
        }
        if !started { try start() }
        let chunk = shared.waitForChunk(nextIndex)
        nextIndex += 1
        current = chunk
        outputs = chunk.outputs
        lines = chunk.lines
        count = chunk.outputCount
        position = 0
        if let notes = chunk.notes {
            absorb(notes, linesBefore, UnsafeMutableBufferPointer(start: chunk.outputs, count: count), UnsafeBufferPointer(start: chunk.lines, count: count))
        }
        return true
    }

    private func start() throws {
        started = true
        for _ in 0..<threads {
            let shared = shared
            let work = Unmanaged.passRetained(ThreadBody { shared.work() })
            var thread = pthread_t()
            let failure = pthread_create(&thread, nil, { context in
                Unmanaged<ThreadBody>.fromOpaque(context!).takeRetainedValue().run()
                return nil
            }, work.toOpaque())
            guard failure == 0 else {
                work.release()
                shared.cancel()
                throw InputUnavailableError(path: shared.fileName, reason: "cannot start a parsing thread: \(String(cString: strerror(failure)))")
            }
            pthread_detach(thread)
        }
    }

    /// A run of whole lines, and what parsing them gave: one thread's at a time.
    fileprivate final class Chunk {
        let bytes: UnsafeMutablePointer<UInt8>
        var count = 0
        var index = 0
        /// Lines in the chunk; its lines and errors count from 1 within it.
        var lineCount = 0
        /// The outputs parsed, each with its line; the consumer moves them out.
        @exclusivity(unchecked) private(set) var outputs: UnsafeMutablePointer<Parser.Output>
        @exclusivity(unchecked) private(set) var lines: UnsafeMutablePointer<Int>
        @exclusivity(unchecked) private(set) var outputCount = 0
        private var capacity: Int
        /// Outputs before this one have been moved out.
        var taken = 0
        /// Set on the last chunk the input gives: success at the end of input, or the error
        /// that stopped it (after `events`).
        var end: Result<Void, any Error>?
        /// What the parser noted on the chunk's lines (nil until parsed).
        var notes: Parser.ChunkNotes?

        init(capacity bytes: Int, outputs: Int) {
            self.bytes = .allocate(capacity: bytes)
            capacity = max(outputs, 16)
            self.outputs = .allocate(capacity: capacity)
            lines = .allocate(capacity: capacity)
        }

        deinit {
            clear()
            bytes.deallocate()
            outputs.deallocate()
            lines.deallocate()
        }

        /// Where the next output is to be built (room is made for it).
        @inline(__always)
        func nextOutput() -> UnsafeMutablePointer<Parser.Output> {
            if outputCount == capacity { grow() }
            return outputs + outputCount
        }

        /// Counts the output built at ``nextOutput()``, from `line`.
        @inline(__always)
        func commitOutput(line: Int) {
            lines[outputCount] = line
            outputCount += 1
        }

        private func grow() {
            capacity *= 2
            let moved = UnsafeMutablePointer<Parser.Output>.allocate(capacity: capacity)
            moved.moveInitialize(from: outputs, count: outputCount)
            outputs.deallocate()
            outputs = moved
            let numbered = UnsafeMutablePointer<Int>.allocate(capacity: capacity)
            numbered.moveInitialize(from: lines, count: outputCount)
            lines.deallocate()
            lines = numbered
        }

        /// Ready for the next lines: the outputs not taken are destroyed.
        func clear() {
            (outputs + taken).deinitialize(count: outputCount - taken)
            outputCount = 0
            taken = 0
        }
    }

    /// The state the threads share: the input (under `inputLock`) and the chunks (under `lock`).
    fileprivate final class Shared: @unchecked Sendable {
        let fileName: String
        private let parser: Parser
        private let chunkSize: Int
        private let maximumLineLength: Int

        // The input, under `inputLock`.
        private let inputLock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        private let descriptor: Int32
        private let owned: Bool
        /// Bytes read but not yet in a chunk (from `carryStart`): the start of a line read with
        /// the previous chunk, or all that was read before the threads started.
        private var carry: [UInt8]
        private var carryStart = 0
        private var descriptorEnded: Bool
        private var readIndex = 0
        /// No more chunks: the input ended, failed or a chunk's parse failed.
        private var inputDone = false

        // The chunks, under `lock`.
        private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
        private var free: [Chunk]
        /// Parsed chunks by `index % ready.count`: at most that many are out at once, so a slot
        /// is empty again before the chunk that maps to it next is read.
        private var ready: [Chunk?]
        private var cancelled = false

        init(unread: [UInt8], descriptor: Int32, owned: Bool, parser: Parser,
             chunkSize: Int, chunks: Int, maximumLineLength: Int) {
            fileName = parser.fileName
            self.parser = parser
            self.chunkSize = chunkSize
            self.maximumLineLength = maximumLineLength
            self.descriptor = descriptor
            self.owned = owned
            descriptorEnded = descriptor < 0
            carry = unread
            // Events are rarely shorter than 32 bytes of text.
            free = (0..<chunks).map { _ in Chunk(capacity: chunkSize + maximumLineLength + 1, outputs: chunkSize / 32) }
            ready = Array(repeating: nil, count: chunks)
            pthread_mutex_init(inputLock, nil)
            pthread_mutex_init(lock, nil)
            pthread_cond_init(changed, nil)
        }

        deinit {
            if owned { close(descriptor) }
            pthread_cond_destroy(changed)
            pthread_mutex_destroy(lock)
            pthread_mutex_destroy(inputLock)
            changed.deallocate()
            lock.deallocate()
            inputLock.deallocate()
        }

        /// A thread's loop: read a chunk, parse it, hand it over, until the input is done.
        func work() {
            var parser = parser
            parser.fileName = String(decoding: Array(parser.fileName.utf8), as: UTF8.self)
            while let chunk = takeFree() {
                guard fill(chunk) else { return recycle(chunk) }
                parse(chunk, with: &parser)
                if chunk.end != nil {
                    pthread_mutex_lock(inputLock)
                    inputDone = true
                    pthread_mutex_unlock(inputLock)
                }
                deliver(chunk)
            }
        }

        private func takeFree() -> Chunk? {
            pthread_mutex_lock(lock)
            defer { pthread_mutex_unlock(lock) }
            while free.isEmpty, !cancelled { pthread_cond_wait(changed, lock) }
            return cancelled ? nil : free.removeLast()
        }

        /// Fills `chunk` with the next lines of the input, numbered; false once the input is done.
        private func fill(_ chunk: Chunk) -> Bool {
            pthread_mutex_lock(inputLock)
            defer { pthread_mutex_unlock(inputLock) }
            guard !inputDone else { return false }
            chunk.index = readIndex
            readIndex += 1
            chunk.clear()
            chunk.end = nil
            chunk.notes = nil
            chunk.lineCount = 0
            let capacity = chunkSize + maximumLineLength + 1
            // Carried bytes first: the start of a line, or all that was read before the threads
            // (a chunk's worth, or on to the end of a line).
            var taken = min(carry.count - carryStart, chunkSize)
            carry.withUnsafeBufferPointer { carried in
                let start = carried.baseAddress! + carryStart
                if !carried[carryStart..<(carryStart + taken)].contains(0x0a) { taken = min(carried.count - carryStart, capacity) }
                chunk.bytes.update(from: start, count: taken)
            }
            carryStart += taken
            var count = taken
            var lastNewline = Self.lastNewline(in: chunk.bytes, from: 0, to: count)
            // Then the input, to the chunk size and on to the end of a line (at most the longest).
            while carryStart == carry.count, !descriptorEnded, count < chunkSize || lastNewline == nil, count < capacity {
                let n = read(descriptor, chunk.bytes + count, min(capacity - count, max(chunkSize - count, 1 << 16)))
                if n < 0 {
                    if errno == EINTR { continue }
                    chunk.count = 0
                    chunk.end = .failure(InputUnavailableError(path: fileName, reason: String(cString: strerror(errno))))
                    inputDone = true
                    return true
                }
                if n == 0 {
                    descriptorEnded = true
                    break
                }
                lastNewline = Self.lastNewline(in: chunk.bytes, from: count, to: count + n) ?? lastNewline
                count += n
                if lastNewline == nil, count > maximumLineLength { break }
            }
            let atEnd = descriptorEnded && carryStart == carry.count
            if let lastNewline, !atEnd {
                chunk.count = lastNewline + 1
                let leftover = count - chunk.count
                if carryStart < carry.count {
                    carryStart -= leftover
                } else {
                    carry = Array(UnsafeBufferPointer(start: chunk.bytes + chunk.count, count: leftover))
                    carryStart = 0
                }
            } else {
                // The whole rest is this chunk: the end of the input, or a line too long (which
                // the parse reports at its line).
                chunk.count = count
                inputDone = true
                if atEnd { chunk.end = .success(()) }
            }
            return true
        }

        /// The last newline in `start..<end`, searched backwards: it is usually a line from the end.
        private static func lastNewline(in bytes: UnsafeMutablePointer<UInt8>, from start: Int, to end: Int) -> Int? {
            var i = end
            while i > start {
                i -= 1
                if bytes[i] == 0x0a { return i }
            }
            return nil
        }

        /// Parses a chunk's lines into its events, numbering lines from 1 (the consumer adds the
        /// lines of the chunks before); the first error (or an over-long line) ends it.
        private func parse(_ chunk: Chunk, with parser: inout Parser) {
            var start = 0
            var line = 1
            parser.beginChunk()
            defer { chunk.notes = parser.endChunk() }
            do {
                while start < chunk.count {
                    let rest = chunk.count - start
                    let end = memchr(chunk.bytes + start, 0x0a, rest).map { chunk.bytes.distance(to: $0.assumingMemoryBound(to: UInt8.self)) }
                        ?? chunk.count
                    if end - start > maximumLineLength {
                        throw LineBuffer.overlongLine(file: fileName, line: line, maximumLineLength: maximumLineLength)
                    }
                    var lineEnd = end
                    if lineEnd > start, chunk.bytes[lineEnd - 1] == 0x0d { lineEnd -= 1 }
                    parser.lineNumber = line
                    if try parser.parseLine(UnsafeBufferPointer(start: chunk.bytes + start, count: lineEnd - start), into: chunk.nextOutput()) {
                        chunk.commitOutput(line: line)
                    }
                    start = end + 1
                    line += 1
                }
                chunk.lineCount = line - 1
            } catch {
                chunk.end = .failure(error)
            }
        }

        private func deliver(_ chunk: Chunk) {
            pthread_mutex_lock(lock)
            defer { pthread_mutex_unlock(lock) }
            ready[chunk.index % ready.count] = chunk
            pthread_cond_broadcast(changed)
        }

        /// The chunk numbered `index`, once parsed.
        func waitForChunk(_ index: Int) -> Chunk {
            pthread_mutex_lock(lock)
            defer { pthread_mutex_unlock(lock) }
            let slot = index % ready.count
            while ready[slot]?.index != index { pthread_cond_wait(changed, lock) }
            let chunk = ready[slot]!
            ready[slot] = nil
            return chunk
        }

        /// Returns a consumed chunk (or one a thread could not fill) for reuse.
        func recycle(_ chunk: Chunk) {
            pthread_mutex_lock(lock)
            defer { pthread_mutex_unlock(lock) }
            free.append(chunk)
            pthread_cond_broadcast(changed)
        }

        func cancel() {
            pthread_mutex_lock(lock)
            defer { pthread_mutex_unlock(lock) }
            cancelled = true
            pthread_cond_broadcast(changed)
        }
    }
}

/// What a parsing thread runs: a C thread's entry point cannot capture a generic type.
private final class ThreadBody {
    let run: () -> Void
    init(_ run: @escaping () -> Void) { self.run = run }
}

extension ParallelEventParsing where Parser.Output == TraceEvent {
    /// The next event, or nil at the end of the input.
    @inline(__always)
    public func next() throws -> TraceEvent? {
        while position == count {
            guard try takeChunk() else { return nil }
        }
        currentLine = linesBefore + lines.unsafelyUnwrapped[position]
        position += 1
        // Moved out: when the chunk is recycled, only the outputs after `taken` are deinitialized.
        return (outputs.unsafelyUnwrapped + position - 1).move()
    }
}
