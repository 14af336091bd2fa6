/// The Completion Status field of a completion header, byte 6 bits 7:5 (PCIe Base Spec,
/// "Completion Rules"). The other encodings are reserved and decode as malformed.
public enum CompletionStatus: UInt8, CaseIterable, Hashable, Sendable {
    /// 000b, Successful Completion (SC).
    case successful = 0b000
    /// 001b, Unsupported Request (UR).
    case unsupportedRequest = 0b001
    /// 010b, Configuration Request Retry Status (CRS).
    case configurationRetry = 0b010
    /// 100b, Completer Abort (CA).
    case completerAbort = 0b100

    /// The spec's abbreviation: `SC`, `UR`, `CRS`, `CA`.
    public var abbreviation: String {
        switch self {
        case .successful: "SC"
        case .unsupportedRequest: "UR"
        case .configurationRetry: "CRS"
        case .completerAbort: "CA"
        }
    }
}
