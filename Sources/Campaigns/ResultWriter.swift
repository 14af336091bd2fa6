import CampaignStore
import Foundation

/// Stores a running campaign's results on a thread of its own, in submission order, so that
/// neither the workers nor the task collecting their results wait on SQLite (docs/campaigns.md).
///
/// Result batches are written asynchronously; at most ``pendingLimit`` wait at once (a faster
/// producer then waits, so memory stays bounded). Marks of experiments in flight are written
/// synchronously: an experiment is marked before its worker starts. The first error of a
/// write is thrown by the next call, and by ``finish()``.
final class ResultWriter: @unchecked Sendable {
    private let store: ResultStore
    private let queue = DispatchQueue(label: "mmio-replay.campaign-results")
    private let pending: DispatchSemaphore
    private let lock = NSLock()
    /// The first write that failed (guarded by `lock`).
    private var failure: (any Error)?

    /// Batches written or waiting at once.
    static let pendingLimit = 4

    init(store: ResultStore) {
        self.store = store
        pending = DispatchSemaphore(value: Self.pendingLimit)
    }

    /// Stores a batch of results (and takes its ids out of flight), after every batch before it.
    func insert(experiments: [ExperimentRecord], failures: [FailedExperimentRecord]) throws {
        try rethrow()
        guard !experiments.isEmpty || !failures.isEmpty else { return }
        pending.wait()
        queue.async { [self] in
            defer { pending.signal() }
            do {
                try store.insert(experiments: experiments, failures: failures)
            } catch {
                lock.withLock { if failure == nil { failure = error } }
            }
        }
    }

    /// Marks experiments in flight, returning once the mark is stored.
    func markInFlight(_ ids: [String]) throws {
        try rethrow()
        try queue.sync { try store.markInFlight(ids) }
    }

    /// Waits for every batch submitted; throws the first write's error.
    func finish() throws {
        queue.sync {}
        try rethrow()
    }

    private func rethrow() throws {
        if let failure = lock.withLock({ failure }) { throw failure }
    }
}
