import ArmMemory
import Platforms

/// An error at the device or on the link that a request runs into (docs/domain.md §3 "Errors").
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

    /// The short text used in evidence chains, e.g. `device CA`.
    public var chainText: String {
        switch self {
        case .unsupportedRequest: "device UR"
        case .completerAbort: "device CA"
        case .poisonedCompletion: "poisoned completion (EP)"
        case .poisonedWrite: "poisoned write (EP)"
        case .completionTimeout: "completion timeout"
        case .ecrc: "ECRC error"
        case .malformedTLP: "malformed TLP"
        case .unexpectedCompletion: "unexpected completion"
        case .linkDown: "link down"
        case .dpc: "DPC triggered"
        case .decodeMiss: "decode miss"
        }
    }

    /// The severity of the error message the PCIe default Uncorrectable Error Severity gives
    /// this error (docs/domain.md §3): malformed TLP and surprise down (link down, DPC) are fatal,
    /// the rest non-fatal; a decode miss is handled as an Unsupported Request.
    public var defaultSeverity: AERSeverity {
        switch self {
        case .malformedTLP, .linkDown, .dpc: .fatal
        case .unsupportedRequest, .completerAbort, .poisonedCompletion, .poisonedWrite, .completionTimeout, .ecrc,
             .unexpectedCompletion, .decodeMiss: .nonFatal
        }
    }
}

/// The severity of an uncorrectable error: which message (ERR_NONFATAL or ERR_FATAL) reports it.
public enum AERSeverity: String, Hashable, Sendable, Codable {
    case nonFatal = "non-fatal"
    case fatal

    /// The error message's name, e.g. `ERR_NONFATAL`.
    public var message: String { self == .fatal ? "ERR_FATAL" : "ERR_NONFATAL" }
}

/// The request an error hits.
public enum RequestKind: String, CaseIterable, Hashable, Sendable, Codable {
    /// A memory read (MRd, non-posted).
    case memoryRead = "memory-read"
    /// A memory write (MWr, posted: no completion).
    case memoryWrite = "memory-write"
    /// A configuration read (CfgRd, non-posted).
    case configRead = "config-read"
    /// A configuration write (CfgWr, non-posted).
    case configWrite = "config-write"

    /// Whether the request is a read (the core waits for data).
    public var isRead: Bool { self == .memoryRead || self == .configRead }

    /// Whether the request goes to configuration space.
    public var isConfig: Bool { self == .configRead || self == .configWrite }

    /// The kind the root complex answers for, or `nil` for a posted write (no completion).
    public var nonPosted: NonPostedRequest? {
        switch self {
        case .memoryRead: .memoryRead
        case .memoryWrite: nil
        case .configRead: .configRead
        case .configWrite: .configWrite
        }
    }
}

/// Who issued the access on the CPU.
public enum Issuer: String, CaseIterable, Hashable, Sendable, Codable {
    /// A guest vCPU, through its stage-2 mapping.
    case guestVCPU = "guest-vcpu"
    /// The VMM (host user space, EL0), through its vfio mapping.
    case vmm
    /// The host kernel (EL2 with VHE): vfio-pci, the PCI core, FLR.
    case host
}

/// An error that an incident cannot have, with the reason.
public struct IncidentError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The two ways an incident can be impossible.
    public enum Code: String, Hashable, Sendable {
        /// The error cannot happen on that kind of request.
        case errorDoesNotApply = "error-does-not-apply"
        /// The access as described cannot exist (a speculative Device read, a config access that is not Device).
        case impossibleAccess = "impossible-access"
    }

    public var code: Code
    public var message: String

    public var description: String { "\(code.rawValue): \(message)" }
}

/// An error and the access it hits: the input to ``ErrorRules/signal(for:errors:ras:)``.
public struct ErrorIncident: Hashable, Sendable {
    /// What went wrong at the device or on the link.
    public let error: ErrorKind
    /// The request the error hits.
    public let request: RequestKind
    /// Whether the request is a speculative read the program never consumes.
    public let speculative: Bool
    /// The effective memory type of the access (after stage-1 and stage-2 combining).
    public let memoryType: MemoryType
    /// Who issued the access.
    public let issuer: Issuer
    /// The severity of the error message, where one is sent.
    public let severity: AERSeverity
    /// Whether the error was injected (a fault) rather than the device model's own answer.
    public let injected: Bool
    /// The platform profile's name, for evidence text.
    public let platform: String

    /// Describes an incident, rejecting combinations that cannot happen.
    ///
    /// - Parameters:
    ///   - severity: the message severity; `nil` takes ``ErrorKind/defaultSeverity``.
    /// - Throws: ``IncidentError`` when the error cannot happen on the request (a poisoned
    ///   completion or completion timeout on a posted write, a poisoned write on a read), when a
    ///   speculative read is not a Normal memory read, or when a config access is not Device
    ///   (Linux maps ECAM Device-nGnRnE: `pci_remap_cfgspace`).
    public init(error: ErrorKind, request: RequestKind, memoryType: MemoryType, issuer: Issuer = .guestVCPU,
                platform: String, speculative: Bool = false, severity: AERSeverity? = nil,
                injected: Bool = true) throws(IncidentError) {
        switch error {
        case .poisonedCompletion where !request.isRead:
            throw IncidentError(code: .errorDoesNotApply, message: "a poisoned completion needs a read: a \(request.rawValue) gets no data back")
        case .poisonedWrite where request.isRead:
            throw IncidentError(code: .errorDoesNotApply, message: "a poisoned write needs a write: a \(request.rawValue) carries no data")
        case .completionTimeout where request == .memoryWrite, .unexpectedCompletion where request == .memoryWrite:
            throw IncidentError(code: .errorDoesNotApply, message: "\(error.rawValue) needs a non-posted request: a memory-write has no completion")
        default:
            break
        }
        if speculative && (request != .memoryRead || memoryType.isDevice) {
            throw IncidentError(code: .impossibleAccess, message: "only Normal memory reads are speculative, not a \(memoryType.displayName) \(request.rawValue)")
        }
        if request.isConfig && !memoryType.isDevice {
            throw IncidentError(code: .impossibleAccess, message: "config space is mapped Device (pci_remap_cfgspace), not \(memoryType.displayName)")
        }
        self.error = error
        self.request = request
        self.speculative = speculative
        self.memoryType = memoryType
        self.issuer = issuer
        self.severity = severity ?? error.defaultSeverity
        self.injected = injected
        self.platform = platform
    }
}
