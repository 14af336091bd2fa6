import MMIOTrace
import SeededRandom

/// The I/O submission and completion queue pair one vCPU owns (Linux `nvme` gives each CPU its
/// own hardware queue: vCPU i uses qid i + 1), and the doorbell traffic it causes.
struct NVMeQueuePair {
    let controller: NVMeController
    let qid: UInt16
    private var submissionTail: UInt32 = 0
    private var completionHead: UInt32 = 0
    private var inFlight: UInt32 = 0

    init(controller: NVMeController, qid: UInt16) {
        self.controller = controller
        self.qid = qid
    }

    /// The next batch of the driver on this queue pair.
    ///
    /// Mostly `nvme_queue_rq`/`nvme_commit_rqs`: the SQ tail doorbell, advanced by the 1–4
    /// commands of a plug. Completions arrive by MSI-X, after which `nvme_irq` writes the CQ head
    /// doorbell past the entries it consumed. Now and then the timeout and health paths read
    /// CSTS, which reads RDY (0x1).
    mutating func nextBatch(rng: inout SplitMix64) -> Batch {
        if rng.oneIn(64) {
            return .readl(controller.access(NVMeController.Register.csts, 0x1))
        }
        let depth = NVMeController.ioDepth
        if inFlight > 0, inFlight >= 64 || rng.next(below: 100) < 40 {
            let consumed = 1 + UInt32(rng.next(below: UInt64(min(inFlight, 8))))
            inFlight -= consumed
            completionHead = (completionHead + consumed) % depth
            return .writel(controller.completionHead(qid: qid, completionHead))
        }
        let plugged: UInt32 = rng.oneIn(4) ? UInt32(rng.next(in: 2...4)) : 1
        inFlight += plugged
        submissionTail = (submissionTail + plugged) % depth
        return .writel(controller.submissionTail(qid: qid, submissionTail))
    }
}
