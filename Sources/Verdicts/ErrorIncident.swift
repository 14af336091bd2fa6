import ArmMemory
import PCIeTransport
import Platforms

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
