import ArmMemory
import MMIOTrace

/// How an agent's program events become transactions: the CPU side of the write path
/// (docs/domain.md §1 "peripheral arrival order"; docs/schedules.md).
extension Simulation {
    mutating func execute(_ event: TraceEvent, agent a: Int32) {
        if timeline != nil { timelineProgramEvent(event, agent: a) }
        switch event.kind {
        case .read(let access): load(access, agent: a)
        case .write(let access): store(access, agent: a)
        case .barrier(.dmb(_, let accesses)):
            if accesses != .loads { drainBuffer(a) }
            flushWindow(a)
        case .barrier(.dsb(_, let accesses)):
            if accesses != .loads { drainBuffer(a) }
            flushWindow(a)
            forceTLBIScopes(of: a)
            agents[Int(a)].block = .barrier
            agentsInDSB.insert(a, at: agentsInDSB.firstIndex { $0 > a } ?? agentsInDSB.count)
            releaseHeldAwaited(by: a)
            checkBarrier(a)
        case .barrier(.isb): break
        case .guestExit:
            agents[Int(a)].inGuest = false
            agents[Int(a)].lastExit = now
            newContextEpoch()
        case .guestEntry:
            agents[Int(a)].inGuest = true
            newContextEpoch()
        case .teardown(let vm):
            newContextEpoch()
            tornDown.insert(vm)
            unmappedVMs.insert(vm)
            if reclaimBegan[vm] == nil { reclaimBegan[vm] = now }
            for r in setup.topology.regions.indices where unmapTimes[Self.vmRegionKey(vm, RegionID(r))] == nil {
                unmapTimes[Self.vmRegionKey(vm, RegionID(r))] = now
            }
        case .unmap(let region, let vm):
            newContextEpoch()
            unmappedVMs.insert(vm)
            if reclaimBegan[vm] == nil { reclaimBegan[vm] = now }
            if unmapTimes[Self.vmRegionKey(vm, region)] == nil { unmapTimes[Self.vmRegionKey(vm, region)] = now }
        case .tlbi(let tlbi):
            let scope = AgentState.TLBIScope(vm: tlbi.vm, region: tlbi.operation == .ipas2e1is ? tlbi.region : nil)
            agents[Int(a)].pendingTLBIs.append(scope)
        case .configRead(let access): configAccess(access, write: false, agent: a)
        case .configWrite(let access):
            newContextEpoch()
            configAccess(access, write: true, agent: a)
        case .reset(let kind, let device):
            newContextEpoch()
            reset(kind, device: device, agent: a)
        case .mark: break
        }
    }

    // MARK: - Memory accesses

    /// The effective type of `agent`'s access to `region`: the guest's stage 1 combined with the
    /// policy's stage 2 for guests, the address space's own stage-1 type for the VMM and host.
    func effectiveType(agent: Agent, region: RegionID) -> MemoryType {
        let stage1 = setup.stage1Type(of: region, in: agent.addressSpace)
        guard agent.role == .vcpu else { return stage1 }
        let vmm = setup.stage1Type(of: region, in: .vmm(vm: agent.vm))
        return MemoryType.combine(stage1: stage1, stage2: setup.stage2Attribute(of: region, vmmStage1: vmm))
    }

    /// Whether the access can happen at all: inside a region, and (for a guest) still mapped at
    /// stage 2. Records a hazard otherwise.
    private mutating func translate(_ access: MemoryAccess, agent a: Int32) -> RegionID? {
        let agent = agents[Int(a)].agent
        guard let region = access.region, access.address &- setup.regions[Int(region)].base < setup.regions[Int(region)].size else {
            hazard(.outsideRegion, agent: a, device: nil, region: access.region, offset: nil,
                   "access at 0x\(String(access.address, radix: 16)) is outside every region: not replayed")
            return nil
        }
        if setup.refused[Int(region)], agent.role == .vcpu {
            mappingRefused(setup.kernelDecisions[Int(region)]!, agent: a, region: region, offset: access.address - setup.regions[Int(region)].base)
            return nil
        }
        if agent.role == .vcpu, !unmapTimes.isEmpty, unmapTimes[Self.vmRegionKey(agent.vm, region)] != nil {
            hazard(.stage2Fault, agent: a, device: setup.regions[Int(region)].device, region: region,
                   offset: access.address - setup.regions[Int(region)].base,
                   "access after the host removed the region from stage 2: a stage-2 fault, not replayed")
            return nil
        }
        return region
    }

    private mutating func store(_ access: MemoryAccess, agent a: Int32) {
        guard let region = translate(access, agent: a) else { return }
        let agent = agents[Int(a)].agent
        let type = agents[Int(a)].effectiveTypes[Int(region)]
        checkAliases(agent: a, region: region, address: access.address, size: Int(access.size), type: type)
        report.summary.cpuWrites += 1
        if agent.role == .vcpu { checkAttributeHazards(agent: a, region: region, type: type, isWrite: true, offset: access.address &- setup.regions[Int(region)].base) }
        let r = setup.regions[Int(region)]
        let lineAddress = access.address & ~(BufferLine.lineSize - 1)
        let crossesLine = access.address + UInt64(access.size) > lineAddress + BufferLine.lineSize
        if type == .normalWB {
            gather(access, lineAddress: lineAddress, type: type, region: r, regionID: region, agent: a, cache: true)
            return
        }
        if type == .normalWT { noteCacheable(a, region: region, access.address) }
        let gathering = type == .deviceGRE || type == .normalNC || type == .normalWT
        if gathering, setup.timing.writeCombiningLines > 0, !crossesLine {
            gather(access, lineAddress: lineAddress, type: type, region: r, regionID: region, agent: a, cache: false)
            return
        }
        var data = SIMD8<UInt64>()
        var mask: UInt64 = 0
        let offset = Int(access.address - lineAddress), size = Int(access.size)
        if size >= 1, (offset & 7) + size <= 8 {
            // In one 8-byte word: one shifted word, not a byte loop.
            let bits: UInt64 = size == 8 ? .max : (1 << UInt64(size * 8)) - 1
            data[offset >> 3] = (access.value.low64 & bits) << (UInt64(offset & 7) * 8)
            mask = ((1 << UInt64(size)) - 1) << UInt64(offset)
        } else {
            for i in 0..<size where offset + i < 64 {
                let byte = offset + i
                data[byte >> 3] |= UInt64(access.value.byte(i)) << UInt64((byte & 7) * 8)
                mask |= 1 << UInt64(byte)
            }
        }
        let t = Transaction(kind: .write, agent: a, type: type, path: path(for: r.kind), device: r.device, region: region,
                            address: access.address, size: access.size, mask: mask, data: data,
                            programOrder: agents[Int(a)].programOrder, accesses: 1,
                            guestVM: agent.role == .vcpu ? agent.vm : nil, issued: now)
        send(transactions.insert(t), reorderable: type >= .deviceNGRE)
    }

    private mutating func noteCacheable(_ a: Int32, region: RegionID, _ address: UInt64) {
        guard setup.topology.regions[Int(region)].effectiveHostMapping.isCacheableMemory == false else { return }
        let r = setup.regions[Int(region)]
        hazard(.cacheableDeviceAccess, agent: a, device: r.device, region: region, offset: address - r.base,
               "effective type \(agents[Int(a)].effectiveTypes[Int(region)].displayName) on device memory")
    }

    /// The first of an agent's write-combining lines (or, with `cache`, cache lines) that
    /// satisfies `predicate`; read in place, so a miss copies nothing.
    @inline(__always)
    private func lineIndex(_ a: Int32, cache: Bool, where predicate: (BufferLine) -> Bool) -> Int? {
        cache ? agents[Int(a)].cache.firstIndex(where: predicate) : agents[Int(a)].buffer.firstIndex(where: predicate)
    }

    /// Runs `body` on an agent's write-combining buffer (or, with `cache`, its cache), in place.
    @inline(__always)
    private mutating func withLines<Result>(_ a: Int32, cache: Bool, _ body: (inout ContiguousArray<BufferLine>) -> Result) -> Result {
        cache ? body(&agents[Int(a)].cache) : body(&agents[Int(a)].buffer)
    }

    /// Puts a store into the write-combining buffer (or, for Normal-WB, the cache).
    private mutating func gather(_ access: MemoryAccess, lineAddress: UInt64, type: MemoryType, region: RegionInfo, regionID: RegionID,
                                 agent a: Int32, cache: Bool) {
        let agent = agents[Int(a)].agent
        let (time, programOrder) = (now, agents[Int(a)].programOrder)
        var index = lineIndex(a, cache: cache) { $0.lineAddress == lineAddress && $0.type == type }
        if index == nil {
            if cache {
                noteCacheable(a, region: regionID, access.address)
            } else if agents[Int(a)].buffer.count >= setup.timing.writeCombiningLines {
                issue(line: agents[Int(a)].buffer.removeFirst(), agent: a)  // line eviction: the oldest leaves
            }
            let line = BufferLine(lineAddress: lineAddress, mask: 0, data: SIMD8(), type: type, device: region.device, region: regionID,
                                  guestVM: agent.role == .vcpu ? agent.vm : nil, firstProgramOrder: programOrder,
                                  accesses: 0, firstWrite: time, lastWrite: time, generation: 0)
            index = withLines(a, cache: cache) { lines in
                lines.append(line)
                return lines.count - 1
            }
        }
        let i = index!
        let (full, generation) = withLines(a, cache: cache) { lines in
            lines[i].merge(address: access.address, size: Int(access.size), value: access.value, programOrder: programOrder)
            lines[i].accesses += 1
            lines[i].lastWrite = time
            lines[i].generation &+= 1
            return (lines[i].isFull, lines[i].generation)
        }
        if !cache, full {
            issue(line: agents[Int(a)].buffer.remove(at: i), agent: a)
            return
        }
        // in-order: the platform's timeout (or eviction delay); adversarial: held until an
        // obligation drains it; random: either.
        if !decisions.take() {
            let delay = cache ? setup.timing.cacheEviction : setup.timing.writeCombiningTimeout
            queue.schedule(.drainTimeout(address: lineAddress, agent: a, generation: generation, cache: cache), at: now + delay, priority: .drainTimeout)
        }
    }

    /// A buffered line leaves the core as one transaction.
    mutating func issue(line: BufferLine, agent a: Int32) {
        if timeline != nil { timelineBufferedLine(line, agent: a) }
        let t = Transaction(kind: .write, agent: a, type: line.type, path: path(for: setup.regions[Int(line.region!)].kind), device: line.device, region: line.region,
                            address: line.lineAddress + UInt64(line.mask.trailingZeroBitCount), size: 0, mask: line.mask, data: line.data,
                            programOrder: line.firstProgramOrder, accesses: line.accesses, guestVM: line.guestVM, issued: line.firstWrite)
        let id = transactions.insert(t)
        if line.accesses > 1 { transactions[id].byteOrders = line.byteOrders }
        send(id, reorderable: true)
    }

    /// Drains every gathering line (a store barrier, a read that must come from the endpoint,
    /// a TLBI being completed), in program order; the reorder window then decides whether they
    /// leave in another order (they are R types).
    mutating func drainBuffer(_ a: Int32, matching predicate: (BufferLine) -> Bool = { _ in true }) {
        guard agents[Int(a)].buffer.contains(where: predicate) else { return }
        var lines = agents[Int(a)].buffer
        let drained = lines.filter(predicate)
        guard !drained.isEmpty else { return }
        lines.removeAll(where: predicate)
        agents[Int(a)].buffer = lines
        for line in drained { issue(line: line, agent: a) }
    }

    /// At the end of the trace, everything still held in cores leaves ("finite time" ends):
    /// write-combining lines, dirty cache lines, reorder windows.
    mutating func drainEverything() {
        for a in agents.indices {
            drainBuffer(Int32(a))
            let dirty = agents[a].cache
            agents[a].cache = []
            for line in dirty { issue(line: line, agent: Int32(a)) }
            flushWindow(Int32(a))
        }
    }

    /// Drains a line whose timeout (or eviction delay) expired; false for a stale timeout (the
    /// line was written again or has already left).
    mutating func drainTimeout(_ a: Int32, _ address: UInt64, _ generation: UInt32, cache: Bool) -> Bool {
        guard let i = lineIndex(a, cache: cache, where: { $0.lineAddress == address && $0.generation == generation }) else { return false }
        issue(line: withLines(a, cache: cache) { $0.remove(at: i) }, agent: a)
        flushWindow(a)
        return true
    }

    private mutating func load(_ access: MemoryAccess, agent a: Int32) {
        guard let region = translate(access, agent: a) else { return }
        let agent = agents[Int(a)].agent
        let type = agents[Int(a)].effectiveTypes[Int(region)]
        let r = setup.regions[Int(region)]
        let size = Int(access.size)
        checkAliases(agent: a, region: region, address: access.address, size: size, type: type)
        if agent.role == .vcpu { checkAttributeHazards(agent: a, region: region, type: type, isWrite: false, offset: access.address &- r.base) }
        if !type.isDevice { speculate(region: region, around: access.address, agent: a) }
        // A gathering type may answer a load from a buffered write unless a barrier separates
        // them (optional: adversarial takes it); a cacheable type from a cached line.
        let lines = type == .normalWB ? agents[Int(a)].cache : agents[Int(a)].buffer
        if type >= .deviceGRE, let line = lines.first(where: { $0.covers(address: access.address, size: size) }),
           type.isCacheable || decisions.take() {
            hazard(.readFromBuffer, agent: a, device: r.device, region: region, offset: access.address - r.base,
                   "\(size)-byte \(type.displayName) read answered from the \(type.isCacheable ? "cache" : "write buffer") (value \(line.read(address: access.address, size: size))): the device never saw it")
            return
        }
        // A read that must come from the endpoint pushes overlapping buffered bytes out first;
        // without reordering (nR types, or in-order) every earlier buffered write goes first.
        if type < .deviceNGRE || !decisions.take() {
            drainBuffer(a)
        } else {
            drainBuffer(a) { $0.overlaps(address: access.address, size: size) }
        }
        if type < .deviceNGRE { flushWindow(a) }
        var t = Transaction(kind: .read, agent: a, type: type, path: path(for: r.kind), device: r.device, region: region,
                            address: access.address, size: access.size, mask: 0, data: access.hasValue ? access.value.words : SIMD8(),
                            programOrder: agents[Int(a)].programOrder, accesses: 1,
                            guestVM: agent.role == .vcpu ? agent.vm : nil, issued: now)
        t.hasRecordedValue = access.hasValue
        let id = transactions.insert(t)
        agents[Int(a)].block = .load(id)
        send(id, reorderable: type >= .deviceNGRE)
        flushWindow(a)
    }

    /// Normal memory may be read speculatively: the adversarial schedule reads every
    /// read-sensitive register in the page of a Normal access once; random sometimes does.
    private mutating func speculate(region: RegionID, around address: UInt64, agent a: Int32) {
        let r = setup.regions[Int(region)]
        let page = address & ~0xfff
        let once = isAdversarial
        if once, agents[Int(a)].speculatedPages.contains(page) { return }
        let lo = max(page, r.base) - r.base, hi = min(page + 0x1000, r.base + r.size) - r.base
        let offsets = endpoints[Int(r.device)].readSensitiveOffsets(bar: r.bar, in: lo..<hi)
        // Nothing to expose: no open choice (the explorer would otherwise branch on a no-op).
        guard !offsets.isEmpty, decisions.take() else { return }
        if once { agents[Int(a)].speculatedPages.insert(page) }
        for offset in offsets {
            let register = endpoints[Int(r.device)].registerDescription(bar: r.bar, offset: offset) ?? "a read-sensitive register"
            let agent = agents[Int(a)].agent
            let whose = agent.role == .vcpu ? "the guest's effective \(agents[Int(a)].effectiveTypes[Int(region)].displayName) type"
                : "the \(agent.role == .vmm ? "VMM" : "host")'s own \(agents[Int(a)].effectiveTypes[Int(region)].displayName) mapping"
            hazard(.speculativeReadSensitive, agent: a, device: r.device, region: region, offset: offset,
                   "speculative read of read-sensitive \(register) through \(whose) (Normal memory may be read at any time, Arm ARM B2.10.5): "
                       + "it may take state no driver read")
            let t = Transaction(kind: .speculativeRead, agent: a, type: .normalNC, path: path(for: r.kind), device: r.device, region: region,
                                address: r.base + offset, size: 4, mask: 0, data: SIMD8(), programOrder: agents[Int(a)].programOrder,
                                accesses: 0, guestVM: nil, issued: now)
            send(transactions.insert(t), reorderable: false)
        }
    }

    // MARK: - Configuration and resets

    private mutating func configAccess(_ access: ConfigAccess, write: Bool, agent a: Int32) {
        var data = SIMD8<UInt64>()
        data[0] = UInt64(access.value)
        var t = Transaction(kind: write ? .configWrite : .configRead, agent: a, type: .deviceNGnRnE, path: .ecam, device: access.device,
                            region: nil, address: UInt64(access.offset), size: access.size, mask: 0, data: data,
                            programOrder: agents[Int(a)].programOrder, accesses: 1, guestVM: nil, issued: now)
        t.hasRecordedValue = !write && access.hasValue
        let id = transactions.insert(t)
        if !write { agents[Int(a)].block = .load(id) }
        send(id, reorderable: false)
    }

    /// A reset the host (or the VMM, through vfio) asks for. An FLR is a configuration write,
    /// unless the platform resets its devices through the reset controller
    /// (`host-reset.mechanism`), another target on another path.
    private mutating func reset(_ kind: ResetKind, device: DeviceID, agent a: Int32) {
        let transactionKind: Transaction.Kind = switch kind {
        case .flr: setup.timing.resetsThroughController ? .controllerReset : .flr
        case .hot: .hotReset
        case .controller: .controllerReset
        }
        let t = Transaction(kind: transactionKind, agent: a, type: .deviceNGnRnE, path: transactionKind == .controllerReset ? .platform : .ecam,
                            device: device, region: nil, address: 0, size: 0, mask: 0, data: SIMD8(),
                            programOrder: agents[Int(a)].programOrder, accesses: 1, guestVM: nil, issued: now)
        send(transactions.insert(t), reorderable: false)
    }

    func path(for kind: RegionKind) -> Transaction.Path {
        switch kind {
        case .bar: .mmio
        case .config: .ecam
        case .platform, .gicv2VCPUInterface: .platform
        }
    }

    // MARK: - Leaving the core

    /// How many accesses a reorder window holds before it must let them go.
    static let windowCapacity = 16

    /// Sends a transaction towards the serialisation point. Reorderable transactions (R types)
    /// wait in the agent's window under the adversarial schedule, which lets them leave in
    /// reverse order when the window is flushed: by a barrier, a non-reorderable access, a full
    /// window, or the end of the replay.
    mutating func send(_ id: TransactionID, reorderable: Bool) {
        let a = transactions[id].agent
        if reorderable, decisions.take() {
            if agents[Int(a)].window.count >= Self.windowCapacity { flushWindow(a) }
            agents[Int(a)].window.append(id)
            return
        }
        flushWindow(a)
        depart(id)
    }

    mutating func flushWindow(_ a: Int32) {
        let window = agents[Int(a)].window
        guard !window.isEmpty else { return }
        agents[Int(a)].window = []
        for id in window.reversed() { depart(id) }
    }

    private mutating func depart(_ id: TransactionID) {
        if transactions[id].kind == .write { report.summary.writeTransactions += 1 }
        let a = transactions[id].agent
        if agents[Int(a)].pendingFault >= 0 {
            transactions[id].fault = agents[Int(a)].pendingFault
            agents[Int(a)].pendingFault = -1
        }
        queue.schedule(.atSerialization(id), at: now + setup.timing.coreToSerialization, priority: .transport)
    }

    // MARK: - Barriers and TLB invalidation

    /// Before a DSB completes, every access made through mappings its earlier TLBIs invalidated
    /// must complete: buffered guest writes in those mappings are pushed out now.
    private mutating func forceTLBIScopes(of a: Int32) {
        for scope in agents[Int(a)].pendingTLBIs {
            for g in agents.indices where agents[g].agent.role == .vcpu && agents[g].agent.vm == scope.vm {
                drainBuffer(Int32(g)) { scope.region == nil || $0.region == scope.region }
                flushWindow(Int32(g))
            }
        }
    }

    /// Unblocks a DSB whose accesses (and TLBI scopes) are all complete.
    mutating func checkBarrier(_ a: Int32) {
        guard agents[Int(a)].block == .barrier else { return }
        let scopes = agents[Int(a)].pendingTLBIs
        for id in transactions.ids {
            let t = transactions[id]
            guard !t.complete else { continue }
            if t.agent == a { return }
            if scopes.contains(where: { $0.covers(t) }) { return }
        }
        agents[Int(a)].pendingTLBIs = []
        agents[Int(a)].block = .none
        agentsInDSB.removeAll { $0 == a }
        scheduleStep(a)
    }

    /// Re-checks every agent waiting in a DSB (after a completion), in agent order. A check
    /// may take its agent out of the list (and only its agent): walked by index, not copied.
    mutating func recheckBarriers() {
        var i = 0
        while i < agentsInDSB.count {
            let a = agentsInDSB[i]
            checkBarrier(a)
            if i < agentsInDSB.count, agentsInDSB[i] == a { i += 1 }
        }
    }
}
