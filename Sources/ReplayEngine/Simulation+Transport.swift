import ArmMemory
import DeviceModels
import Faults
import MMIOTrace
import PCIeTransport
import Verdicts

/// From the serialisation point to the device and back (docs/domain.md §1 completion points, §3 PCIe
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

    /// The interconnect path a transaction takes (docs/domain.md §3, §10 "paths and links"): each
    /// device has its own (its BARs, or its platform bus target), which its configuration
    /// requests share where the profile orders ECAM behind MMIO; otherwise ECAM is one path of its
    /// own. A reset-controller write goes to the reset controller, another target on another
    /// path. Ordering holds within a path only.
    func channel(for t: Transaction) -> Int {
        switch t.path {
        case .mmio: Self.firstDeviceChannel + Int(t.device)
        case .ecam: setup.timing.ecamMMIOOrdered ? Self.firstDeviceChannel + Int(t.device) : Self.ecamChannel
        case .platform: t.kind == .controllerReset ? Self.resetControllerChannel : Self.firstDeviceChannel + Int(t.device)
        }
    }

    /// The ECAM path, where ECAM is not ordered with MMIO.
    static let ecamChannel = 0
    /// The path to the platform's reset controller.
    static let resetControllerChannel = 1
    /// Device `d`'s path is `firstDeviceChannel + d`.
    static let firstDeviceChannel = 2

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
        let c = channel(for: t)
        releaseHeld(channel: c)
        // Adversarial: a write may take "finite time" to go further (docs/domain.md §10 timing
        // freedom): a complete one, or one no DSB waits for yet (a DSB that comes to wait for it
        // releases it); hold it to the most damaging point.
        let awaited = isAwaited(t)
        if awaited { transactions[id].awaitedByDSB = true }
        if t.kind == .write, completesAtSerialization(t) || !awaited, decisions.take() {
            if held[c].isEmpty { heldPaths.append(c) }
            held[c].append(id)
            if timeline != nil { timelineInterconnect(t, channel: c, until: now, held: true) }
            return
        }
        enter(id, channel: c)
    }

    private mutating func enter(_ id: TransactionID, channel c: Int) {
        let (path, kind) = (transactions[id].path, transactions[id].kind)
        let arrival = max(now + latency(for: path), pathTail[c])
        pathTail[c] = arrival
        if timeline != nil { timelineInterconnect(transactions[id], channel: c, until: arrival) }
        if path == .platform {
            if kind == .write {
                queue.schedule(.writeArrives(mask: transactions[id].mask, id, link: -1, fault: transactions[id].fault), at: arrival, priority: .delivery)
            } else {
                let delay = kind == .controllerReset ? setup.timing.resetControllerLatency : .zero
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
        heldPaths.removeAll { $0 == c }
        for id in ids { enter(id, channel: c) }
    }

    /// Whether a DSB is waiting for `t` now: its own agent's, or one waiting for a TLBI whose
    /// scope covers the mapping `t` went through. Inlined: see ``linkOutage(at:device:)``.
    @inline(__always)
    func isAwaited(_ t: Transaction) -> Bool {
        agentsInDSB.contains { a in a == t.agent || agents[Int(a)].pendingTLBIs.contains { $0.covers(t) } }
    }

    /// Releases every path holding a write that is not complete and that the DSB agent `a` has
    /// just begun waiting for (with the writes held before it in that path: a path is first in,
    /// first out).
    mutating func releaseHeldAwaited(by a: Int32) {
        let scopes = agents[Int(a)].pendingTLBIs
        func awaits(_ t: Transaction) -> Bool {
            !t.complete && (t.agent == a || scopes.contains { $0.covers(t) })
        }
        transactions.update(where: awaits) { $0.awaitedByDSB = true }
        for c in heldPaths where held[c].contains(where: { awaits(transactions[$0]) }) { releaseHeld(channel: c) }
    }

    mutating func releaseEverythingHeld() {
        // Oldest hold first: "finite time" ends for every path, in the order the writes waited.
        while let c = heldPaths.first { releaseHeld(channel: c) }
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
        switch transactions[id].kind {
        case .write:
            writeAtRootComplex(id)
        case .read, .speculativeRead:
            let t = transactions[id]
            let (name, bytes) = readRequestTLP(address: t.address)
            if t.fault < 0 {
                let offset = t.address &- (t.region.map { setup.regions[Int($0)].base } ?? 0)
                transactions[id].fault = faultForTLP(id, offset: offset, request: .memoryRead, bytes: Int(t.size))
            }
            if transactions[id].fault >= 0,
               atRootComplexFault(id, fault: transactions[id].fault, request: .memoryRead, tlp: "\(name)") { return }
            countTLP(name, bytes: bytes, downstream: true)
            if linkOutage(at: now, for: t) != nil { return lostOnLink(id, request: .memoryRead, tlp: "\(name)") }
            let tag = takeTag()
            transactions[id].tag = tag
            let (start, arrival, sequence) = transmitDownstream(wireBytes: bytes, device: t.device)
            if observesTLPs { observeDownstream(requestTLP(t, tag: tag), start: start, arrival: arrival) }
            transactions[id].linkSequence = Int32(sequence)
            queue.schedule(.requestArrives(id), at: arrival, priority: .delivery)
        case .configRead, .configWrite, .flr:
            let t = transactions[id]
            let payload = t.kind == .configRead ? 0 : 4
            let request: RequestKind = t.kind == .configRead ? .configRead : .configWrite
            if t.fault < 0 { transactions[id].fault = faultForTLP(id, offset: t.address, request: request, bytes: Int(t.size)) }
            if transactions[id].fault >= 0,
               atRootComplexFault(id, fault: transactions[id].fault, request: request, tlp: t.requestTLPName) { return }
            if linkOutage(at: now, for: t) != nil {
                return lostOnLink(id, request: request, tlp: t.requestTLPName)
            }
            countTLP(t.kind == .configRead ? .CfgRd0 : .CfgWr0, bytes: 12 + payload + setup.timing.framingBytesPerTLP, downstream: true)
            let tag = takeTag()
            transactions[id].tag = tag
            let (start, arrival, sequence) = transmitDownstream(wireBytes: 12 + payload + setup.timing.framingBytesPerTLP, device: t.device)
            if observesTLPs { observeDownstream(requestTLP(t, tag: tag), start: start, arrival: arrival) }
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

    /// A write's TLPs leave for the link. A PCIe memory write is posted: the root complex
    /// acknowledges it once ordered onto the link, which is an nE write's completion point.
    /// Reads the transaction's fields, not a copy of it (~230 bytes, once per write).
    private mutating func writeAtRootComplex(_ id: TransactionID) {
        acknowledge(id, delay: setup.timing.rootComplexToCore)
        let (address, mask, data, device, carried) = (transactions[id].address, transactions[id].mask, transactions[id].data,
                                                      transactions[id].device, transactions[id].fault)
        let base = transactions[id].region.map { setup.regions[Int($0)].base } ?? 0
        let lineAddress = address & ~(BufferLine.lineSize - 1)
        // The TLPs as pieces (masks, sizes, kinds), on the stack: a line splits into at most 16
        // (one per DW). A TLP itself is built only for observers.
        withUnsafeTemporaryAllocation(of: MemoryWriteSplitter.Piece.self, capacity: 16) { pieces in
            var count = 0
            MemoryWriteSplitter.pieces(address: lineAddress, byteMask: mask, limits: TransferLimits(maxPayloadSize: setup.timing.maxPayload)) {
                pieces.initializeElement(at: count, to: $0)
                count += 1
            }
            transactions[id].piecesLeft = UInt8(count)
            for piece in pieces[..<count] {
                let name: TLPName = piece.kind == .memoryWrite32 ? .MWr32 : .MWr64
                let wireBytes = piece.byteCountWithoutFraming + setup.timing.framingBytesPerTLP
                var fault = carried
                if fault < 0 {
                    let offset = lineAddress + UInt64(piece.byteMask.trailingZeroBitCount) &- base
                    fault = faultForTLP(id, offset: offset, request: .memoryWrite, bytes: piece.byteMask.nonzeroBitCount)
                }
                if fault >= 0, atRootComplexFault(id, fault: fault, request: .memoryWrite, tlp: "\(name)") { continue }
                countTLP(name, bytes: wireBytes, downstream: true)
                if linkOutage(at: now, device: device) != nil {
                    lostOnLink(id, request: .memoryWrite, tlp: "\(name)")
                    continue
                }
                let (start, arrival, sequence) = transmitDownstream(wireBytes: wireBytes, device: device)
                if observesTLPs {
                    var tlp = MemoryWriteSplitter.tlp(piece, address: lineAddress, byteMask: mask, data: data, requester: Self.rootPortID)
                    if fault >= 0, faults[Int(fault)].fault.kind.error(on: .memoryWrite) == .poisonedWrite { tlp.isPoisoned = true }
                    observeDownstream(tlp, start: start, arrival: arrival)
                }
                queue.schedule(.writeArrives(mask: piece.byteMask, id, link: Int32(sequence), fault: fault), at: arrival, priority: .delivery)
            }
        }
    }

    /// Transmits `wireBytes` downstream after everything already queued (the link is FIFO, so
    /// nothing passes a posted write); returns when the TLP starts on the link, when it arrives
    /// and its position on the link. Observers are told by ``observeDownstream(_:start:arrival:)``
    /// (a TLP is built only for them).
    private mutating func transmitDownstream(wireBytes: Int, device: DeviceID) -> (start: SimTime, arrival: SimTime, sequence: Int) {
        let port = setup.rootPort[Int(device)]
        let start = max(now + setup.timing.rootComplexToLink, linkDownBusy[port])
        linkDownBusy[port] = start + setup.timing.wireTime(bytes: wireBytes)
        linkSequence[port] += 1
        return (start, linkDownBusy[port] + setup.timing.linkPropagation, linkSequence[port] - 1)
    }

    /// Shows a TLP sent downstream to the TLP observer and the timeline.
    private func observeDownstream(_ tlp: TLP, start: SimTime, arrival: SimTime) {
        tlpObserver?.observe(tlp, downstream: true, timePs: start.picoseconds)
        if timeline != nil { timelineTLP(tlp, downstream: true, start: start, arrival: arrival) }
    }

    /// Transmits a completion or message upstream; returns its arrival at the root complex.
    private mutating func transmitUpstream(wireBytes: Int, ready: SimTime, tlp: TLP? = nil, device: DeviceID) -> SimTime {
        let port = setup.rootPort[Int(device)]
        let start = max(ready, linkUpBusy[port])
        if let tlp { tlpObserver?.observe(tlp, downstream: false, timePs: start.picoseconds) }
        linkUpBusy[port] = start + setup.timing.wireTime(bytes: wireBytes)
        let arrival = linkUpBusy[port] + setup.timing.linkPropagation
        if timeline != nil { timelineTLP(tlp, downstream: false, start: start, arrival: arrival) }
        return arrival
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

    /// Judges arrival order per CPU access carried (docs/domain.md §1 arrival order): a TLP of a
    /// gathered line carries the accesses that wrote its bytes (`mask`, within the line), each
    /// with its own program order; a plain access carries one.
    private mutating func noteArrivalOrder(_ t: Transaction, mask: UInt64 = 0) {
        var first = t.programOrder, latest = t.programOrder
        if t.accesses > 1, mask != 0 {
            let (lowest, highest) = t.byteOrders.extremes(selectedBy: mask)
            first = t.programOrder + UInt64(lowest)
            latest = t.programOrder + UInt64(highest)
        }
        let key = UInt64(UInt32(bitPattern: t.agent)) << 32 | UInt64(t.device)
        let last = lastArrivedOrder.update(key, default: 0) { Self.exchangeMax(&$0, latest) }
        if first < last {
            hazard(.outOfOrder, agent: t.agent, device: t.device, region: t.region,
                   offset: t.region.map { t.address - setup.regions[Int($0)].base },
                   "access #\(first) arrived after access #\(last) of the same agent")
        }
    }

    /// Raises `value` to at least `candidate`; returns what it was.
    private static func exchangeMax(_ value: inout UInt64, _ candidate: UInt64) -> UInt64 {
        defer { value = max(value, candidate) }
        return value
    }

    mutating func writeArrives(_ id: TransactionID, mask: UInt64, link: Int32, fault: Int32) {
        let t = transactions[id]
        if t.path != .platform, linkOutage(at: now, for: t) != nil {
            return lostOnLink(id, request: .memoryWrite, tlp: "MWr")
        }
        if afterReset(t) { report.summary.arrivalsAfterReset += 1 }
        let lineAddress = t.address & ~(BufferLine.lineSize - 1)
        let first = UInt64(mask.trailingZeroBitCount), end = UInt64(64 - mask.leadingZeroBitCount)
        let (bar, offset) = regionOffset(t, byte: lineAddress + first)
        let value = AccessValue(bytesOf: t.data, from: Int(first), count: Int(end - first))
        if fault >= 0, let kind = injectedWriteError(fault) {
            noteArrivalOrder(t, mask: mask)
            incident(kind, on: t, request: .memoryWrite, offset: offset, size: Int(end - first), tlp: "MWr", fault: fault,
                     respondedAt: nil, messageAt: errorMessageArrival(t, fatal: kind.defaultSeverity == .fatal))
            if roomToObserve() {
                observeDevice(DeviceObservation(timePs: now.picoseconds, device: setup.topology.devices[Int(t.device)].name, kind: .memoryWrite,
                                                agent: agents[Int(t.agent)].agent.description,
                                                region: t.region.map { setup.topology.regions[Int($0)].name }, offset: offset,
                                                size: Int(end - first), value: value.description, outcome: DeviceOutcome(.injectedWriteError(kind)),
                                                programOrder: t.programOrder, accesses: Int(t.accesses),
                                                linkSequence: link < 0 ? nil : Int(link), afterReset: afterReset(t)), device: t.device)
            }
            return finishWrite(id)
        }
        let outcome = endpoints[Int(t.device)].write(bar: bar, offset: offset, size: Int(end - first), byteMask: mask >> first, value: value, at: now)
        noteArrivalOrder(t, mask: mask)
        if case .unsupported(let response, let aer) = outcome.outcome {
            incident(response.error, on: t, request: .memoryWrite, offset: offset, size: Int(end - first),
                     tlp: "MWr", fault: -1, severity: aer.severity, masked: aer.masked,
                     respondedAt: nil, messageAt: aer.masked ? nil : errorMessageArrival(t, fatal: aer.severity == .fatal))
        }
        if fault >= 0 { correctableNoted(t, fault: fault, offset: offset) }
        checkReclaimedWrite(t, offset: offset, size: Int(end - first), discarded: { if case .discardedDuringFLR = outcome.outcome { true } else { false } }())
        if t.accesses > 1, outcome.isSizeRejection {
            hazard(.mergedSize, agent: t.agent, device: t.device, region: t.region, offset: offset,
                   "\(t.accesses) writes merged into one \(end - first)-byte write, which the device answered \(outcome.deviceOutcome)")
        }
        guard roomToObserve() else { return finishWrite(id) }
        observeDevice(DeviceObservation(timePs: now.picoseconds, device: setup.topology.devices[Int(t.device)].name, kind: .memoryWrite,
                                  agent: agents[Int(t.agent)].agent.description, region: t.region.map { setup.topology.regions[Int($0)].name },
                                  offset: offset, size: Int(end - first), value: value.description, outcome: outcome.deviceOutcome,
                                  programOrder: t.programOrder, accesses: Int(t.accesses), linkSequence: link < 0 ? nil : Int(link),
                                  afterReset: afterReset(t)), device: t.device)
        finishWrite(id)
    }

    /// One TLP of a write is done with (delivered, or ended before the device); the write is
    /// delivered once all of them are, whatever order they end in (a piece lost at the root
    /// complex may end before earlier pieces reach the device).
    mutating func finishWrite(_ id: TransactionID) {
        transactions[id].piecesLeft -= 1
        guard transactions[id].piecesLeft == 0 else { return }
        transactions[id].delivered = true
        if transactions[id].path == .platform {
            acknowledge(id, delay: setup.timing.serializationToPlatformDevice + setup.timing.coreToSerialization)
        }
        retireIfDone(id)
    }

    mutating func requestArrives(_ id: TransactionID) {
        let t = transactions[id]
        if t.path != .platform, t.kind != .hotReset, t.cutByLink >= 0 || linkOutage(at: now, for: t) != nil {
            return lostOnLink(id, request: t.request, tlp: t.requestTLPName, cutBy: t.cutByLink)
        }
        var injected: FaultKind?
        if t.fault >= 0 {
            injected = faults[Int(t.fault)].fault.kind
            if let error = injected?.error(on: t.request), [.completionTimeout, .malformedTLP, .ecrc].contains(error) {
                // The device discards the request: no completion ever comes.
                transactions[id].delivered = true
                queue.schedule(.completionTimeout(id, fault: t.fault, error: UInt8(ErrorKind.allCases.firstIndex(of: error)!)),
                               at: now + .nanoseconds(UInt64(max(setup.errors.completionTimeout, 0))), priority: .completion)
                return
            }
        }
        // An injected UR or CA replaces the device's own completion status.
        let injectedStatus = injected?.error(on: t.request)?.completionStatus
        let recording = roomToObserve()
        let device = recording ? setup.topology.devices[Int(t.device)].name : ""
        let agent = recording ? agents[Int(t.agent)].agent.description : ""
        var observation = DeviceObservation(timePs: now.picoseconds, device: device, kind: .memoryRead, agent: agent, region: nil,
                                            offset: t.address, size: Int(t.size), value: nil, outcome: DeviceOutcome(.accepted),
                                            programOrder: t.programOrder, accesses: Int(t.accesses),
                                            linkSequence: t.linkSequence < 0 ? nil : Int(t.linkSequence), afterReset: afterReset(t))
        var responseBytes = 0
        var completionStatus = CompletionStatus.successful
        var completionData = SIMD8<UInt64>()
        switch t.kind {
        case .read, .speculativeRead:
            let (bar, offset) = regionOffset(t, byte: t.address)
            var (status, value) = endpoints[Int(t.device)].read(bar: bar, offset: offset, size: Int(t.size), at: now)
            if let injectedStatus { status = injectedStatus }
            if t.kind == .read { noteArrivalOrder(t) }
            if t.hasRecordedValue, status == .successful { compareRead(t, offset: offset, answered: value) }
            if recording {
                observation.kind = t.kind == .read ? .memoryRead : .speculativeRead
                observation.region = t.region.map { setup.topology.regions[Int($0)].name }
                observation.offset = offset
                if status == .successful { observation.value = value.description }
            }
            if status == .successful { responseBytes = (Int(t.size) + 3) / 4 * 4 }
            completionStatus = status
            completionData = value.words
        case .configRead, .configWrite:
            let write = t.kind == .configWrite
            if write { newContextEpoch() }  // the device's error reporting may change (AER masks)
            var (status, value) = endpoints[Int(t.device)].config(write: write, offset: UInt16(t.address), size: Int(t.size),
                                                                  value: UInt32(truncatingIfNeeded: t.data[0]), at: now)
            if let injectedStatus { status = injectedStatus }
            if t.hasRecordedValue, status == .successful { compareRead(t, offset: t.address, answered: AccessValue(UInt64(value))) }
            if write, let ready = endpoints[Int(t.device)].resetStarted(at: now) {
                // The write set Initiate FLR: the function resets itself (the guest's own FLR
                // when a vCPU asked for it).
                deviceReset(t.device, requestedBy: t.agent, ready: ready)
            }
            observation.kind = write ? .configWrite : .configRead
            observation.value = "0x" + String(write ? t.data[0] : UInt64(value), radix: 16)
            responseBytes = write || status != .successful ? 0 : 4
            completionStatus = status
            completionData[0] = UInt64(value)
        case .flr, .hotReset, .controllerReset:
            observation.kind = t.kind == .flr ? .flr : t.kind == .hotReset ? .hotReset : .controllerReset
            observation.afterReset = false
            newContextEpoch()
            deviceReset(t.device, requestedBy: t.agent, ready: endpoints[Int(t.device)].reset(at: now))
        case .write:
            preconditionFailure("writes arrive through writeArrives")
        }
        if t.kind != .flr, t.kind != .hotReset, t.kind != .controllerReset {
            observation.outcome.answer = .completion(completionStatus)
            if observation.afterReset { report.summary.arrivalsAfterReset += 1 }
        }
        if recording {
            observation.outcome.injected = injected
            observeDevice(observation, device: t.device)
        }
        transactions[id].delivered = true
        let poisoned = injected?.error(on: t.request) == .poisonedCompletion
        let completedAt = respond(id, payloadBytes: responseBytes, status: completionStatus, data: completionData, poisoned: poisoned)
        requestErrors(t, status: completionStatus, injected: injected, completedAt: completedAt)
    }

    /// Compares a read's recorded value with the device's answer (docs/device-models.md).
    private mutating func compareRead(_ t: Transaction, offset: UInt64, answered: AccessValue) {
        report.summary.reads.compared += 1
        let recorded = AccessValue(words: t.data)
        guard !AccessValue.equal(recorded, answered, size: Int(t.size)) else { return }
        report.summary.reads.differing += 1
        let key = ReadPlace(device: t.device, region: t.region.map(Int32.init) ?? -1, offset: offset)
        let device = setup.topology.devices[Int(t.device)].name
        let region = t.region.map { setup.topology.regions[Int($0)].name }
        if let index = divergingPlaces[key] {
            report.summary.reads.registers[index].count += 1
        } else {
            divergingPlaces[key] = report.summary.reads.registers.count
            report.summary.reads.registers.append(RegisterDivergence(device: device, region: region, offset: offset, count: 1))
        }
        if report.summary.reads.examples.count < ReadComparison.examplesKept {
            report.summary.reads.examples.append(ReadDivergence(timePs: now.picoseconds, device: device, agent: agents[Int(t.agent)].agent.description,
                                                                region: region, offset: offset, size: Int(t.size),
                                                                recorded: recorded.description, answered: answered.description))
        }
    }

    /// Records a reset of `device` that reached it now, requested by agent `a`, and schedules
    /// its completion.
    private mutating func deviceReset(_ device: DeviceID, requestedBy a: Int32, ready: SimTime) {
        resetStarted[Int(device)] = now
        resets.append(ResetRecord(device: device, start: now, ready: ready, requester: issuer(of: a)))
        queue.schedule(.resetComplete(device), at: ready, priority: .resetComplete)
    }

    /// Turns an errored non-posted request into an incident: the device model's own UR/CA, or
    /// an injected fault.
    private mutating func requestErrors(_ t: Transaction, status: CompletionStatus, injected: FaultKind?, completedAt: SimTime) {
        let request = t.request
        let offset = requestOffset(t)
        let tlp = t.requestTLPName
        // The injected error where it acts on the completion; otherwise the status says
        // whether the device answered an error of its own (CRS is none).
        var error = ErrorKind(status)
        if injected == .correctable { correctableNoted(t, fault: t.fault, offset: offset) }
        if let injectedError = injected?.error(on: request),
           [.unsupportedRequest, .completerAbort, .poisonedCompletion, .unexpectedCompletion].contains(injectedError) {
            error = injectedError
        }
        guard let error, t.kind != .flr, t.kind != .hotReset, t.kind != .controllerReset else { return }
        incident(error, on: t, request: request, offset: offset, size: Int(t.size), tlp: tlp, fault: injected == nil ? -1 : t.fault,
                 respondedAt: completedAt, messageAt: error == .unexpectedCompletion ? errorMessageArrival(t) : nil)
    }

    /// A request the device discarded: the root complex's Completion Timeout ends it.
    mutating func completionTimedOut(_ id: TransactionID, fault: Int32, error: UInt8) {
        let t = transactions[id]
        let request = t.request
        incident(ErrorKind.allCases[Int(error)], on: t, request: request, offset: requestOffset(t), size: Int(t.size),
                 tlp: t.requestTLPName, fault: fault,
                 respondedAt: now + setup.timing.rootComplexToCore, messageAt: nil)
        acknowledge(id, delay: setup.timing.rootComplexToCore)
    }

    /// Sends the completion (or acknowledgement) of a non-posted request back to its core;
    /// returns when it arrives there.
    @discardableResult
    /// - Parameter poisoned: An injected poisoned completion: the observed TLP carries EP.
    private mutating func respond(_ id: TransactionID, payloadBytes: Int, status: CompletionStatus = .successful,
                                  data: SIMD8<UInt64> = SIMD8(), poisoned: Bool = false) -> SimTime {
        let t = transactions[id]
        let ready = now + setup.timing.deviceResponse
        let delay: SimDuration
        switch t.path {
        case .platform:
            delay = setup.timing.deviceResponse + setup.timing.serializationToPlatformDevice + setup.timing.coreToSerialization
        case .mmio, .ecam:
            if t.kind == .hotReset {
                delay = setup.timing.rootComplexToCore
            } else {
                let name: TLPName = payloadBytes > 0 ? .CplD : .Cpl
                let bytes = 12 + payloadBytes + setup.timing.framingBytesPerTLP
                countTLP(name, bytes: bytes, downstream: false)
                var completion: TLP?
                if observesTLPs {
                    let completer = deviceID(t.device)
                    let count = max(Int(t.size), 1)
                    completion = payloadBytes > 0
                        ? .completionWithData(completer: completer, requester: Self.rootPortID, tag: t.tag, byteCount: count,
                                              lowerAddress: UInt8(truncatingIfNeeded: t.address & 0x7f),
                                              payload: TLPPayload(words: data, count: payloadBytes))
                        : .completion(status: status, completer: completer, requester: Self.rootPortID, tag: t.tag,
                                      byteCount: t.kind == .configWrite || t.kind == .flr ? 4 : count)
                    completion?.isPoisoned = poisoned
                }
                let atRootComplex = transmitUpstream(wireBytes: bytes, ready: ready, tlp: completion, device: t.device)
                delay = (atRootComplex - now) + setup.timing.rootComplexToCore
            }
        }
        acknowledge(id, delay: delay)
        return now + delay
    }

    /// When an error message (ERR_*) the device `t` went to sends now reaches the root port.
    mutating func errorMessageArrival(_ t: Transaction, fatal: Bool = false) -> SimTime {
        let bytes = 16 + setup.timing.framingBytesPerTLP
        countTLP(.Msg, bytes: bytes, downstream: false)
        let message: TLP? = observesTLPs ? .message(fatal ? .errorFatal : .errorNonFatal, requester: deviceID(t.device)) : nil
        return transmitUpstream(wireBytes: bytes, ready: now + setup.timing.deviceResponse, tlp: message, device: t.device)
    }

    /// The write error an injected fault makes the device answer, if it acts on the write itself.
    func injectedWriteError(_ fault: Int32) -> ErrorKind? {
        guard let error = faults[Int(fault)].fault.kind.error(on: .memoryWrite),
              [.unsupportedRequest, .completerAbort, .poisonedWrite, .ecrc, .malformedTLP].contains(error) else { return nil }
        return error
    }

    /// A fault the root complex itself acts on (a link fault starting now, a decode miss);
    /// returns whether the TLP went no further.
    mutating func atRootComplexFault(_ id: TransactionID, fault: Int32, request: RequestKind, tlp: String) -> Bool {
        switch faults[Int(fault)].fault.kind {
        case .linkDown, .dpc:
            let t = transactions[id]
            if linkOutage(at: now, for: t) == nil { linkFault(fault, port: setup.rootPort[Int(t.device)]) }
            return false
        case .decodeMiss:
            let t = transactions[id]
            let offset = requestOffset(t)
            incident(.decodeMiss, on: t, request: request, offset: offset, size: Int(t.size), tlp: tlp, fault: fault,
                     respondedAt: now + setup.timing.rootComplexToCore, messageAt: nil)
            endAtRootComplex(id, request: request)
            return true
        default:
            return false
        }
    }

    /// A TLP lost because the link is down (or contained by DPC), or was cut off by the outage
    /// of `cutBy` while on its way.
    mutating func lostOnLink(_ id: TransactionID, request: RequestKind, tlp: String, cutBy: Int32 = -1) {
        guard let fault = cutBy >= 0 ? cutBy : linkOutage(at: now, for: transactions[id]) else { return }
        let t = transactions[id]
        let offset = requestOffset(t)
        let error: ErrorKind = faults[Int(fault)].fault.kind == .dpc ? .dpc : .linkDown
        incident(error, on: t, request: request, offset: offset, size: Int(t.size), tlp: tlp, fault: fault,
                 respondedAt: now + setup.timing.rootComplexToCore, messageAt: nil)
        endAtRootComplex(id, request: request)
    }

    /// A request the root complex ends itself: a write goes no further; a non-posted request is
    /// completed back to its core (with the error the rules chose).
    private mutating func endAtRootComplex(_ id: TransactionID, request: RequestKind) {
        if request == .memoryWrite {
            finishWrite(id)
        } else {
            transactions[id].delivered = true
            acknowledge(id, delay: setup.timing.rootComplexToCore)
        }
    }

    /// A correctable error (injected) is logged and ignored: ERR_COR, handled by the host's AER
    /// driver without any action.
    mutating func correctableNoted(_ t: Transaction, fault: Int32, offset: UInt64) {
        guard fault >= 0, faults[Int(fault)].fault.kind == .correctable else { return }
        faults[Int(fault)].incidents += 1
        record(IncidentRules.correctable().prepending(accessEvidence(t, offset: offset, size: Int(t.size), tlp: "TLP")),
               into: verdictTemplate(t, offset: offset, origin: .injected, fault: fault))
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
        newContextEpoch()
        if let start = resetStarted[Int(device)] { timelineReset(of: device, from: start) }
        if roomToObserve() {
            observeDevice(DeviceObservation(timePs: now.picoseconds, device: setup.topology.devices[Int(device)].name, kind: .ready, agent: "-",
                                  region: nil, offset: 0, size: 0, value: nil, outcome: DeviceOutcome(.ready), programOrder: 0, accesses: 0,
                                  linkSequence: nil, afterReset: false), device: device)
        }
        // Adversarial: writes held in the interconnect leave just after the reset completes.
        for c in heldPaths where held[c].contains(where: { transactions[$0].device == device }) { releaseHeld(channel: c) }
    }
}
