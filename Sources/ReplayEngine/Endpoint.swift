import DeviceModels
import MMIOTrace
import PCIeTransport

/// A device as the engine sees it: its model's state, driven in simulated time.
struct Endpoint {
    private(set) var state: DeviceState

    init(model: DeviceModel) { state = DeviceState(model: model) }

    /// What a device made of a memory write.
    struct WriteResult {
        var outcome: WriteOutcome
        /// Whether the write was refused because of its size (or shape) at a register that exists.
        var sizeRejected: Bool

        var deviceOutcome: DeviceOutcome {
            switch outcome {
            case .accepted: DeviceOutcome(.accepted)
            case .unsupported(let response, _): DeviceOutcome(.writeRefused(response))
            case .discardedDuringFLR: DeviceOutcome(.discardedInReset)
            }
        }

        var isSizeRejection: Bool { sizeRejected }
    }

    mutating func write(bar: UInt8, offset: UInt64, size: Int, byteMask: UInt64, value: AccessValue, at time: SimTime) -> WriteResult {
        let outcome = state.write(bar: bar, offset: offset, size: size, data: value, byteEnables: byteMask,
                                  at: time.picoseconds)
        var sizeRejected = false
        if case .unsupported = outcome {
            // A register is there (it accepts some size), just not this one.
            sizeRejected = [1, 2, 4, 8].contains { state.acceptsSize(bar: bar, offset: offset, size: $0) }
        }
        return WriteResult(outcome: outcome, sizeRejected: sizeRejected)
    }

    mutating func read(bar: UInt8, offset: UInt64, size: Int, at time: SimTime) -> (status: CompletionStatus, value: AccessValue) {
        let completion = state.read(bar: bar, offset: offset, size: size, at: time.picoseconds)
        return (completion.status, AccessValue(words: completion.data.words))
    }

    mutating func config(write: Bool, offset: UInt16, size: Int, value: UInt32, at time: SimTime) -> (status: CompletionStatus, value: UInt32) {
        if write { return (state.configWrite(offset: Int(offset), size: size, value: value, at: time.picoseconds), 0) }
        let completion = state.configRead(offset: Int(offset), size: size, at: time.picoseconds)
        return (completion.status, completion.value)
    }

    /// Starts a reset of the function (FLR; a hot reset or reset-controller reset has the same
    /// effect on the function's state); returns when the device is ready again.
    mutating func reset(at time: SimTime) -> SimTime {
        state.initiateFLR(at: time.picoseconds)
        return SimTime(picoseconds: state.flrReadyAt)
    }

    /// When the device is ready again, if a reset of the function began exactly at `time` (a
    /// configuration write of Initiate FLR just arrived).
    func resetStarted(at time: SimTime) -> SimTime? {
        state.flrStartedAt == time.picoseconds ? SimTime(picoseconds: state.flrReadyAt) : nil
    }

    /// Offsets in `range` of BAR `bar` whose reads have side effects.
    func readSensitiveOffsets(bar: UInt8, in range: Range<UInt64>) -> [UInt64] {
        guard let layout = state.model.bar(bar) else { return [] }
        return layout.registers.map(\.offset).filter { range.contains($0) && state.isReadSensitive(bar: bar, offset: $0) }
    }

    /// The register at `offset` of BAR `bar`, named with its access type (`ICR (rc)`), for messages.
    func registerDescription(bar: UInt8, offset: UInt64) -> String? {
        state.model.bar(bar)?.registers.first { $0.offset == offset }.map { "\($0.name) (\($0.access.rawValue))" }
    }
}

