import CampaignStore
import Foundation

/// Stores a running campaign's results on a thread of its own, in submission order, so that
/// neither the workers nor the task collecting their results wait on SQLite (docs/campaigns.md).
///
/// The submissions waiting when the thread gets to them are stored in one transaction: when
/// SQLite falls behind, its transactions grow, and each commit rewrites fewer pages per row (the
/// id index takes random inserts, so a commit rewrites most of its pages whatever its size). At
/// most ``pendingLimit`` submissions wait at once (a faster producer then waits, so memory stays
/// bounded). The first error of a write is thrown by the next call, and by ``finish()``.
final class ResultWriter: @unchecked Sendable {
    private let store: ResultStore
    /// Guards everything below, and signals when any of it changes.
    private let condition = NSCondition()
    /// Results not stored yet, as submitted (each submission a list of batches), the first ones
    /// possibly being stored.
    private var batches: [[ResultBatch]] = []
    /// Whether ``finish()`` was called, and whether the thread has stopped since.
    private var finishing = false
    private var stopped = false
    /// The first write that failed.
    private var failure: (any Error)?

    /// Batches waiting at once.
    static let pendingLimit = 16

    init(store: ResultStore) {
        self.store = store
        Thread { [self] in run() }.start()
    }

    /// Stores results, after everything submitted before them.
    func insert(_ results: [ResultBatch]) throws {
        try locked {
            while batches.count >= Self.pendingLimit, failure == nil { condition.wait() }
            try throwFailure()
            guard results.contains(where: { !$0.isEmpty }) else { return }
            batches.append(results)
        }
    }

    /// Waits for everything submitted to be stored, and stops the thread; throws the first
    /// write's error. Must be called once, also when the campaign stops on an error.
    func finish() throws {
        try locked {
            finishing = true
            condition.broadcast()
            while !stopped { condition.wait() }
            try throwFailure()
        }
    }

    /// The thread: the waiting batches, until finished; after a failed write it drops them.
    private func run() {
        condition.lock()
        while true {
            if failure != nil { batches = [] }
            if !batches.isEmpty {
                let taken = batches
                condition.unlock()
                do {
                    try store.insert(batches: taken.flatMap { $0 })
                    condition.lock()
                } catch {
                    condition.lock()
                    if failure == nil { failure = error }
                }
                batches.removeFirst(taken.count)
                condition.broadcast()
            } else if finishing {
                stopped = true
                condition.broadcast()
                condition.unlock()
                return
            } else {
                condition.wait()
            }
        }
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        condition.lock()
        defer {
            condition.broadcast()
            condition.unlock()
        }
        return try body()
    }

    private func throwFailure() throws {
        if let failure { throw failure }
    }
}
