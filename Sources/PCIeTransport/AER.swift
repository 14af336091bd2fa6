// Advanced Error Reporting: the severity of an uncorrectable error and its status-register bits.

/// The severity of an uncorrectable error: which message (ERR_NONFATAL or ERR_FATAL) reports it.
public enum AERSeverity: String, Hashable, Sendable, Codable {
    case nonFatal = "non-fatal"
    case fatal

    /// The error message's name, e.g. `ERR_NONFATAL`.
    public var message: String { self == .fatal ? "ERR_FATAL" : "ERR_NONFATAL" }
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

    /// The severity the default severity register gives this error.
    public var defaultSeverity: AERSeverity { Self.defaultFatalBits & bit != 0 ? .fatal : .nonFatal }

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
