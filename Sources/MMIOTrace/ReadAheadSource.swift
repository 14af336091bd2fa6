#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads another source on a thread of its own, a few thousand events ahead, so that parsing
/// runs on a second core while the consumer works: a replay then costs the larger of parsing and
/// simulation instead of their sum.
///
/// The consumer sees exactly the events, lines and errors the wrapped source gives, in the same
/// order: an input error is thrown after the events before it, as the wrapped source would. The
/// wrapped source belongs to this one from the first ``next()``; nobody else may use it. Events
/// travel in batches whose storage is reused, so reading ahead allocates nothing per event.
public final class ReadAheadSource: TraceEventSource {
    public let topology: Topology
    public let fileName: String
    // The consumer's side, touched for every event by one thread: no dynamic exclusivity checks.
    @exclusivity(unchecked) public private(set) var line = 0

    /// The source, until the reading thread takes it.
    private var source: (any TraceEventSource)?
    private let channel: Channel
    private var started = false
    /// The batch being consumed and the position of its next event.
    @exclusivity(unchecked) private var batch = Batch()
    @exclusivity(unchecked) private var position = 0

    /// - Parameters:
    ///   - batchSize: Events per batch handed from the reading thread.
    ///   - batches: Batches in flight: the reading thread stops when this many are waiting.
    public init(_ source: any TraceEventSource, batchSize: Int = 4096, batches: Int = 4) {
        self.source = source
        topology = source.topology
        fileName = source.fileName
        channel = Channel(batchSize: batchSize, batches: max(batches, 2))
    }

    /// `source` read ahead on another thread: itself when it already does so.
    public static func wrapping(_ source: any TraceEventSource) -> any TraceEventSource {
        source.readsAhead ? source : ReadAheadSource(source)
    }

    public var readsAhead: Bool { true }

    /// The reading thread is detached: it stops at its next batch, never blocking the consumer.
    deinit { channel.cancel() }

    public func next() throws -> TraceEvent? {
        if position == batch.events.count {
            if !started { try start() }
            // Handed over without a copy, so that its storage is reused rather than duplicated.
            var emptied = Batch()
            swap(&emptied, &batch)
            batch = try channel.exchange(emptied: consume emptied)
            position = 0
            if batch.events.isEmpty { return nil }
        }
        line = batch.lines[position]
        position += 1
        return batch.events[position - 1]
    }

    private func start() throws {
        guard let source else { return }
        self.source = nil
        let work = Unmanaged.passRetained(Producer(source: source, channel: channel))
        var thread = pthread_t()
        let failure = pthread_create(&thread, nil, { context in
            let producer = Unmanaged<Producer>.fromOpaque(context!).takeRetainedValue()
            producer.run()
            return nil
        }, work.toOpaque())
        guard failure == 0 else {
            work.release()
            throw InputUnavailableError(path: fileName, reason: "cannot start the reading thread: \(String(cString: strerror(failure)))")
        }
        pthread_detach(thread)
        started = true
    }

    /// Events and the line each came from.
    fileprivate struct Batch {
        var events: [TraceEvent] = []
        var lines: [Int] = []
    }

    /// The reading thread's loop: fill a batch, hand it over, until the end, an error or a cancel.
    private final class Producer: @unchecked Sendable {
        let source: any TraceEventSource
        let channel: Channel
        init(source: any TraceEventSource, channel: Channel) {
            self.source = source
            self.channel = channel
        }

        func run() {
            while var batch = channel.emptyBatch() {
                do {
                    while batch.events.count < channel.batchSize, let event = try source.next() {
                        batch.events.append(event)
                        batch.lines.append(source.line)
                    }
                } catch {
                    return channel.deliver(consume batch, end: .failure(error))
                }
                let atEnd = batch.events.count < channel.batchSize
                // Consumed: a batch the reading thread still held would be copied when reused.
                channel.deliver(consume batch, end: atEnd ? .success(()) : nil)
                if atEnd { return }
            }
        }
    }

    /// The batches between the two threads, under one lock: full ones in order, empty ones for
    /// reuse, and how the input ended once it has.
    private final class Channel: @unchecked Sendable {
        let batchSize: Int
        private var full: [Batch] = []
        private var empty: [Batch]
        private var end: Result<Void, any Error>?
        private var cancelled = false
        private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

        init(batchSize: Int, batches: Int) {
            self.batchSize = batchSize
            empty = (0..<batches).map { _ in
                var batch = Batch()
                batch.events.reserveCapacity(batchSize)
                batch.lines.reserveCapacity(batchSize)
                return batch
            }
            full.reserveCapacity(batches)
            pthread_mutex_init(mutex, nil)
            pthread_cond_init(changed, nil)
        }

        deinit {
            pthread_cond_destroy(changed)
            pthread_mutex_destroy(mutex)
            changed.deallocate()
            mutex.deallocate()
        }

        private func locked<T>(_ body: () throws -> T) rethrows -> T {
            pthread_mutex_lock(mutex)
            defer { pthread_mutex_unlock(mutex) }
            return try body()
        }

        /// An empty batch to fill (waiting for one), or nil once the consumer has gone.
        func emptyBatch() -> Batch? {
            locked {
                while empty.isEmpty, !cancelled { pthread_cond_wait(changed, mutex) }
                return cancelled ? nil : empty.removeLast()
            }
        }

        /// Hands over a filled batch and, with its last one, how the input ended.
        func deliver(_ batch: consuming Batch, end: Result<Void, any Error>?) {
            pthread_mutex_lock(mutex)
            defer { pthread_mutex_unlock(mutex) }
            if !batch.events.isEmpty { full.append(batch) }
            if let end { self.end = end }
            pthread_cond_broadcast(changed)
        }

        /// Returns a consumed batch (emptied, capacity kept) and waits for the next full one;
        /// an empty batch means the end of the input.
        /// - Throws: The wrapped source's error, after every event before it.
        func exchange(emptied returned: consuming Batch) throws -> Batch {
            returned.events.removeAll(keepingCapacity: true)
            returned.lines.removeAll(keepingCapacity: true)
            pthread_mutex_lock(mutex)
            defer { pthread_mutex_unlock(mutex) }
            if returned.events.capacity > 0 { empty.append(returned) }
            pthread_cond_broadcast(changed)
            while full.isEmpty, end == nil { pthread_cond_wait(changed, mutex) }
            if !full.isEmpty { return full.removeFirst() }
            try end!.get()
            return Batch()
        }

        func cancel() {
            locked {
                cancelled = true
                pthread_cond_broadcast(changed)
            }
        }
    }
}
