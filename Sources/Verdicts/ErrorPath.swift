import Platforms

/// What docs/domain.md §4 steps 1–3 made of an error incident: the signal software will see, and
/// the evidence so far. The result of ``ErrorRules/signal(for:errors:ras:)``.
public struct ErrorPath: Hashable, Sendable {
    /// How the error reaches software, if it does.
    public enum Signal: Hashable, Sendable {
        /// No signal; the verdict is already known (``Verdict/guestSilent`` or ``Verdict/none``).
        case none(Verdict)
        /// A synchronous external abort on the issuing load.
        case synchronousAbort
        /// An asynchronous SError from the core, with its syndrome (`nil`: no FEAT_RAS).
        case serror(Syndrome?)
        /// An error message raising the native AER interrupt on the root port.
        case aerInterrupt
        /// An error message that firmware turns into an SError (`nil`: no syndrome).
        case firmwareSError(Syndrome?)
        /// An error message that firmware turns into a synchronous external abort.
        case firmwareSEA
    }

    /// The incident the path starts from.
    public var incident: ErrorIncident
    /// Who performed the access on the CPU and so takes a synchronous or core-raised exception:
    /// the host for a guest's config access (vfio-pci emulates config space), else the issuer.
    public var performedBy: Issuer
    /// How the error reaches software.
    public var signal: Signal
    /// For an asynchronous signal, how long after its cause it is taken, in ns: after the error
    /// response reaches the core for an SError (``ErrorParameters/serrorLatency``), after the
    /// error message reaches the root port otherwise (``ErrorParameters/errorSignalLatency``).
    /// `nil` when nothing is signalled or the signal is synchronous.
    public var signalDelay: Int?
    /// The rules applied so far.
    public var evidence: [Evidence]

    public init(incident: ErrorIncident, performedBy: Issuer, signal: Signal, signalDelay: Int?, evidence: [Evidence]) {
        self.incident = incident
        self.performedBy = performedBy
        self.signal = signal
        self.signalDelay = signalDelay
        self.evidence = evidence
    }
}

/// Where the CPU that takes a signal is when the signal arrives, as the engine's timing found it.
public enum DeliveryContext: Hashable, Sendable {
    /// The issuing vCPU waits on the load, so it is in the guest by construction.
    case guestWaiting
    /// The issuing vCPU is running in the guest.
    case inGuest
    /// The SError is pending when the vCPU exits; KVM synchronises it (ESB) on the exit path.
    case pendingAtExit
    /// The vCPU has left the guest; the CPU is in the host.
    case afterExit(ExitReason)
    /// The CPU is in the host for another reason (the vCPU was never running, or is scheduled out).
    case hostContext

    /// Whether the signal is taken while the guest's context is live (KVM decides, not the host's handlers).
    public var isGuest: Bool {
        switch self {
        case .guestWaiting, .inGuest, .pendingAtExit: true
        case .afterExit, .hostContext: false
        }
    }
}

/// Why the vCPU left the guest before a late signal arrived.
public enum ExitReason: String, CaseIterable, Hashable, Sendable, Codable {
    /// An ordinary exit (MMIO emulation, interrupt, scheduling).
    case exit
    /// The VM is being torn down.
    case teardown
    /// The host is reclaiming the device (stage-2 unmap, reset).
    case reclaim
}
