/// The outcome of one injected error or one hazard (docs/domain.md §4, "Verdicts").
///
/// Verdicts compare by severity in the order of docs/domain.md's table, with ``notFired`` below
/// ``none``: `max()` over the verdicts of one case gives its worst outcome.
public enum Verdict: String, CaseIterable, Hashable, Sendable, Codable, Comparable {
    /// The fault's target access never happened. Not counted as ``none``; neutral for containment.
    case notFired = "not-fired"
    /// No architecturally visible effect (masked, ignored syndrome, unconsumed speculation).
    case none
    /// The guest got fabricated data or lost a write with no error signal.
    case guestSilent = "guest-silent"
    /// A synchronous abort or virtual SError delivered to the guest only.
    case guestAbort = "guest-abort"
    /// The host kernel refused to map the region into the guest (a memslot -EINVAL, a fault
    /// -EFAULT): the guest's accesses never reach the device, and the VM cannot use it.
    case mappingRefused = "mapping-refused"
    /// The host routed the external abort to the VMM (Linux 6.19+, `KVM_CAP_ARM_SEA_TO_USER`),
    /// which handles it in user space; the host kernel keeps running.
    case vmmHandled = "vmm-handled"
    /// The host (AER driver, firmware, a signal to the VMM) handled it; the host keeps running.
    case hostHandled = "host-handled"
    /// A guest write reached the device after the host began reclaiming it.
    case postReclaimWrite = "post-reclaim-write"
    /// State shared with another guest or the host changed (GICv2 VCPU interface).
    case crossGuest = "cross-guest"
    /// An effective cacheable type on device memory (tag access, late eviction).
    case forbiddenAttribute = "forbidden-attribute"
    /// Uncontained: the whole host goes down.
    case hostPanic = "host-panic"

    /// The spelling in reports, e.g. `host-panic`.
    public var name: String { rawValue }

    /// Whether the effect stays within the guest that caused it (docs/domain.md §4's "contained?").
    ///
    /// ``notFired`` counts as contained: nothing happened, so nothing escaped.
    public var contained: Bool {
        switch self {
        case .notFired, .none, .guestSilent, .guestAbort, .mappingRefused, .vmmHandled, .hostHandled: true
        case .postReclaimWrite, .crossGuest, .forbiddenAttribute, .hostPanic: false
        }
    }

    /// The position in docs/domain.md's severity order: 0 for ``notFired`` up to 10 for ``hostPanic``.
    public var severity: Int { Verdict.allCases.firstIndex(of: self)! }

    public static func < (lhs: Verdict, rhs: Verdict) -> Bool { lhs.severity < rhs.severity }
}

/// Verdicts key JSON objects by name (e.g. a count per verdict).
extension Verdict: CodingKeyRepresentable {}

extension Verdict: CustomStringConvertible {
    public var description: String { name }
}

/// Where a verdict comes from.
public enum VerdictOrigin: String, CaseIterable, Hashable, Sendable, Codable {
    /// An injected fault.
    case injected
    /// The device model's own error answer (a UR or CA it gives without any fault).
    case device
    /// A hazard that needs no fault (post-reclaim write, cross-guest, forbidden attribute).
    case hazard
    /// The host kernel's own decision (a refused mapping).
    case kernel
}
