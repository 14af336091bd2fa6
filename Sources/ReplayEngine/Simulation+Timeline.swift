import MMIOTrace
import PCIeTransport

/// What the replay tells a ``TimelineObserver``. Every function returns at once when nobody
/// observes, so the hot path builds no strings; hot call sites test `timeline != nil` first, so
/// that not even their arguments are copied.
extension Simulation {
    /// Whether TLPs are built as values (for the pcap observer or the timeline).
    var observesTLPs: Bool { tlpObserver != nil || timeline != nil }

    private func agentName(_ a: Int32) -> String { agents[Int(a)].agent.description }

    private func deviceName(_ d: DeviceID) -> String { setup.topology.devices[Int(d)].name }

    private func hex(_ value: UInt64) -> String { "0x" + String(value, radix: 16) }

    /// A program event that makes no transaction of its own, as an instant on its agent's track.
    func timelineProgramEvent(_ event: TraceEvent, agent a: Int32) {
        guard let timeline else { return }
        let topology = setup.topology
        let name: String
        switch event.kind {
        case .read, .write, .configRead, .configWrite: return
        case .barrier(.dmb(let domain, let accesses)): name = "dmb \(domain.spelling)\(accesses.suffix)"
        case .barrier(.dsb(let domain, let accesses)): name = "dsb \(domain.spelling)\(accesses.suffix)"
        case .barrier(.isb): name = "isb"
        case .guestExit: name = "exit"
        case .guestEntry: name = "entry"
        case .teardown(let vm): name = "teardown vm\(vm)"
        case .unmap(let region, let vm): name = "unmap \(topology.regions[Int(region)].name) vm\(vm)"
        case .tlbi(let tlbi): name = "tlbi \(tlbi.operation.rawValue) vm\(tlbi.vm)" + (tlbi.address.map { " " + hex($0) } ?? "")
        case .reset(let kind, let device): name = "reset \(kind.rawValue) \(deviceName(device))"
        case .mark(let mark): name = "mark \(mark.text)"
        }
        timeline.record(TimelineEntry(track: .agent(Int(a)), trackName: agentName(a), name: name, category: "program",
                                      startPs: now.picoseconds, details: ["trace time (ns)": "\(event.time.nanoseconds)"]))
    }

    /// A buffered line leaving its core: a span from its first store until now.
    func timelineBufferedLine(_ line: BufferLine, agent a: Int32) {
        guard let timeline else { return }
        let kind = line.type.isCacheable ? "dirty line" : "write-combined line"
        timeline.record(TimelineEntry(track: .writeBuffer(Int(a)), trackName: "write buffer \(agentName(a))", name: "\(kind) \(hex(line.lineAddress))",
                                      category: "write-buffer", startPs: line.firstWrite.picoseconds, endPs: now.picoseconds,
                                      details: ["bytes": "\(line.mask.nonzeroBitCount)", "stores": "\(line.accesses)",
                                                "type": line.type.description]))
    }

    /// A transaction crossing a path from the serialisation point, until `arrival`.
    func timelineInterconnect(_ t: Transaction, channel c: Int, until arrival: SimTime, held: Bool = false) {
        guard let timeline else { return }
        let path = switch c {
        case Self.ecamChannel: "ecam"
        case Self.resetControllerChannel: "reset controller"
        default: (t.path == .platform ? "platform " : setup.timing.ecamMMIOOrdered ? "mmio+ecam " : "mmio ") + deviceName(t.device)
        }
        timeline.record(TimelineEntry(track: .interconnect(c), trackName: "interconnect \(path)",
                                      name: held ? "held \(t.kind) \(hex(t.address))" : "\(t.kind) \(hex(t.address))",
                                      category: "interconnect", startPs: now.picoseconds, endPs: held ? nil : arrival.picoseconds,
                                      details: ["agent": agentName(t.agent), "device": deviceName(t.device), "type": t.type.description,
                                                "program order": "\(t.programOrder)"]))
    }

    /// A TLP on the link, from the start of its transmission until it arrives.
    func timelineTLP(_ tlp: TLP?, downstream: Bool, start: SimTime, arrival: SimTime) {
        guard let timeline, let tlp else { return }
        var name = tlp.kind.mnemonic
        switch tlp.kind {
        case .memoryRead32, .memoryRead64, .memoryWrite32, .memoryWrite64: name += " " + hex(tlp.address)
        case .configRead0, .configWrite0: name += " " + hex(UInt64(tlp.register))
        case .completion, .completionWithData: name += " \(tlp.completionStatus.abbreviation)"
        case .message, .messageWithData: name += " \(tlp.messageCode)"
        }
        timeline.record(TimelineEntry(track: downstream ? .linkDownstream : .linkUpstream, trackName: downstream ? "link ↓ (to device)" : "link ↑ (to root complex)",
                                      name: name, category: "tlp", startPs: start.picoseconds, endPs: arrival.picoseconds,
                                      details: ["length (DW)": "\(tlp.length)", "tag": "\(tlp.tag)"]))
    }

    /// What a device received (or did), as an instant on its track.
    func timelineDevice(_ observation: DeviceObservation, device: DeviceID) {
        guard let timeline else { return }
        let at = observation.region.map { "\($0)+\(hex(observation.offset))" } ?? hex(observation.offset)
        timeline.record(TimelineEntry(track: .device(Int(device)), trackName: observation.device,
                                      name: observation.kind == .ready ? "ready" : "\(observation.kind.rawValue) \(at)", category: "device",
                                      startPs: observation.timePs,
                                      details: ["agent": observation.agent, "value": observation.value ?? "-", "outcome": observation.outcome.description]))
    }

    /// A device's reset, from its start until it is ready again.
    func timelineReset(of device: DeviceID, from start: SimTime) {
        guard let timeline else { return }
        timeline.record(TimelineEntry(track: .device(Int(device)), trackName: deviceName(device), name: "reset", category: "reset",
                                      startPs: start.picoseconds, endPs: now.picoseconds))
    }

    /// An injected fault firing.
    func timelineFault(_ index: Int) {
        guard let timeline else { return }
        timeline.record(TimelineEntry(track: .outcomes, trackName: "faults and verdicts", name: "fault \(faults[index].fault)",
                                      category: "fault", startPs: now.picoseconds))
    }

    /// A verdict, with its rule chain.
    func timelineVerdict(_ verdict: VerdictReport) {
        guard let timeline else { return }
        timeline.record(TimelineEntry(track: .outcomes, trackName: "faults and verdicts", name: "verdict \(verdict.verdict.name)",
                                      category: "verdict", startPs: verdict.timePs,
                                      details: ["fault": verdict.fault ?? "-", "agent": verdict.agent, "contained": "\(verdict.contained)",
                                                "chain": verdict.chain]))
    }
}
