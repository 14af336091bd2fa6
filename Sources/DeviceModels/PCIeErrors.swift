import PCIeTransport

/// How a model answers an access it does not support, or a non-posted request during FLR.
public enum ErrorResponse: String, Hashable, Sendable, CaseIterable {
    /// Unsupported Request.
    case ur
    /// Completer Abort.
    case ca

    /// The completion status a read gets.
    public var completionStatus: CompletionStatus { self == .ur ? .unsupportedRequest : .completerAbort }

    /// The AER uncorrectable error the completer logs.
    public var aerError: UncorrectableError { self == .ur ? .unsupportedRequest : .completerAbort }
}

/// An uncorrectable error of the AER Uncorrectable Error Status register; the raw value is its
/// bit position there (PCIe Base Specification, AER capability).
public enum UncorrectableError: UInt8, Hashable, Sendable, CaseIterable {
    case dataLinkProtocol = 4
    case surpriseDown = 5
    case poisonedTLP = 12
    case flowControl = 13
    case completionTimeout = 14
    case completerAbort = 15
    case unexpectedCompletion = 16
    case receiverOverflow = 17
    case malformedTLP = 18
    case ecrc = 19
    case unsupportedRequest = 20

    /// The error's bit in the status, mask and severity registers.
    @inlinable public var bit: UInt32 { 1 << UInt32(rawValue) }

    /// Every defined bit; the others read 0 and ignore writes.
    public static let definedBits: UInt32 = allCases.reduce(0) { $0 | $1.bit }

    /// Fatal by default (docs/domain.md §3, the PCIe default severity 0x0006_2030): data link
    /// protocol, surprise down, flow control, receiver overflow, malformed TLP. Every other
    /// error is non-fatal.
    public static let defaultFatalBits: UInt32 = [dataLinkProtocol, surpriseDown, flowControl, receiverOverflow, malformedTLP]
        .reduce(0) { $0 | $1.bit }

    /// The spelling in model files, e.g. `unsupported-request`.
    public var name: String {
        switch self {
        case .dataLinkProtocol: "data-link-protocol"
        case .surpriseDown: "surprise-down"
        case .poisonedTLP: "poisoned-tlp"
        case .flowControl: "flow-control"
        case .completionTimeout: "completion-timeout"
        case .completerAbort: "completer-abort"
        case .unexpectedCompletion: "unexpected-completion"
        case .receiverOverflow: "receiver-overflow"
        case .malformedTLP: "malformed-tlp"
        case .ecrc: "ecrc"
        case .unsupportedRequest: "unsupported-request"
        }
    }
}

/// The severity the AER Uncorrectable Error Severity register gives an error: it decides
/// whether the function sends ERR_FATAL or ERR_NONFATAL.
public enum ErrorSeverity: String, Hashable, Sendable {
    case nonFatal = "non-fatal"
    case fatal
}

/// What logging one uncorrectable error did: its status bit is set whatever the mask says; an
/// unmasked error is also signalled with an error message of its severity.
public struct AERReport: Hashable, Sendable {
    public var error: UncorrectableError
    public var severity: ErrorSeverity
    /// Masked: status logged, no ERR_FATAL/ERR_NONFATAL message sent.
    public var masked: Bool

    public init(error: UncorrectableError, severity: ErrorSeverity, masked: Bool) {
        self.error = error
        self.severity = severity
        self.masked = masked
    }
}

/// The three registers of the AER extended capability the engine needs. All are sticky: a
/// Function Level Reset leaves them alone.
public struct AERRegisters: Hashable, Sendable {
    /// Uncorrectable Error Status (RW1C) at capability + 0x04.
    public var status: UInt32 = 0
    /// Uncorrectable Error Mask (RW) at capability + 0x08; 1 masks the error.
    public var mask: UInt32
    /// Uncorrectable Error Severity (RW) at capability + 0x0c; 1 means fatal.
    public var severity: UInt32

    public init(mask: UInt32 = 0, severity: UInt32 = UncorrectableError.defaultFatalBits) {
        self.mask = mask
        self.severity = severity
    }

    /// Sets the error's status bit and reports its severity and whether it is masked.
    @inlinable
    public mutating func log(_ error: UncorrectableError) -> AERReport {
        status |= error.bit
        return AERReport(error: error, severity: severity & error.bit != 0 ? .fatal : .nonFatal, masked: mask & error.bit != 0)
    }
}
