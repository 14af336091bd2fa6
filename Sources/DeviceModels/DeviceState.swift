import PCIeTransport
/// The state of one device: register values, memory-range contents, pending side effects,
/// config space, FLR and AER. A value type: copying it snapshots the device, and the copy
/// evolves independently.
///
/// Every method takes the simulated time in picoseconds; times passed to one state must never
/// decrease. Handling an access does not allocate: the arrays are allocated once by
/// ``init(model:)`` (a copy allocates its own once, on its first change; memory a page at a
/// time).
public struct DeviceState: Hashable, Sendable {
    public let model: DeviceModel
    /// Register values, in ``DeviceModel/registers`` order.
    var values: ContiguousArray<UInt64>
    /// Writes each register has received; only doorbells count.
    var doorbellCounts: ContiguousArray<UInt64>
    /// The bytes of every memory range, one after the other.
    var memory: PagedBytes
    /// Per side effect: when it is due, `UInt64.max` when not pending.
    var pendingDue: ContiguousArray<UInt64>
    /// The earliest pending due time.
    var nextDue = UInt64.max
    /// Config space (see `DeviceState+Config.swift`).
    var config: ConfigSpace
    /// The AER registers: status, mask and severity.
    public internal(set) var aer: AERRegisters
    /// When the last FLR was initiated, if ever.
    public internal(set) var flrStartedAt: UInt64?
    /// When the function is ready after the last FLR.
    public internal(set) var flrReadyAt: UInt64 = 0

    /// A device just powered up: every register at its reset value, memory zero.
    public init(model: DeviceModel) {
        self.model = model
        values = ContiguousArray(model.registers.map(\.reset))
        doorbellCounts = ContiguousArray(repeating: 0, count: model.registers.count)
        memory = PagedBytes(zeros: model.memoryBytes)
        pendingDue = ContiguousArray(repeating: .max, count: model.sideEffects.count)
        config = ConfigSpace()
        aer = model.aer
    }

    // MARK: Queries

    /// Whether an FLR is in progress at `time`.
    @inlinable public func flrInProgress(at time: UInt64) -> Bool {
        flrStartedAt.map { $0 <= time && time < flrReadyAt } ?? false
    }

    /// Whether a completion for a request the function issued at `requestedAt` and arriving at
    /// `arrivingAt` is an Unexpected Completion: an FLR began in between, so the function has
    /// forgotten the request.
    public func isUnexpectedCompletion(requestedAt: UInt64, arrivingAt: UInt64) -> Bool {
        flrStartedAt.map { requestedAt < $0 && $0 <= arrivingAt } ?? false
    }

    /// Takes a completion for a request issued at `requestedAt`: if it is unexpected
    /// (``isUnexpectedCompletion(requestedAt:arrivingAt:)``), logs Unexpected Completion in AER
    /// and returns the report; otherwise nil.
    public mutating func receiveCompletion(requestedAt: UInt64, at time: UInt64) -> AERReport? {
        guard isUnexpectedCompletion(requestedAt: requestedAt, arrivingAt: time) else { return nil }
        return logError(.unexpectedCompletion)
    }

    /// Whether reading `size` bytes at `offset` of `bar` would touch a read-to-clear register,
    /// so that a speculative read changes the device.
    public func isReadSensitive(bar: UInt8, offset: UInt64, size: Int = 1) -> Bool {
        guard bar < 6, size > 0 else { return false }
        let slots = model.layouts[Int(bar)]
        let end = offset &+ UInt64(size)
        var index = model.slotIndex(bar: bar, offset: offset) ?? slots.firstIndex { $0.start >= offset } ?? slots.count
        while index < slots.count, slots[index].start < end {
            let register = slots[index].register
            if register >= 0, model.registers[Int(register)].access == .rc { return true }
            index += 1
        }
        return false
    }

    /// Whether a `size`-byte access at `offset` of `bar` hits one register that accepts that size
    /// at that place, or lies inside one memory range.
    public func acceptsSize(bar: UInt8, offset: UInt64, size: Int) -> Bool {
        target(bar: bar, offset: offset, size: size) != nil
    }

    /// Whether the state behind `bar` is shared with other guests or the host: any access that
    /// changes it is a cross-guest effect.
    public func isShared(bar: UInt8) -> Bool {
        bar < 6 && model.sharedBARs & (1 << bar) != 0
    }

    /// The current value of the register named `name` at `time` (pending side effects due by
    /// then applied), or nil when the model has no such register.
    public mutating func value(ofRegister name: String, at time: UInt64) -> UInt64? {
        guard let index = model.registerIndex(named: name) else { return nil }
        advance(to: time)
        return values[index]
    }

    /// How many writes the doorbell register named `name` has received since the state was
    /// created (FLR does not reset the count), or nil when the model has no such register.
    public func doorbellWrites(ofRegister name: String) -> UInt64? {
        model.registerIndex(named: name).map { doorbellCounts[$0] }
    }

    /// Writes received by every doorbell register together.
    public var totalDoorbellWrites: UInt64 { doorbellCounts.reduce(0, +) }

    // MARK: Memory requests

    /// A posted memory write (MWr) of `size` bytes at `offset` of `bar`, arriving at `time`.
    ///
    /// - Parameters:
    ///   - data: The bytes, byte 0 at `offset`.
    ///   - byteEnables: Bit `i` enables byte `i`; disabled bytes are not written.
    /// - Returns: `accepted`; `unsupported` with the AER error logged when Memory Space Enable
    ///   is off (UR) or the access hits no
    ///   register, straddles registers or has a size its register does not accept (a memory
    ///   range accepts anything inside it); `discardedDuringFLR` while an FLR is in progress
    ///   and the model discards posted writes.
    public mutating func write(bar: UInt8, offset: UInt64, size: Int, data: AccessValue, byteEnables: UInt64 = .max,
                               at time: UInt64) -> WriteOutcome {
        if model.flr.discardPosted, flrInProgress(at: time) { return .discardedDuringFLR }
        advance(to: time)
        if config.memoryDecodeOff { return .unsupported(.ur, logError(ErrorResponse.ur.aerError)) }
        guard let target = target(bar: bar, offset: offset, size: size) else {
            if isUnmapped(bar: bar, offset: offset, size: size) {
                if case .error(let response) = model.unmapped { return .unsupported(response, logError(response.aerError)) }
                return .accepted
            }
            return .unsupported(model.unsupported, logError(model.unsupported.aerError))
        }
        let enables = size == 64 ? byteEnables : byteEnables & ((1 << UInt64(size)) - 1)
        switch target {
        case .memory(let start):
            memory.write(data, count: size, enables: enables, at: start)
        case .register(let index, let byteOffset):
            writeRegister(index, byteOffset: byteOffset, size: size, data: data.low64, enables: enables, at: time)
        }
        return .accepted
    }

    /// A memory read (MRd) of `size` bytes at `offset` of `bar`, arriving at `time`.
    ///
    /// - Returns: A successful completion with the data, or the model's unsupported status
    ///   (AER error logged) as ``write(bar:offset:size:data:byteEnables:at:)`` decides it, or
    ///   the FLR's non-posted status while an FLR is in progress. A read of a `wo` or `doorbell`
    ///   register returns 0; a read of an `rc` register resets it and says so.
    public mutating func read(bar: UInt8, offset: UInt64, size: Int, at time: UInt64) -> ReadCompletion {
        if flrInProgress(at: time) { return ReadCompletion(status: model.flr.nonPosted.completionStatus) }
        advance(to: time)
        if config.memoryDecodeOff { return ReadCompletion(status: ErrorResponse.ur.completionStatus, aer: logError(ErrorResponse.ur.aerError)) }
        guard let target = target(bar: bar, offset: offset, size: size) else {
            var response = model.unsupported
            if isUnmapped(bar: bar, offset: offset, size: size) {
                guard case .error(let unmapped) = model.unmapped else { return ReadCompletion(status: .successful) }
                response = unmapped
            }
            return ReadCompletion(status: response.completionStatus, aer: logError(response.aerError))
        }
        var completion = ReadCompletion(status: .successful)
        switch target {
        case .memory(let start):
            completion.data = memory.read(count: size, at: start)
        case .register(let index, let byteOffset):
            let register = model.registers[index]
            switch register.access {
            case .wo, .doorbell: break
            case .rw, .ro, .w1c, .rc:
                let shifted = values[index] >> UInt64(byteOffset * 8)
                completion.data = AccessValue(size == 8 ? shifted : shifted & ((1 << UInt64(size * 8)) - 1))
                if register.access == .rc {
                    values[index] = register.reset
                    completion.hadSideEffect = true
                }
            }
        }
        return completion
    }

    // MARK: Internals

    /// Where an access lands, if it is supported.
    enum Target {
        case memory(start: Int)
        case register(index: Int, byteOffset: Int)
    }

    /// Inlined: called from a mutating access, it made the caller copy the whole state.
    @inline(__always)
    func target(bar: UInt8, offset: UInt64, size: Int) -> Target? {
        guard size > 0, size <= 64, let slotIndex = model.slotIndex(bar: bar, offset: offset) else { return nil }
        let slot = model.layouts[Int(bar)][slotIndex]
        guard offset + UInt64(size) <= slot.end else { return nil }
        let byteOffset = Int(offset - slot.start)
        if slot.register < 0 { return .memory(start: Int(slot.storage) + byteOffset) }
        guard model.registers[Int(slot.register)].sizes.accepts(size), byteOffset % size == 0 else { return nil }
        return .register(index: Int(slot.register), byteOffset: byteOffset)
    }

    /// Whether the access lies inside a BAR and touches no register or memory range.
    func isUnmapped(bar: UInt8, offset: UInt64, size: Int) -> Bool {
        guard bar < 6, size > 0, size <= 64, model.barSizes[Int(bar)] > 0,
              offset < model.barSizes[Int(bar)], UInt64(size) <= model.barSizes[Int(bar)] - offset else { return false }
        let slots = model.layouts[Int(bar)]
        let first = model.firstSlot(bar: bar, endingAfter: offset)
        return first == slots.count || slots[first].start >= offset + UInt64(size)
    }

    mutating func writeRegister(_ index: Int, byteOffset: Int, size: Int, data: UInt64, enables: UInt64, at time: UInt64) {
        var mask: UInt64 = 0
        for i in 0..<size where enables & (1 << UInt64(i)) != 0 { mask |= 0xff << UInt64((byteOffset + i) * 8) }
        let written = (data << UInt64(byteOffset * 8)) & mask
        switch model.registers[index].access {
        case .ro, .rc: return
        case .rw, .wo: values[index] = (values[index] & ~mask) | written
        case .w1c: values[index] &= ~written
        case .doorbell:
            values[index] = (values[index] & ~mask) | written
            doorbellCounts[index] += 1
        }
        let value = values[index]
        let firstEffect = model.registers[index].firstSideEffect
        for effectIndex in firstEffect..<(firstEffect + model.registers[index].sideEffects.count) {
            let effect = model.sideEffects[effectIndex]
            guard (value >> UInt64(effect.triggerBit) & 1 != 0) == effect.triggerValue else { continue }
            for other in pendingDue.indices where pendingDue[other] != .max {
                let pending = model.sideEffects[other]
                if pending.targetRegister == effect.targetRegister, pending.targetBit == effect.targetBit { pendingDue[other] = .max }
            }
            pendingDue[effectIndex] = time &+ effect.delayNs &* 1000
            nextDue = pendingDue.min() ?? .max
        }
        advance(to: time)
    }

    /// Applies, in due-time order, every pending side effect due at or before `time`.
    mutating func advance(to time: UInt64) {
        while nextDue <= time {
            guard let earliest = pendingDue.indices.min(by: { pendingDue[$0] < pendingDue[$1] }),
                  pendingDue[earliest] <= time else { return }
            let effect = model.sideEffects[earliest]
            let bit: UInt64 = 1 << UInt64(effect.targetBit)
            if effect.targetValue { values[effect.targetRegister] |= bit } else { values[effect.targetRegister] &= ~bit }
            pendingDue[earliest] = .max
            nextDue = pendingDue.min() ?? .max
        }
    }

    /// Logs an uncorrectable error in AER and in the Device Status register.
    mutating func logError(_ error: UncorrectableError) -> AERReport {
        let report = aer.log(error)
        config.noteError(report)
        return report
    }
}

/// What a posted write did.
public enum WriteOutcome: Hashable, Sendable {
    case accepted
    /// Not accepted: the completer's response (no completion is sent for a posted write) and
    /// what logging it in AER did.
    case unsupported(ErrorResponse, AERReport)
    /// Dropped because an FLR was in progress.
    case discardedDuringFLR
}

/// The completion of a memory read.
public struct ReadCompletion: Hashable, Sendable {
    public var status: CompletionStatus
    /// The bytes read, byte 0 at the read's offset; zero unless the status is `sc`.
    public var data: AccessValue
    /// Whether the read changed the device (a read-to-clear register).
    public var hadSideEffect: Bool
    /// The AER error the completer logged for an unsupported read.
    public var aer: AERReport?

    public init(status: CompletionStatus, data: AccessValue = .zero, hadSideEffect: Bool = false, aer: AERReport? = nil) {
        self.status = status
        self.data = data
        self.hadSideEffect = hadSideEffect
        self.aer = aer
    }
}
