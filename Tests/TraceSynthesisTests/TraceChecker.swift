import MMIOTrace
@testable import TraceSynthesis

/// Consumes a trace event by event and keeps the first broken invariant.
struct TraceChecker {
    let topology: Topology
    private(set) var count = 0
    private(set) var categories: Set<EventKind.Category> = []
    private(set) var problem: String?
    private var lastTime: UInt64 = 0
    private var lastTimeByAgent: [Agent: UInt64] = [:]
    private var exited: Set<Agent> = []

    init(topology: Topology) { self.topology = topology }

    mutating func check(_ event: TraceEvent) {
        defer { count += 1 }
        guard problem == nil else { return }
        func fail(_ message: String) { problem = "event \(count) (\(event.agent) at \(event.time.nanoseconds) ns): \(message)" }
        let time = event.time.nanoseconds
        if time < lastTime { return fail("time goes back from \(lastTime)") }
        if let previous = lastTimeByAgent[event.agent], time <= previous {
            return fail("not after the agent's previous event at \(previous)")
        }
        lastTime = time
        lastTimeByAgent[event.agent] = time
        categories.insert(event.kind.category)

        switch event.kind {
        case .guestExit:
            if exited.contains(event.agent) { return fail("exit while already out") }
            exited.insert(event.agent)
        case .guestEntry:
            if exited.remove(event.agent) == nil { return fail("entry while in the guest") }
        default:
            if exited.contains(event.agent) { return fail("\(event.kind.category.name) while exited") }
        }

        switch event.kind {
        case .read(let access), .write(let access):
            guard let region = access.region else { return fail("access names no region") }
            let bounds = topology.regions[Int(region)]
            if !bounds.contains(access.address) || !bounds.contains(access.address + UInt64(access.size) - 1) {
                return fail("access at \(access.address) outside \(bounds.name)")
            }
            if ![1, 2, 4, 8].contains(access.size) { return fail("access size \(access.size)") }
            if !access.value.fits(inBytes: Int(access.size)) { return fail("value \(access.value) too wide") }
            if !access.hasValue { return fail("access without a value") }
            if event.agent.role != .vcpu { return fail("access by \(event.agent)") }
        case .configRead(let access), .configWrite(let access):
            if Int(access.device) >= topology.devices.count { return fail("unknown device") }
            if access.size < 4, access.value >> (8 * UInt32(access.size)) != 0 { return fail("config value too wide") }
        default:
            break
        }
    }
}

/// Checks a whole trace; nil when every invariant holds.
func problem(in workload: Workload, events: Int, seed: UInt64) -> String? {
    var generator = WorkloadGenerator(workload: workload, events: events, seed: seed)
    var checker = TraceChecker(topology: generator.topology)
    while let event = generator.next() { checker.check(event) }
    if let problem = checker.problem { return problem }
    return checker.count == events ? nil : "\(checker.count) events instead of \(events)"
}

/// A one-line rendering close to `.mtrace` text, for messages and comparisons.
func render(_ event: TraceEvent, in topology: Topology) -> String {
    func hex(_ v: some BinaryInteger) -> String { "0x" + String(v, radix: 16) }
    func at(_ a: MemoryAccess) -> String {
        guard let id = a.region else { return hex(a.address) }
        let region = topology.regions[Int(id)]
        return "\(topology.devices[Int(region.device)].name).\(region.name)+\(hex(a.address - region.base))"
    }
    let what: String
    switch event.kind {
    case .read(let a): what = "read \(a.size) \(at(a)) = \(a.value)"
    case .write(let a): what = "write \(a.size) \(at(a)) \(a.value)"
    case .barrier(.dmb(let d, let k)): what = "dmb \(Barrier.optionSpelling(d, k))"
    case .barrier(.dsb(let d, let k)): what = "dsb \(Barrier.optionSpelling(d, k))"
    case .barrier(.isb): what = "isb"
    case .guestExit: what = "exit"
    case .guestEntry: what = "entry"
    case .teardown(let vm): what = "teardown vm\(vm)"
    case .unmap(let r, let vm): what = "unmap vm\(vm) \(topology.devices[Int(topology.regions[Int(r)].device)].name).\(topology.regions[Int(r)].name)"
    case .tlbi(let t): what = "tlbi \(t.operation.rawValue)" + (t.address.map { " \(hex($0))" } ?? "")
    case .configRead(let c): what = "cfg-read \(topology.devices[Int(c.device)].name) \(hex(c.offset)) \(c.size) = \(hex(c.value))"
    case .configWrite(let c): what = "cfg-write \(topology.devices[Int(c.device)].name) \(hex(c.offset)) \(c.size) \(hex(c.value))"
    case .reset(let kind, let device): what = "reset \(kind.rawValue) \(topology.devices[Int(device)].name)"
    case .mark(let mark): what = "mark \(mark.text)"
    }
    return "\(event.time.nanoseconds) \(event.agent) \(what)"
}
