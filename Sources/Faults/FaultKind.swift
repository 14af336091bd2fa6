import PCIeTransport

/// The kind of error a fault injects (docs/domain.md §3), spelled as in the fault grammar.
///
/// Each kind applies to some requests only (``applies(to:)``): a fault counts and fires on a TLP
/// only when its kind applies to that TLP's request. Only ``linkDown`` and ``dpc`` may be placed
/// at a time and take a duration (``isLinkEvent``).
public enum FaultKind: String, CaseIterable, Hashable, Sendable, Codable {
    /// Unsupported Request: the completer answers a non-posted request with status UR, or logs
    /// a posted write as UR and signals it with AER. Any request.
    case ur = "UR"
    /// Completer Abort: as ``ur`` with status CA. Any request.
    case ca = "CA"
    /// The completion of a read carries poisoned data (EP set). Reads only (MRd, CfgRd).
    case poisonedCompletion = "poisoned-completion"
    /// A posted write arrives with EP set: the completer drops the data and signals AER. MWr only.
    case poisonedWrite = "poisoned-write"
    /// Poisoned data on whichever data TLP comes first: ``poisonedCompletion`` on a read,
    /// ``poisonedWrite`` on a write (``effective(for:)``). MRd, CfgRd and MWr; aer-inject's
    /// `POISON_TLP`, which names a device rather than a transaction.
    case poisoned = "poisoned"
    /// The completion never arrives: the requester's completion timer expires. Non-posted
    /// requests only (MRd, CfgRd, CfgWr).
    case completionTimeout = "completion-timeout"
    /// The TLP fails its end-to-end CRC check at the receiver, which drops it. Any request.
    case ecrc = "ECRC"
    /// The device discards the TLP as malformed (a fatal error by default); a read that caused
    /// it ends in completion timeout. Any request.
    case malformed = "malformed"
    /// The completion for this request does not match an outstanding request at the requester
    /// (as after an FLR), so the requester drops it; the request then times out. Non-posted
    /// requests only.
    case unexpectedCompletion = "unexpected-completion"
    /// Surprise down: the link to the device goes down at the TLP or time, for the fault's
    /// duration (nil: until the end). Outstanding non-posted requests complete with UR, posted
    /// ones are discarded. Any request, a time or an event.
    case linkDown = "link-down"
    /// A Downstream Port Containment trigger at the TLP or time: the port isolates the link for
    /// the fault's duration (nil: until the end), with DPC's completion behaviour. Any request,
    /// a time or an event.
    case dpc = "DPC"
    /// The root complex decodes the TLP's address to no window: the request never reaches the
    /// link (an undeliverable write, or an error response to a read). Any request.
    case decodeMiss = "decode-miss"
    /// A correctable error (ERR_COR) logged by the device while the TLP completes normally:
    /// aer-inject's `COR_STATUS`. Any request.
    case correctable = "correctable"

    /// The canonical spelling.
    public var spelling: String { rawValue }

    /// The kind spelled `spelling`, in any case.
    public init?(spelling: some StringProtocol) {
        guard let kind = Self.allCases.first(where: { $0.rawValue.lowercased() == spelling.lowercased() }) else { return nil }
        self = kind
    }

    /// Whether a fault of this kind can fire on a TLP for `request`.
    @inlinable
    public func applies(to request: RequestKind) -> Bool {
        switch self {
        case .ur, .ca, .ecrc, .malformed, .linkDown, .dpc, .decodeMiss, .correctable: true
        case .poisonedCompletion: request.isRead
        case .poisonedWrite: request == .memoryWrite
        case .poisoned: request != .configWrite
        case .completionTimeout, .unexpectedCompletion: !request.isPosted
        }
    }

    /// Whether the kind acts on the link rather than one TLP: it may be placed at a time and
    /// take a duration (``linkDown``, ``dpc``).
    public var isLinkEvent: Bool { self == .linkDown || self == .dpc }

    /// The kind that fires on a TLP for `request`: ``poisoned`` becomes ``poisonedCompletion``
    /// on a read and ``poisonedWrite`` on a write; every other kind is itself.
    @inlinable
    public func effective(for request: RequestKind) -> FaultKind {
        guard self == .poisoned else { return self }
        return request == .memoryWrite ? .poisonedWrite : .poisonedCompletion
    }

    /// The error a fault of this kind makes happen on `request`, where it acts on that request
    /// itself: the one conversion from the fault grammar to the error vocabulary. `nil` for a
    /// correctable error (no uncorrectable error at all) and for kinds that do not apply to the
    /// request; link faults give the error every request they strike meets.
    public func error(on request: RequestKind) -> ErrorKind? {
        guard applies(to: request) else { return nil }
        return switch effective(for: request) {
        case .ur: .unsupportedRequest
        case .ca: .completerAbort
        case .poisonedCompletion: .poisonedCompletion
        case .poisonedWrite: .poisonedWrite
        case .completionTimeout: .completionTimeout
        case .ecrc: .ecrc
        case .malformed: .malformedTLP
        case .unexpectedCompletion: .unexpectedCompletion
        case .linkDown: .linkDown
        case .dpc: .dpc
        case .decodeMiss: .decodeMiss
        case .correctable, .poisoned: nil
        }
    }
}

extension FaultKind: CustomStringConvertible {
    public var description: String { rawValue }
}
