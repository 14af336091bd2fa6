import Testing
import PCIeTransport

@Suite struct LinkQueueTests {
    static let rootPort = PCIAddress(bus: 0, device: 0, function: 0)
    static let device = PCIAddress(bus: 1, device: 0, function: 0)
    let write = TLP.memoryWrite(address: 0x1000, firstByteEnables: 0xf, lastByteEnables: 0, payload: TLPPayload(dword: 1), requester: rootPort)
    let read = TLP.memoryRead(address: 0x1000, length: 1, firstByteEnables: 0xf, lastByteEnables: 0, requester: rootPort, tag: 1)
    let completion = TLP.completion(status: .successful, completer: device, requester: rootPort, tag: 2, byteCount: 4)

    func queue(_ tlps: [TLP]) -> LinkQueue {
        var queue = LinkQueue(capacity: 8)
        for tlp in tlps {
            let accepted = queue.enqueue(tlp)
            #expect(accepted)
        }
        return queue
    }

    @Test func aReadPushesWrites() {
        // MWr, MRd, Cpl: the read and the completion wait for the write.
        #expect(Array(queue([write, read, completion]).eligible) == [0])
    }

    @Test func adversarialSchedulerMayReorderReadsAndCompletions() {
        // MRd, Cpl, MWr: everything may go first, the write too (A3, A5).
        var queue = queue([read, completion, write])
        #expect(Array(queue.eligible) == [0, 1, 2])
        let order = [queue.remove(at: 2), queue.remove(at: 1), queue.dequeue()]
        #expect(order == [write, completion, read])
        #expect(queue.isEmpty && queue.dequeue() == nil)
    }

    @Test func relaxedOrderingLetsAWritePassAWrite() {
        var relaxed = write
        relaxed.attributes = .relaxedOrdering
        #expect(Array(queue([write, relaxed]).eligible) == [0, 1])
        #expect(Array(queue([write, write]).eligible) == [0])
    }

    @Test func fullQueueRefusesAndWrapsAround() {
        var queue = LinkQueue(capacity: 2)
        let accepted = [queue.enqueue(read), queue.enqueue(completion), queue.enqueue(write)]
        #expect(accepted == [true, true, false] && queue.isFull)
        let oldest = queue.dequeue()
        let refilled = queue.enqueue(write)  // into the slot the read left
        #expect(oldest == read && refilled)
        #expect(queue[0] == completion && queue[1] == write)
        #expect(queue.eligible.count == 2 && queue.eligible.position(at: 1) == 1)
    }

    /// Random enqueues and random legal removals never let anything pass an earlier posted
    /// request except a posted request or completion with RO, nor a completion pass one of the
    /// same transaction. The oracle works on enqueue sequence numbers, not on `PCIeOrdering`.
    @Test func randomLegalSchedulesKeepTheOrderingRules() {
        for seed in UInt64(0)..<500 {
            var random = TestRandom(seed: seed)
            var queue = LinkQueue(capacity: random.next(in: 1...64))
            var waiting: [(sequence: Int, tlp: TLP)] = []  // mirrors the queue
            var left: [(sequence: Int, tlp: TLP)] = []
            var sequence = 0
            for _ in 0..<300 {
                if random.next(below: 3) != 0, !queue.isFull {
                    let tlp = randomTLP(&random)
                    let accepted = queue.enqueue(tlp)
                    #expect(accepted)
                    waiting.append((sequence, tlp))
                    sequence += 1
                } else if !queue.isEmpty {
                    let eligible = queue.eligible
                    let position = eligible.position(at: random.next(below: eligible.count))
                    let tlp = queue.remove(at: position)
                    #expect(tlp == waiting[position].tlp)
                    left.append(waiting.remove(at: position))
                }
            }
            var violation: String?
            for (index, earlierLeaving) in left.enumerated() {
                for laterLeaving in left[(index + 1)...] where laterLeaving.sequence < earlierLeaving.sequence {
                    // `earlierLeaving` was enqueued after `laterLeaving` but left before it.
                    let passer = earlierLeaving.tlp
                    let passed = laterLeaving.tlp
                    if passed.category == .posted, passer.category == .nonPosted || !passer.isRelaxedOrdered {
                        violation = "\(passer.kind.mnemonic) #\(earlierLeaving.sequence) passed \(passed.kind.mnemonic) #\(laterLeaving.sequence)"
                    }
                    if passed.category == .completion, passer.category == .completion, passed.tag == passer.tag {
                        violation = "completion #\(earlierLeaving.sequence) passed one of its own transaction"
                    }
                }
            }
            #expect(violation == nil, "seed \(seed): \(violation ?? "")")
            if violation != nil { return }
        }
    }

    func randomTLP(_ random: inout TestRandom) -> TLP {
        var tlp: TLP
        switch random.next(below: 5) {
        case 0: tlp = write
        case 1: tlp = read
        case 2: tlp = .configWrite(target: Self.device, register: 1, firstByteEnables: 0xf, value: 0, requester: Self.rootPort, tag: 3)
        case 3: tlp = .message(.errorNonFatal, requester: Self.device)
        default: tlp = completion
        }
        tlp.tag = UInt16(random.next(below: 4))
        if random.next(below: 4) == 0, tlp.category != .nonPosted { tlp.attributes = .relaxedOrdering }
        return tlp
    }
}
