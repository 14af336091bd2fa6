import SeededRandom
import Testing
@testable import ReplayEngine

/// The queue pops in order of (time, priority, insertion), whatever it keeps beside its heap:
/// checked against a sorted list on random schedules that mix trace input with everything else.
@Suite struct EventQueueTests {
    private struct Key: Comparable {
        var time: UInt64
        var priority: EventPriority
        var sequence: Int
        static func < (a: Key, b: Key) -> Bool { (a.time, a.priority, a.sequence) < (b.time, b.priority, b.sequence) }
    }

    @Test(arguments: UInt64(1)...30)
    func popsInTheOrderOfTimePriorityAndInsertion(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        var queue = EventQueue<Int>()
        var reference: [Key] = []
        let priorities: [EventPriority] = [.resetComplete, .delivery, .transport, .completion, .drainTimeout, .agentStep, .traceInput]
        var sequence = 0
        var now: UInt64 = 0
        for _ in 0..<2000 {
            if random.next(below: 5) < 3 || reference.isEmpty {
                // Times near `now`, often equal, as a replay schedules them.
                let time = now + random.next(below: 4)
                let priority = random.next(below: 3) == 0 ? .traceInput : priorities[Int(random.next(below: UInt64(priorities.count)))]
                queue.schedule(sequence, at: SimTime(picoseconds: time), priority: priority)
                reference.append(Key(time: time, priority: priority, sequence: sequence))
                sequence += 1
            } else {
                let expected = reference.min()!
                #expect(queue.nextTime == SimTime(picoseconds: expected.time))
                reference.removeAll { $0.sequence == expected.sequence }
                let popped = queue.pop()
                #expect(popped?.event == expected.sequence)
                #expect(popped?.time == SimTime(picoseconds: expected.time))
                now = expected.time
            }
            #expect(queue.count == reference.count)
            #expect(queue.isEmpty == reference.isEmpty)
            let probe = Int(random.next(below: UInt64(sequence + 1)))
            #expect(queue.contains { $0 == probe } == reference.contains { $0.sequence == probe })
        }
    }
}
