/// An error at a device or on a link that a request runs into (PCIe Base Spec, "Error
/// Signaling and Logging"): the one error vocabulary of the project. Faults inject these,
/// device models answer with some of them, platform tables map them to bus responses, and the
/// verdict rules start from them.
public enum ErrorKind: String, CaseIterable, Hashable, Sendable, Codable {
    /// The completer answers Unsupported Request (a completion status, or logged for a posted write).
    case unsupportedRequest = "ur"
    /// The completer answers Completer Abort.
    case completerAbort = "ca"
    /// The read's completion carries poisoned data (EP set).
    case poisonedCompletion = "poisoned-completion"
    /// The write carries poisoned data (EP set).
    case poisonedWrite = "poisoned-write"
    /// No completion arrives in time.
    case completionTimeout = "completion-timeout"
    /// The TLP fails its end-to-end CRC check at its receiver.
    case ecrc
    /// The TLP is malformed; its receiver discards it.
    case malformedTLP = "malformed-tlp"
    /// A completion arrives that matches no outstanding request (late, or after an FLR).
    case unexpectedCompletion = "unexpected-completion"
    /// The link is down (surprise down) when the request reaches the root port.
    case linkDown = "link-down"
    /// Downstream Port Containment has been triggered on the root port.
    case dpc
    /// The address decodes to no root port or window.
    case decodeMiss = "decode-miss"

    /// The errors a non-posted request can end with at the root complex, which a platform's
    /// response table answers (the others are turned into one of these first).
    public static let rootComplexAnswered: [ErrorKind] = [.unsupportedRequest, .completerAbort, .poisonedCompletion, .completionTimeout, .decodeMiss]

    /// The uncorrectable error the detecting function logs in its AER status register: a
    /// decode miss is logged by the root port as an Unsupported Request, link down and DPC as
    /// Surprise Down.
    public var aerError: UncorrectableError {
        switch self {
        case .unsupportedRequest, .decodeMiss: .unsupportedRequest
        case .completerAbort: .completerAbort
        case .poisonedCompletion, .poisonedWrite: .poisonedTLP
        case .completionTimeout: .completionTimeout
        case .ecrc: .ecrc
        case .malformedTLP: .malformedTLP
        case .unexpectedCompletion: .unexpectedCompletion
        case .linkDown, .dpc: .surpriseDown
        }
    }

    /// The severity the PCIe default Uncorrectable Error Severity register gives the error it
    /// logs (malformed TLP and surprise down fatal, the rest non-fatal).
    public var defaultSeverity: AERSeverity { aerError.defaultSeverity }

    /// The completion status a completer answers with, for the errors that are one.
    public var completionStatus: CompletionStatus? {
        switch self {
        case .unsupportedRequest: .unsupportedRequest
        case .completerAbort: .completerAbort
        default: nil
        }
    }

    /// The error a completion status reports, if it reports one (CRS is not an error).
    public init?(_ status: CompletionStatus) {
        switch status {
        case .unsupportedRequest: self = .unsupportedRequest
        case .completerAbort: self = .completerAbort
        case .successful, .configurationRetry: return nil
        }
    }
}

/// The status of a completion that reports an error, UR or CA: how a device model answers an
/// access it does not support (or a non-posted request during FLR), and how DPC completes the
/// requests it contains.
public enum ErrorResponse: String, Hashable, Sendable, CaseIterable {
    /// Unsupported Request.
    case ur
    /// Completer Abort.
    case ca

    /// The error the answer is.
    public var error: ErrorKind { self == .ur ? .unsupportedRequest : .completerAbort }

    /// The completion status a read gets.
    public var completionStatus: CompletionStatus { error.completionStatus! }

    /// The AER uncorrectable error the completer logs.
    public var aerError: UncorrectableError { error.aerError }
}
