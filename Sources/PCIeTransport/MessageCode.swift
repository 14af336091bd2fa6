/// A message request's Message Code, header byte 7 (PCIe Base Spec, "Message Request Rules").
///
/// An open set: any code decodes; the error-signalling codes this project reasons about are
/// named ("Error Signaling Messages").
public struct MessageCode: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt8

    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// ERR_COR, 0011 0000b: a correctable error was detected.
    public static let errorCorrectable = MessageCode(rawValue: 0x30)
    /// ERR_NONFATAL, 0011 0001b: an uncorrectable, non-fatal error was detected.
    public static let errorNonFatal = MessageCode(rawValue: 0x31)
    /// ERR_FATAL, 0011 0011b: an uncorrectable, fatal error was detected.
    public static let errorFatal = MessageCode(rawValue: 0x33)
}

extension MessageCode: CustomStringConvertible {
    /// The spec's name for the error codes (`ERR_FATAL`), otherwise `Msg 0x..`.
    public var description: String {
        switch self {
        case .errorCorrectable: "ERR_COR"
        case .errorNonFatal: "ERR_NONFATAL"
        case .errorFatal: "ERR_FATAL"
        default: "Msg 0x" + String(rawValue, radix: 16)
        }
    }
}
