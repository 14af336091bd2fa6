import CampaignStore
import Foundation

/// Stores a running campaign's results on a thread of its own, in submission order, so that
/// neither the workers nor the task collecting their results wait on SQLite (docs/campaigns.md).
///
/// Result batches are written asynchronously; at most ``pendingLimit`` wait at once (a faster
/// producer then waits, so memory stays bounded). Marks of experiments in flight are written
/// asynchronously too, in order with the batches; an experiment's worker starts only once its
/// mark is stored (``waitUntilMarked(through:)``), so marks are requested ahead. The first error
/// of a write is thrown by the next call, and by ``finish()``.
final class ResultWriter: @unchecked Sendable {
    private let store: ResultStore
    private let queue = DispatchQueue(label: "mmio-replay.campaign-results")
    private let pending: DispatchSemaphore
    /// Guards `failure` and `marked`, and signals when either changes.
    private let condition = NSCondition()
    /// The first write that failed.
    private var failure: (any Error)?
    /// The marks stored so far: the `through` of the last one.
    private var marked = 0

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
            record { try store.insert(experiments: experiments, failures: failures) }
        }
    }

    /// Marks experiments in flight after everything submitted before; `through` (increasing
    /// from one call to the next) names the mark for ``waitUntilMarked(through:)``.
    func markInFlight(_ ids: [String], through: Int) throws {
        try rethrow()
        queue.async { [self] in
            record { try store.markInFlight(ids) }
            condition.withLock {
                marked = through
                condition.broadcast()
            }
        }
    }

    /// Returns once the mark named `through` (or a later one) is stored; throws if a write failed.
    func waitUntilMarked(through: Int) throws {
        condition.lock()
        while marked < through, failure == nil { condition.wait() }
        condition.unlock()
        try rethrow()
    }

    /// Waits for every batch submitted; throws the first write's error.
    func finish() throws {
        queue.sync {}
        try rethrow()
    }

    private func record(_ write: () throws -> Void) {
        do {
            try write()
        } catch {
            condition.withLock {
                if failure == nil { failure = error }
                condition.broadcast()
            }
        }
    }

    private func rethrow() throws {
        if let failure = condition.withLock({ failure }) { throw failure }
    }
}
