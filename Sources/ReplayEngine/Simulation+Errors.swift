import ArmMemory
import DeviceModels
import Faults
import MMIOTrace
import PCIeTransport
import Platforms
import Verdicts

/// Injected faults and the device models' own errors, turned into containment verdicts
/// (docs/domain.md §4, docs/verdicts.md): the engine supplies what the rules cannot know on their
/// own: which access an error hit, its effective type, and where the issuing CPU is when an
/// asynchronous signal arrives.
extension Simulation {
    // MARK: - Fault sites

    /// The fault (index) that fires on a TLP of `t` covering `offset` (`bytes` long), if any: the
    /// first listed fault whose site matches and whose occurrence counter fires.
    mutating func faultForTLP(_ id: TransactionID, offset: UInt64, request: RequestKind, bytes: Int) -> Int32 {
        if siteLog != nil { logSite(transactions[id], offset: offset, request: request, bytes: bytes) }
        guard hasTLPFaults else { return -1 }
        let device = setup.topology.devices[Int(transactions[id].device)]
        let regionName = transactions[id].region.map { setup.topology.regions[Int($0)].name }
        for i in faults.indices where !faults[i].isTimeOrEvent {
            guard faults[i].fault.counts(tlpRegion: regionName, offset: offset, device: device.name, bdf: device.bdf, request: request),
                  faults[i].counter.fires() else { continue }
            faults[i].fired += 1
            timelineFault(i)
            return Int32(i)
        }
        return -1
    }

    /// Faults sited at the `number`th event: link faults trigger now; others wait for the next
    /// transaction of the agent that issued the event.
    mutating func faultsAtEvent(_ number: Int, agent a: Int32) {
        for i in faults.indices {
            guard case .event(let n) = faults[i].fault.site, n == number else { continue }
            faults[i].fired += 1
            timelineFault(i)
            if faults[i].fault.kind.isLinkEvent {
                linkFault(Int32(i))
            } else {
                agents[Int(a)].pendingFault = Int32(i)
            }
        }
    }

    /// Schedules the faults sited at a time.
    mutating func scheduleTimedFaults() {
        for i in faults.indices {
            guard case .time(let ns) = faults[i].fault.site else { continue }
            queue.schedule(.linkFault(Int32(i)), at: SimTime(nanoseconds: ns), priority: .transport)
        }
    }

    /// The link below root port `port` goes down (surprise down) or DPC contains it, for the
    /// fault's duration; every root port's link when the fault names no TLP (a time or an event).
    mutating func linkFault(_ i: Int32, port: Int? = nil) {
        newContextEpoch()
        if case .time = faults[Int(i)].fault.site {
            faults[Int(i)].fired += 1
            timelineFault(Int(i))
        }
        let until = faults[Int(i)].fault.duration.map { now + .nanoseconds($0) } ?? .never
        for p in port.map({ [$0] }) ?? Array(linkDown.indices) {
            linkDown[p] = LinkOutage(fault: i, from: now, until: until)
        }
        cutRequestsInFlight(by: i, port: port)
    }

    /// Surprise down or DPC ends the non-posted requests the root complex accepted onto the link
    /// and has not completed (docs/domain.md §3, §10 "paths and links"): a request still on its
    /// way down is lost when it would arrive; one the device already has gets no completion, so
    /// the root complex completes it now with UR or CA (the rules decide which).
    mutating func cutRequestsInFlight(by fault: Int32, port: Int?) {
        for id in Array(transactions.ids) {
            let t = transactions[id]
            guard t.path != .platform, t.linkSequence >= 0, !t.complete, t.cutByLink < 0, t.request != .memoryWrite,
                  port.map({ $0 == setup.rootPort[Int(t.device)] }) ?? true else { continue }
            transactions[id].cutByLink = fault
            guard t.delivered else { continue }
            incident(faults[Int(fault)].fault.kind == .dpc ? .dpc : .linkDown, on: t, request: t.request, offset: requestOffset(t), size: Int(t.size),
                     tlp: t.requestTLPName, fault: fault, respondedAt: now + setup.timing.rootComplexToCore, messageAt: nil)
        }
    }

    /// Whether the link of `t`'s device is down now (for the outage's fault, if so).
    func linkOutage(at time: SimTime, for t: Transaction) -> Int32? { linkOutage(at: time, device: t.device) }

    /// Inlined: every write and read asks, and a call from a mutating method copies the whole
    /// simulation first (as it does for any non-mutating method the optimiser leaves out of line).
    @inline(__always)
    func linkOutage(at time: SimTime, device: DeviceID) -> Int32? {
        guard let outage = linkDown[setup.rootPort[Int(device)]], outage.from <= time, time < outage.until else { return nil }
        return outage.fault
    }

    // MARK: - Incidents

    /// Who agent `a` is, as the verdict rules name issuers.
    func issuer(of a: Int32) -> Issuer {
        switch agents[Int(a)].agent.role {
        case .vcpu: .guestVCPU
        case .vmm: .vmm
        case .host: .host
        }
    }

    /// Where request `t` strikes: the offset in its region, or its configuration-space offset.
    func requestOffset(_ t: Transaction) -> UInt64 {
        t.region.map { t.address - setup.regions[Int($0)].base } ?? t.address
    }

    /// Describes the access an error hit, as the first links of its evidence chain: the access,
    /// its attributes (stage 1, stage 2, effective type) and its TLP.
    func accessEvidence(_ t: Transaction, offset: UInt64, size: Int, tlp: String) -> [Evidence] {
        let agent = agents[Int(t.agent)].agent
        let direction: AccessRules.Direction = switch t.kind {
        case .write, .configWrite, .flr, .hotReset, .controllerReset: .write
        case .read, .configRead: .read
        case .speculativeRead: .speculativeRead
        }
        let place = t.region.map { "\(setup.topology.regions[Int($0)].name)+0x\(String(offset, radix: 16))" }
            ?? "cfg \(setup.topology.devices[Int(t.device)].name)+0x\(String(offset, radix: 16))"
        var evidence = [AccessRules.access(agent: agent.description, timeNs: now.nanoseconds, direction: direction, size: size, place: place)]
        if let region = t.region, agent.role == .vcpu {
            let kind = setup.topology.regions[Int(region)].kind
            let vmm = setup.stage1Type(of: region, in: .vmm(vm: agent.vm))
            if let decision = setup.kernelDecisions[Int(region)] { evidence.append(KernelRules.stage2(decision, policy: setup.policy.name)) }
            evidence.append(AccessRules.combining(policy: setup.policy.name, region: kind,
                                                  stage1: setup.stage1Type(of: region, in: agent.addressSpace),
                                                  stage2: setup.stage2Attribute(of: region, vmmStage1: vmm), effective: t.type))
        } else {
            evidence.append(AccessRules.ownMapping(agent: agent.description, effective: t.type))
        }
        evidence.append(AccessRules.tlp(tlp, effective: t.type))
        return evidence
    }

    /// Records an error at the device or link and follows it to a verdict: at once when nothing
    /// asynchronous is left to time, or when the signal arrives.
    ///
    /// - Parameters:
    ///   - respondedAt: when the error response reaches the core (non-posted requests).
    ///   - messageAt: when the error message reaches the root port (posted errors).
    mutating func incident(_ error: ErrorKind, on t: Transaction, request: RequestKind, offset: UInt64, size: Int, tlp: String,
                           fault: Int32, severity: AERSeverity? = nil, masked: Bool = false, respondedAt: SimTime?, messageAt: SimTime?) {
        if fault >= 0 { faults[Int(fault)].incidents += 1 }
        let issuer = issuer(of: t.agent)
        let prefix = accessEvidence(t, offset: offset, size: size, tlp: tlp)
        let template = verdictTemplate(t, offset: offset, origin: fault >= 0 ? .injected : .device, fault: fault)
        if masked {
            return record(IncidentRules.masked(error, on: request).prepending(prefix), into: template)
        }
        let errorIncident: ErrorIncident
        do {
            errorIncident = try ErrorIncident(error: error, request: request, memoryType: t.type, issuer: issuer, platform: platformName,
                                              speculative: t.kind == .speculativeRead, severity: severity, injected: fault >= 0)
        } catch let impossible {
            return record(IncidentRules.impossible(error, on: request, because: impossible).prepending(prefix), into: template)
        }
        let path = ErrorRules.signal(for: errorIncident, errors: setup.errors, ras: setup.ras)
        let pending = PendingSignal(path: path, prefix: prefix, record: template, agent: t.agent, raisedAt: now)
        switch path.signal {
        case .none, .synchronousAbort:
            deliver(pending, at: now)
        case .serror:
            var p = pending
            p.raisedAt = respondedAt ?? now
            schedule(p, after: p.raisedAt)
        case .aerInterrupt, .firmwareSError, .firmwareSEA:
            var p = pending
            p.raisedAt = messageAt ?? now
            schedule(p, after: p.raisedAt)
        }
    }

    private mutating func schedule(_ pending: PendingSignal, after raised: SimTime) {
        let slot: Int32
        if let free = freeSignalSlots.popLast() {
            slot = free
            pendingSignals[Int(slot)] = pending
        } else {
            pendingSignals.append(pending)
            slot = Int32(pendingSignals.count - 1)
        }
        let delay = SimDuration.nanoseconds(UInt64(max(pending.path.signalDelay ?? 0, 0)))
        queue.schedule(.signalDelivery(slot), at: raised + delay, priority: .completion)
    }

    /// An asynchronous signal arrives: where is the CPU that takes it?
    mutating func signalDelivery(_ slot: Int32) {
        guard let pending = pendingSignals[Int(slot)] else { return }
        pendingSignals[Int(slot)] = nil
        freeSignalSlots.append(slot)
        deliver(pending, at: now)
    }

    private mutating func deliver(_ pending: PendingSignal, at time: SimTime) {
        let context = deliveryContext(pending)
        let derivation = ErrorRules.verdict(for: pending.path, context: context, errors: setup.errors, ras: setup.ras, kernel: setup.policy.kernel)
        record(derivation.prepending(pending.prefix), into: pending.record)
    }

    /// Where the CPU that takes the signal is (docs/domain.md §4 step 4's timing cases).
    private func deliveryContext(_ pending: PendingSignal) -> DeliveryContext {
        if case .synchronousAbort = pending.path.signal {
            return pending.path.performedBy == .guestVCPU ? .guestWaiting : .hostContext
        }
        let agent = agents[Int(pending.agent)]
        guard agent.agent.role == .vcpu, pending.path.performedBy == .guestVCPU || isFirmwareSignal(pending.path.signal) else {
            return .hostContext
        }
        if agent.inGuest { return .inGuest }
        if let exit = agent.lastExit, exit >= pending.raisedAt { return .pendingAtExit }
        let vm = agent.agent.vm
        if tornDown.contains(vm) { return .afterExit(.teardown) }
        if unmappedVMs.contains(vm) { return .afterExit(.reclaim) }
        return .afterExit(.exit)
    }

    private func isFirmwareSignal(_ signal: ErrorPath.Signal) -> Bool {
        switch signal {
        case .firmwareSError, .firmwareSEA: true
        default: false
        }
    }

    /// A verdict about transaction `t` at `offset`, still to be decided.
    func verdictTemplate(_ t: Transaction, offset: UInt64, origin: VerdictOrigin, fault: Int32 = -1, at time: SimTime? = nil) -> VerdictReport {
        VerdictReport(verdict: .none, fault: fault >= 0 ? faults[Int(fault)].fault.description : nil, origin: origin,
                      timePs: (time ?? now).picoseconds, agent: agents[Int(t.agent)].agent.description,
                      device: setup.topology.devices[Int(t.device)].name,
                      region: t.region.map { setup.topology.regions[Int($0)].name }, offset: offset, evidence: [])
    }

    /// Adds a verdict to the report (an experiment keeps its injected fault's verdicts apart).
    mutating func record(_ derivation: VerdictDerivation, into template: VerdictReport) {
        var verdict = template
        verdict.verdict = derivation.verdict
        verdict.evidence = derivation.evidence
        timelineVerdict(verdict)
        report.verdictCounts[derivation.verdict] += 1
        if experimentVerdicts != nil, verdict.origin == .injected { return experimentVerdicts!.append(verdict) }
        report.verdicts.append(verdict)
    }

    // MARK: - Hazards that need no fault

    /// A guest access's attributes: cross-guest (shared state through a mapping that merges or
    /// speculates) and forbidden-attribute (cacheable device memory), once per agent, region
    /// and kind of access.
    mutating func checkAttributeHazards(agent a: Int32, region: RegionID, type: MemoryType, isWrite: Bool, offset: UInt64) {
        let bit: UInt8 = isWrite ? HazardCheck.write : HazardCheck.read
        let done = agents[Int(a)].hazardChecks[Int(region)]
        guard done & bit == 0, agents[Int(a)].agent.role == .vcpu else { return }
        agents[Int(a)].hazardChecks[Int(region)] = done | bit | HazardCheck.attribute
        let kind = setup.topology.regions[Int(region)].kind
        let template = VerdictReport(verdict: .none, fault: nil, origin: .hazard, timePs: now.picoseconds,
                                     agent: agents[Int(a)].agent.description, device: setup.topology.devices[Int(setup.regions[Int(region)].device)].name,
                                     region: setup.topology.regions[Int(region)].name, offset: offset, evidence: [])
        let cross = HazardRules.crossGuest(region: kind, effectiveType: type, isWrite: isWrite, policy: setup.policy.name)
        if cross.verdict != .none { record(cross, into: template) }
        // Cacheable device memory is one finding per agent and region, whatever the access.
        // [decision] Memory the host itself maps cacheable (vma=cacheable: coherent device
        // memory such as nvgrace-gpu's; vma=ram) is meant to be cached: no finding there.
        guard done & HazardCheck.attribute == 0, setup.topology.regions[Int(region)].effectiveHostMapping.isCacheableMemory == false else { return }
        let forbidden = HazardRules.forbiddenAttribute(region: kind, effectiveType: type, policy: setup.policy.name)
        if forbidden.verdict != .none { record(forbidden, into: template) }
    }

    /// A guest access to a region the kernel refuses to map: never performed; one
    /// `mapping-refused` verdict per guest and region, at its first access.
    mutating func mappingRefused(_ decision: KernelStage2, agent a: Int32, region: RegionID, offset: UInt64) {
        let agent = agents[Int(a)].agent
        guard refusedReported.insert(Self.vmRegionKey(agent.vm, region)).inserted else { return }
        let r = setup.topology.regions[Int(region)]
        let template = VerdictReport(verdict: .none, fault: nil, origin: .kernel, timePs: now.picoseconds, agent: agent.description,
                                     device: setup.topology.devices[Int(r.device)].name, region: r.name, offset: offset, evidence: [])
        record(KernelRules.refused(decision, region: r.name, mapping: r.effectiveHostMapping, policy: setup.policy.name), into: template)
    }

    /// A guest write that reached its device after the host began reclaiming it (docs/domain.md §6):
    /// kept until the end of the replay, when it is known whether a reset of the device
    /// followed it (then the write was wiped with the old owner's state) or preceded it.
    mutating func checkReclaimedWrite(_ t: Transaction, offset: UInt64, size: Int, discarded: Bool) {
        guard let vm = t.guestVM, let region = t.region else { return }
        let unmappedAt = unmapTimes[Self.vmRegionKey(vm, region)]
        let resetBetween = resets.contains { $0.device == t.device && $0.start > t.issued && $0.start <= now }
        guard unmappedAt.map({ $0 <= now }) ?? false || resetBetween else { return }
        reclaimCandidates.append(ReclaimCandidate(transaction: t, offset: offset, size: size, arrival: now, unmappedAt: unmappedAt,
                                                  discarded: discarded, evidence: accessEvidence(t, offset: offset, size: size, tlp: "MWr")))
    }

    /// Judges every reclaim-window write against the resets that happened (docs/domain.md §6).
    mutating func judgeReclaimedWrites() {
        let ordering = setup.timing.ecamMMIOOrdered ? "ECAM and MMIO ordered in the interconnect" : "ECAM and MMIO not ordered in the interconnect"
        for candidate in reclaimCandidates {
            let t = candidate.transaction
            // The resets that matter: the first of the device that began after the access was made
            // (before or after its arrival), reclaim resets first (docs/domain.md §10).
            let began = t.guestVM.flatMap { reclaimBegan[$0] }
            let later = resets.lazy.filter { $0.device == t.device && $0.start > t.issued }.map { record in
                DeviceReset(start: Int(record.start.nanoseconds), ready: Int(record.ready.nanoseconds), discardsWrites: candidate.discarded,
                            requester: record.requester, afterReclaimBegan: began.map { $0 <= record.start } ?? false)
            }
            let reset = later.first(where: \.isReclaim)
            let write = ReclaimedWrite(effectiveType: t.type, arrival: Int(candidate.arrival.nanoseconds),
                                       stage2Unmap: candidate.unmappedAt.map { Int($0.nanoseconds) }, reset: reset,
                                       ownerReset: reset == nil ? later.first : nil, orderingFacts: ordering, platform: platformName,
                                       awaitedByDSB: t.awaitedByDSB || t.type != .deviceNGnRnE)
            let derivation = HazardRules.postReclaimWrite(write)
            if let owner = write.ownerReset, reset == nil, write.arrival >= owner.start, !(candidate.discarded && write.arrival < owner.ready) {
                hazard(.afterOwnReset, agent: t.agent, device: t.device, region: t.region, offset: candidate.offset, at: candidate.arrival,
                       "write reached the device after the reset the \(owner.requester.rawValue) requested at \(owner.start) ns")
            }
            guard derivation.verdict != .none else { continue }
            record(derivation.prepending(candidate.evidence),
                   into: verdictTemplate(t, offset: candidate.offset, origin: .hazard, at: candidate.arrival))
        }
        reclaimCandidates = []
    }

    /// Faults whose site never occurred get `not-fired`; a link fault that fired but hit no
    /// request gets `none`.
    mutating func reportUnfiredFaults() {
        for i in faults.indices where faults[i].incidents == 0 {
            let fault = faults[i].fault
            let template = VerdictReport(verdict: .none, fault: fault.description, origin: .injected, timePs: now.picoseconds,
                                         agent: "-", device: nil, region: nil, offset: nil, evidence: [])
            record(IncidentRules.unused(fault: fault.description, fired: faults[i].fired), into: template)
        }
    }
}

/// Which attribute-hazard checks an agent has done on a region.
enum HazardCheck {
    static let read: UInt8 = 1
    static let write: UInt8 = 2
    /// The effective type itself (forbidden attribute), whatever the access.
    static let attribute: UInt8 = 4
    /// A mismatched alias (any access).
    static let alias: UInt8 = 8
}

/// A fault of the replay and what became of it.
struct FaultState {
    let fault: Fault
    var counter: OccurrenceCounter
    /// How many times its site occurred.
    var fired = 0
    /// How many errors it caused.
    var incidents = 0

    init(_ fault: Fault) {
        self.fault = fault
        if case .tlp(_, let occurrence) = fault.site { counter = OccurrenceCounter(occurrence) } else { counter = OccurrenceCounter(.first) }
    }

    var isTimeOrEvent: Bool {
        if case .tlp = fault.site { return false }
        return true
    }
}

/// A guest write that arrived during a reclaim, judged at the end of the replay.
struct ReclaimCandidate {
    var transaction: Transaction
    var offset: UInt64
    var size: Int
    var arrival: SimTime
    var unmappedAt: SimTime?
    var discarded: Bool
    var evidence: [Evidence]
}

/// A reset of a device: when it began, when the device was ready again, and who asked for it.
struct ResetRecord {
    var device: DeviceID
    var start: SimTime
    var ready: SimTime
    var requester: Issuer
}

/// A link outage caused by a fault.
struct LinkOutage {
    var fault: Int32
    var from: SimTime
    var until: SimTime
}

/// An error on its way to software: the rules' path so far, and when its signal was raised.
struct PendingSignal {
    var path: ErrorPath
    var prefix: [Evidence]
    var record: VerdictReport
    var agent: Int32
    var raisedAt: SimTime
}
