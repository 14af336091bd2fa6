import ArmMemory
import MMIOTrace
import PCIeTransport

/// From the serialisation point to the device and back (DOMAIN.md §1 completion points, §3 PCIe
/// transport; docs/schedules.md for what the adversarial schedule holds).
extension Simulation {
    /// Whether a write is complete once the serialisation point has it: every E type and every
    /// Normal type; an nE write only where nothing further acknowledges it (a platform device on
    /// a system that does not require endpoint acknowledgement).
    func completesAtSerialization(_ t: Transaction) -> Bool {
        guard t.kind == .write || t.kind == .controllerReset else { return false }
        if t.type != .deviceNGnRnE { return true }
        return t.path == .platform && !setup.timing.endpointAcknowledgesWrites
    }

    private func channel(for path: Transaction.Path) -> Int {
        switch path {
        case .mmio: 0
        case .ecam: setup.timing.ecamMMIOOrdered ? 0 : 1
        case .platform: 2
        }
    }

    private func latency(for path: Transaction.Path) -> SimDuration {
        switch path {
        case .mmio: setup.timing.serializationToRootComplex
        case .ecam: setup.timing.serializationToECAM
        case .platform: setup.timing.serializationToPlatformDevice
        }
    }

    mutating func atSerialization(_ id: TransactionID) {
        let t = transactions[id]
        if completesAtSerialization(t) { acknowledge(id, delay: setup.timing.coreToSerialization) }
        let c = channel(for: t.path)
        releaseHeld(channel: c)
        // Adversarial: a write the architecture already considers complete may take "finite
        // time" to go further; hold it at the most damaging point.
        if t.kind == .write, completesAtSerialization(t), decisions.take() {
            held[c].append(id)
            return
        }
        enter(id, channel: c)
    }

    private mutating func enter(_ id: TransactionID, channel c: Int) {
        let t = transactions[id]
        let arrival = max(now + latency(for: t.path), pathTail[c])
        pathTail[c] = arrival
        if t.path == .platform {
            if t.kind == .write {
                queue.schedule(.writeArrives(id, mask: t.mask, last: true, link: -1), at: arrival, priority: .delivery)
            } else {
                let delay = t.kind == .controllerReset ? setup.timing.resetControllerLatency : .zero
                queue.schedule(.requestArrives(id), at: arrival + delay, priority: .delivery)
            }
        } else {
            queue.schedule(.atRootComplex(id), at: arrival, priority: .transport)
        }
    }

    /// Held writes of a path leave, in order, before anything newer enters it.
    mutating func releaseHeld(channel c: Int) {
        guard !held[c].isEmpty else { return }
        let ids = held[c]
        held[c] = []
        for id in ids { enter(id, channel: c) }
    }

    mutating func releaseEverythingHeld() {
        for c in held.indices { releaseHeld(channel: c) }
    }

    /// The acknowledgement (or completion) travels back to the core, arriving after `delay`;
    /// at most once per transaction.
    private mutating func acknowledge(_ id: TransactionID, delay: SimDuration) {
        guard !transactions[id].acknowledged else { return }
        transactions[id].acknowledged = true
        queue.schedule(.completionArrives(id), at: now + delay, priority: .completion)
    }

    // MARK: - Root complex and link

    mutating func atRootComplex(_ id: TransactionID) {
        let t = transactions[id]
        switch t.kind {
        case .write:
            let lineAddress = t.address & ~(BufferLine.lineSize - 1)
            var pieces = scratchPieces  // reused storage: no allocation per write
            scratchPieces = []
            Self.forEachWriteTLP(lineAddress: lineAddress, mask: t.mask, data: t.data, timing: setup.timing) { mask, wireBytes, name in
                pieces.append((mask, wireBytes, name))
            }
            for (i, piece) in pieces.enumerated() {
                countTLP(piece.name, bytes: piece.wireBytes, downstream: true)
                let (arrival, sequence) = transmitDownstream(wireBytes: piece.wireBytes)
                queue.schedule(.writeArrives(id, mask: piece.mask, last: i == pieces.count - 1, link: Int32(sequence)), at: arrival, priority: .delivery)
            }
            pieces.removeAll(keepingCapacity: true)
            scratchPieces = pieces
            // A PCIe memory write is posted: the root complex acknowledges it once ordered onto
            // the link, which is an nE write's completion point.
            acknowledge(id, delay: setup.timing.rootComplexToCore)
        case .read, .speculativeRead:
            let (name, bytes) = readRequestTLP(address: t.address)
            countTLP(name, bytes: bytes, downstream: true)
            let (arrival, sequence) = transmitDownstream(wireBytes: bytes)
            transactions[id].linkSequence = Int32(sequence)
            queue.schedule(.requestArrives(id), at: arrival, priority: .delivery)
        case .configRead, .configWrite, .flr:
            let payload = t.kind == .configRead ? 0 : 4
            countTLP(t.kind == .configRead ? .CfgRd0 : .CfgWr0, bytes: 12 + payload + setup.timing.framingBytesPerTLP, downstream: true)
            let (arrival, sequence) = transmitDownstream(wireBytes: 12 + payload + setup.timing.framingBytesPerTLP)
            transactions[id].linkSequence = Int32(sequence)
            queue.schedule(.requestArrives(id), at: arrival, priority: .delivery)
        case .hotReset:
            // The root port's Secondary Bus Reset acts at the root complex: the link goes down
            // now, whatever is still queued behind it meets a device in reset.
            queue.schedule(.requestArrives(id), at: now, priority: .delivery)
        case .controllerReset:
            queue.schedule(.requestArrives(id), at: now, priority: .delivery)
        }
    }

    /// Transmits `wireBytes` downstream after everything already queued (the link is FIFO, so
    /// nothing passes a posted write); returns the arrival and the TLP's position on the link.
    private mutating func transmitDownstream(wireBytes: Int) -> (SimTime, Int) {
        let start = max(now + setup.timing.rootComplexToLink, linkDownBusy)
        linkDownBusy = start + setup.timing.wireTime(bytes: wireBytes)
        linkSequence += 1
        return (linkDownBusy + setup.timing.linkPropagation, linkSequence - 1)
    }

    /// Transmits a completion upstream; returns its arrival at the root complex.
    private mutating func transmitUpstream(wireBytes: Int, ready: SimTime) -> SimTime {
        let start = max(ready, linkUpBusy)
        linkUpBusy = start + setup.timing.wireTime(bytes: wireBytes)
        return linkUpBusy + setup.timing.linkPropagation
    }

    // MARK: - At the device

    private func regionOffset(_ t: Transaction, byte: UInt64) -> (bar: UInt8, offset: UInt64) {
        guard let region = t.region else { return (0, byte) }
        return (setup.regions[Int(region)].bar, byte - setup.regions[Int(region)].base)
    }

    /// Whether `t` was issued before its device's latest reset began (and so, arriving now,
    /// lands on a device that was reset after the access was made).
    private func afterReset(_ t: Transaction) -> Bool {
        guard let started = resetStarted[Int(t.device)] else { return false }
        return t.issued < started
    }

    private mutating func noteArrivalOrder(_ t: Transaction) {
        let key = UInt64(t.agent) << 16 | UInt64(t.device)
        let last = lastArrivedOrder[key] ?? 0
        if t.programOrder < last {
            hazard("out-of-order", agent: t.agent, device: t.device, region: t.region,
                   offset: t.region.map { t.address - setup.regions[Int($0)].base },
                   "access #\(t.programOrder) arrived after access #\(last) of the same agent")
        }
        lastArrivedOrder[key] = max(last, t.programOrder)
    }

    mutating func writeArrives(_ id: TransactionID, mask: UInt64, last: Bool, link: Int32) {
        let t = transactions[id]
        let lineAddress = t.address & ~(BufferLine.lineSize - 1)
        let first = UInt64(mask.trailingZeroBitCount), end = UInt64(64 - mask.leadingZeroBitCount)
        let (bar, offset) = regionOffset(t, byte: lineAddress + first)
        var value = AccessValue(words: SIMD8())
        for i in 0..<Int(end - first) {
            let byte = Int(first) + i
            value.setByte(i, UInt8(truncatingIfNeeded: t.data[byte >> 3] >> UInt64((byte & 7) * 8)))
        }
        let outcome = endpoints[Int(t.device)].write(bar: bar, offset: offset, size: Int(end - first), byteMask: mask >> first, value: value, at: now)
        noteArrivalOrder(t)
        if t.accesses > 1, outcome.isSizeRejection {
            hazard("merged-size", agent: t.agent, device: t.device, region: t.region, offset: offset,
                   "\(t.accesses) writes merged into one \(end - first)-byte write, which the device answered \(outcome.name)")
        }
        guard roomToObserve() else { return finishWrite(id, last: last) }
        report.deviceView.append(DeviceObservation(timePs: now.picoseconds, device: setup.topology.devices[Int(t.device)].name, kind: "MWr",
                                  agent: agents[Int(t.agent)].agent.description, region: t.region.map { setup.topology.regions[Int($0)].name },
                                  offset: offset, size: Int(end - first), value: value.description, outcome: outcome.name,
                                  programOrder: t.programOrder, accesses: Int(t.accesses), linkSequence: link < 0 ? nil : Int(link),
                                  afterReset: afterReset(t)))
        finishWrite(id, last: last)
    }

    private mutating func finishWrite(_ id: TransactionID, last: Bool) {
        guard last else { return }
        transactions[id].delivered = true
        if transactions[id].path == .platform {
            acknowledge(id, delay: setup.timing.serializationToPlatformDevice + setup.timing.coreToSerialization)
        }
        retireIfDone(id)
    }

    mutating func requestArrives(_ id: TransactionID) {
        let t = transactions[id]
        let recording = roomToObserve()
        let device = recording ? setup.topology.devices[Int(t.device)].name : ""
        let agent = recording ? agents[Int(t.agent)].agent.description : ""
        var observation = DeviceObservation(timePs: now.picoseconds, device: device, kind: "", agent: agent, region: nil,
                                            offset: t.address, size: Int(t.size), value: nil, outcome: "accepted",
                                            programOrder: t.programOrder, accesses: Int(t.accesses),
                                            linkSequence: t.linkSequence < 0 ? nil : Int(t.linkSequence), afterReset: afterReset(t))
        var responseBytes = 0
        switch t.kind {
        case .read, .speculativeRead:
            let (bar, offset) = regionOffset(t, byte: t.address)
            let (status, value) = endpoints[Int(t.device)].read(bar: bar, offset: offset, size: Int(t.size), at: now)
            if t.kind == .read { noteArrivalOrder(t) }
            if recording {
                observation.kind = t.kind == .read ? "MRd" : "MRd (speculative)"
                observation.region = t.region.map { setup.topology.regions[Int($0)].name }
                observation.offset = offset
                observation.outcome = status.abbreviation
                if status == .successful { observation.value = value.description }
            }
            if status == .successful { responseBytes = (Int(t.size) + 3) / 4 * 4 }
        case .configRead, .configWrite:
            let write = t.kind == .configWrite
            let (status, value) = endpoints[Int(t.device)].config(write: write, offset: UInt16(t.address), size: Int(t.size),
                                                                  value: UInt32(truncatingIfNeeded: t.data[0]), at: now)
            observation.kind = write ? "CfgWr" : "CfgRd"
            observation.outcome = status.abbreviation
            observation.value = "0x" + String(write ? t.data[0] : UInt64(value), radix: 16)
            responseBytes = write || status != .successful ? 0 : 4
        case .flr, .hotReset, .controllerReset:
            observation.kind = t.kind == .flr ? "FLR" : t.kind == .hotReset ? "hot-reset" : "controller-reset"
            observation.afterReset = false
            let ready = endpoints[Int(t.device)].reset(at: now)
            resetStarted[Int(t.device)] = now
            queue.schedule(.resetComplete(t.device), at: ready, priority: .resetComplete)
        case .write:
            preconditionFailure("writes arrive through writeArrives")
        }
        if recording { report.deviceView.append(observation) }
        transactions[id].delivered = true
        respond(id, payloadBytes: responseBytes)
    }

    /// Sends the completion (or acknowledgement) of a non-posted request back to its core.
    private mutating func respond(_ id: TransactionID, payloadBytes: Int) {
        let t = transactions[id]
        let ready = now + setup.timing.deviceResponse
        switch t.path {
        case .platform:
            acknowledge(id, delay: setup.timing.deviceResponse + setup.timing.serializationToPlatformDevice + setup.timing.coreToSerialization)
        case .mmio, .ecam:
            if t.kind == .hotReset {
                acknowledge(id, delay: setup.timing.rootComplexToCore)
                return
            }
            let name: TLPName = payloadBytes > 0 ? .CplD : .Cpl
            let bytes = 12 + payloadBytes + setup.timing.framingBytesPerTLP
            countTLP(name, bytes: bytes, downstream: false)
            let atRootComplex = transmitUpstream(wireBytes: bytes, ready: ready)
            acknowledge(id, delay: (atRootComplex - now) + setup.timing.rootComplexToCore)
        }
    }

    mutating func completionArrives(_ id: TransactionID) {
        transactions[id].complete = true
        let a = transactions[id].agent
        if agents[Int(a)].block == .load(id) {
            agents[Int(a)].block = .none
            scheduleStep(a)
        }
        retireIfDone(id)
        recheckBarriers()
    }

    private mutating func retireIfDone(_ id: TransactionID) {
        if transactions[id].complete, transactions[id].delivered { transactions.remove(id) }
    }

    mutating func resetComplete(_ device: DeviceID) {
        if roomToObserve() {
            report.deviceView.append(DeviceObservation(timePs: now.picoseconds, device: setup.topology.devices[Int(device)].name, kind: "ready", agent: "-",
                                  region: nil, offset: 0, size: 0, value: nil, outcome: "ready", programOrder: 0, accesses: 0,
                                  linkSequence: nil, afterReset: false))
        }
        // Adversarial: writes held in the interconnect leave just after the reset completes.
        for c in held.indices where held[c].contains(where: { transactions[$0].device == device }) { releaseHeld(channel: c) }
    }
}
