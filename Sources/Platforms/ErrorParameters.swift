import PCIeTransport

/// How a platform turns PCIe errors into what the CPU sees (docs/domain.md §3 "Errors", §4 steps 1
/// and 4, §5): the root complex's response table, undeliverable writes, how posted-write
/// errors are signalled, DPC, and firmware-first handling.
public struct ErrorParameters: Hashable, Sendable {
    /// The root complex's answer to the CPU for each error on each kind of non-posted request.
    public var rootComplexResponse: RootComplexResponseTable
    /// What the CPU sees for a posted write that cannot be delivered (link down, DPC, no window).
    public var undeliverableWrite: UndeliverableWrite
    /// How an error on a posted write (no completion exists) reaches software.
    public var postedErrorSignalling: PostedErrorSignalling
    /// Whether Downstream Port Containment is enabled on the root port.
    public var dpc: Bool
    /// How DPC completes outstanding non-posted requests (UR or CA).(the DPC Completion Control).
    public var dpcCompletion: ErrorResponse
    /// On firmware-first platforms, whether the firmware claims a synchronous external abort
    /// (APEI/GHES) so that the host handles it.
    public var firmwareClaimsSEA: Bool
    /// From an error message (ERR_*) reaching the root port to the AER interrupt, or to the
    /// firmware's SError/SEA on firmware-first platforms, in ns.
    public var errorSignalLatency: Int
    /// From an error response reaching the core to an asynchronous SError being taken, in ns.
    public var serrorLatency: Int
    /// The root port's Completion Timeout: how long a non-posted request waits for its
    /// completion before the root complex ends it with a completion-timeout error, in ns.
    public var completionTimeout: Int

    public init(rootComplexResponse: RootComplexResponseTable, undeliverableWrite: UndeliverableWrite,
                postedErrorSignalling: PostedErrorSignalling, dpc: Bool, dpcCompletion: ErrorResponse, firmwareClaimsSEA: Bool,
                errorSignalLatency: Int, serrorLatency: Int, completionTimeout: Int) {
        self.rootComplexResponse = rootComplexResponse
        self.undeliverableWrite = undeliverableWrite
        self.postedErrorSignalling = postedErrorSignalling
        self.dpc = dpc
        self.dpcCompletion = dpcCompletion
        self.firmwareClaimsSEA = firmwareClaimsSEA
        self.errorSignalLatency = errorSignalLatency
        self.serrorLatency = serrorLatency
        self.completionTimeout = completionTimeout
    }
}

/// What the interconnect returns to the core for a request: OKAY with data (possibly
/// fabricated), or an error response (AXI SLVERR/DECERR).
public enum BusResponse: String, Hashable, Sendable, CaseIterable {
    /// OKAY with all-ones data (what PCIe software conventionally sees for a failed read).
    case okayAllOnes = "okay-all-ones"
    /// OKAY with zero data.
    case okayZeros = "okay-zeros"
    /// Slave error.
    case slverr
    /// Decode error.
    case decerr
}

/// The root complex's bus response for each (error, request) pair of
/// ``ErrorKind/rootComplexAnswered`` × ``RequestKind/nonPosted``; every pair has an entry.
public struct RootComplexResponseTable: Hashable, Sendable {
    private var entries: [ErrorKind: [RequestKind: BusResponse]]

    /// A table answering every pair with `response`, then adjusted with ``set(_:for:_:)``.
    public init(uniform response: BusResponse) {
        entries = Dictionary(uniqueKeysWithValues: ErrorKind.rootComplexAnswered.map { error in
            (error, Dictionary(uniqueKeysWithValues: RequestKind.nonPosted.map { ($0, response) }))
        })
    }

    /// The response to `error` (one of ``ErrorKind/rootComplexAnswered``) on the non-posted `request`.
    public func response(to error: ErrorKind, on request: RequestKind) -> BusResponse {
        guard let response = entries[error]?[request] else {
            preconditionFailure("the root complex table answers \(ErrorKind.rootComplexAnswered) on non-posted requests, not \(error) on \(request)")
        }
        return response
    }

    /// The response to `error` on `request`, as ``response(to:on:)`` and ``set(_:for:_:)``.
    public subscript(error: ErrorKind, request: RequestKind) -> BusResponse {
        get { response(to: error, on: request) }
        set { set(newValue, for: error, request) }
    }

    public mutating func set(_ response: BusResponse, for error: ErrorKind, _ request: RequestKind) {
        precondition(entries[error]?[request] != nil, "the root complex table has no entry for \(error) on \(request)")
        entries[error]![request] = response
    }
}

/// What happens to a posted write that cannot be delivered.
public enum UndeliverableWrite: String, Hashable, Sendable, CaseIterable {
    /// Dropped silently: the write response is OKAY.
    case silentDrop = "silent-drop"
    /// An error on the write response (SLVERR), which the core takes as an SError.
    case errorResponse = "error-response"
}

/// How an error on a posted write (or any ERR_* message) reaches software.
public enum PostedErrorSignalling: String, Hashable, Sendable, CaseIterable {
    /// Native AER: the root port raises an interrupt, the host's AER driver handles it.
    case aerInterrupt = "aer-interrupt"
    /// Firmware first, as an SError (with the syndrome ``RASParameters/firmwareSyndrome``).
    case firmwareFirstSError = "firmware-first-serror"
    /// Firmware first, as a synchronous external abort.
    case firmwareFirstSEA = "firmware-first-sea"
}

/// The core's RAS behaviour for external aborts (docs/domain.md §4 steps 2 and 3): which load
/// errors are precise, and which syndrome an SError carries.
public struct RASParameters: Hashable, Sendable {
    /// Whether the core implements FEAT_RAS (SErrors carry a syndrome); without it an SError
    /// has no syndrome and KVM cannot tell what it was.
    public var featRAS: Bool
    /// Whether errors on Device loads are taken as a synchronous external abort (FEAT_ADERR, or
    /// an implementation that does); otherwise as an SError.
    public var deviceLoadPrecise: Bool
    /// Whether errors on Normal loads are precise (FEAT_ANERR, or the implementation).
    public var normalLoadPrecise: Bool
    /// The syndrome (ESR_ELx.AET) of an SError, per class of access.
    public var syndromes: SyndromeTable
    /// The syndrome a firmware-first SError carries.
    public var firmwareSyndrome: Syndrome
    /// Whether an error on a speculative (never consumed) Normal load is signalled at all.
    public var speculativeErrorsSignalled: Bool

    public init(featRAS: Bool, deviceLoadPrecise: Bool, normalLoadPrecise: Bool, syndromes: SyndromeTable,
                firmwareSyndrome: Syndrome, speculativeErrorsSignalled: Bool) {
        self.featRAS = featRAS
        self.deviceLoadPrecise = deviceLoadPrecise
        self.normalLoadPrecise = normalLoadPrecise
        self.syndromes = syndromes
        self.firmwareSyndrome = firmwareSyndrome
        self.speculativeErrorsSignalled = speculativeErrorsSignalled
    }
}

/// The syndrome per class of access (memory type class × load/store).
public struct SyndromeTable: Hashable, Sendable {
    public var deviceLoad: Syndrome
    public var deviceStore: Syndrome
    public var normalLoad: Syndrome
    public var normalStore: Syndrome

    public init(deviceLoad: Syndrome, deviceStore: Syndrome, normalLoad: Syndrome, normalStore: Syndrome) {
        self.deviceLoad = deviceLoad
        self.deviceStore = deviceStore
        self.normalLoad = normalLoad
        self.normalStore = normalStore
    }
}

/// An SError's syndrome (Arm ARM: ESR_ELx.AET with IDS=0, or IDS=1, or none).
public enum Syndrome: String, Hashable, Sendable, CaseIterable {
    /// Uncontainable.
    case uc
    /// Unrecoverable.
    case ueu
    /// Restartable.
    case uer
    /// Signalled/latent (the error did not propagate).
    case ueo
    /// Corrected.
    case ce
    /// IMPLEMENTATION DEFINED syndrome (IDS = 1).
    case implementationDefined = "implementation-defined"
    /// Uncategorized (no AET information).
    case uncategorized
}
