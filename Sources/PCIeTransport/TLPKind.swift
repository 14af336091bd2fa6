/// What a TLP is: its Fmt and Type fields, header byte 0 (PCIe Base Spec, "Fmt[2:0] and
/// Type[4:0] Field Encodings"), restricted to the requests and completions this project models.
public enum TLPKind: Hashable, Sendable {
    /// MRd with a 3DW header (0x00): addresses below 4 GiB.
    case memoryRead32
    /// MRd with a 4DW header (0x20): addresses at or above 4 GiB.
    case memoryRead64
    /// MWr with a 3DW header (0x40): addresses below 4 GiB.
    case memoryWrite32
    /// MWr with a 4DW header (0x60): addresses at or above 4 GiB.
    case memoryWrite64
    /// CfgRd0 (0x04), a Type 0 configuration read.
    case configRead0
    /// CfgWr0 (0x44), a Type 0 configuration write.
    case configWrite0
    /// Cpl (0x0A), a completion without data.
    case completion
    /// CplD (0x4A), a completion with data.
    case completionWithData
    /// Msg (0x30–0x35), a message without data.
    case message(MessageRouting)
    /// MsgD (0x70–0x75), a message with data.
    case messageWithData(MessageRouting)

    /// Header byte 0: Fmt[2:0] in bits 7:5, Type[4:0] in bits 4:0.
    public var fmtType: UInt8 {
        switch self {
        case .memoryRead32: 0x00
        case .memoryRead64: 0x20
        case .memoryWrite32: 0x40
        case .memoryWrite64: 0x60
        case .configRead0: 0x04
        case .configWrite0: 0x44
        case .completion: 0x0a
        case .completionWithData: 0x4a
        case .message(let routing): 0x30 | routing.rawValue
        case .messageWithData(let routing): 0x70 | routing.rawValue
        }
    }

    /// The kind whose header byte 0 is `fmtType`, or nil for kinds not modelled (I/O, locked,
    /// Type 1 configuration, AtomicOps, TLP prefixes, reserved encodings).
    public init?(fmtType: UInt8) {
        switch fmtType {
        case 0x00: self = .memoryRead32
        case 0x20: self = .memoryRead64
        case 0x40: self = .memoryWrite32
        case 0x60: self = .memoryWrite64
        case 0x04: self = .configRead0
        case 0x44: self = .configWrite0
        case 0x0a: self = .completion
        case 0x4a: self = .completionWithData
        case 0x30...0x35: self = .message(MessageRouting(rawValue: fmtType & 0x7)!)
        case 0x70...0x75: self = .messageWithData(MessageRouting(rawValue: fmtType & 0x7)!)
        default: return nil
        }
    }

    /// Whether a data payload follows the header (Fmt bit 6).
    public var hasData: Bool { fmtType & 0x40 != 0 }

    /// The header length in bytes: 12 (3DW) or 16 (4DW), from Fmt bit 5.
    public var headerByteCount: Int { fmtType & 0x20 != 0 ? 16 : 12 }

    /// The ordering class: memory writes and messages are posted; reads and configuration
    /// writes are non-posted; Cpl and CplD are completions.
    public var category: TLPCategory {
        switch self {
        case .memoryWrite32, .memoryWrite64, .message, .messageWithData: .posted
        case .memoryRead32, .memoryRead64, .configRead0, .configWrite0: .nonPosted
        case .completion, .completionWithData: .completion
        }
    }

    /// The spec's mnemonic: `MRd32`, `MWr64`, `CfgWr0`, `CplD`, `Msg`, `MsgD`.
    public var mnemonic: String {
        switch self {
        case .memoryRead32: "MRd32"
        case .memoryRead64: "MRd64"
        case .memoryWrite32: "MWr32"
        case .memoryWrite64: "MWr64"
        case .configRead0: "CfgRd0"
        case .configWrite0: "CfgWr0"
        case .completion: "Cpl"
        case .completionWithData: "CplD"
        case .message: "Msg"
        case .messageWithData: "MsgD"
        }
    }
}
