import PCIeTransport

/// Outcomes the engine reaches before, or instead of, the error rules: errors that end at the
/// device (masked, correctable), incidents that cannot exist, and faults that struck nothing.
public enum IncidentRules {
    /// An uncorrectable error masked in the device's AER Uncorrectable Error Mask: the status is
    /// logged, no error message is sent, so nothing reaches software.
    public static func masked(_ error: ErrorKind, on request: RequestKind) -> VerdictDerivation {
        VerdictDerivation(verdict: .none, evidence: [Evidence(
            rule: .aerMasked, inputs: "\(error.chainText) on \(request.rawValue)",
            result: "masked in the device's AER Uncorrectable Error Mask: status logged, no message",
            source: "PCIe Base Spec (Advanced Error Reporting)")])
    }

    /// An injected correctable error: ERR_COR, which the host's AER driver logs and ignores.
    public static func correctable() -> VerdictDerivation {
        VerdictDerivation(verdict: .none, evidence: [Evidence(
            rule: .correctableError, inputs: "correctable error (ERR_COR)", result: "logged by the host's AER driver, no action",
            source: "PCIe Base Spec (correctable errors); drivers/pci/pcie/aer.c")])
    }

    /// An error that cannot happen on the request it was aimed at (``IncidentError``).
    public static func impossible(_ error: ErrorKind, on request: RequestKind, because reason: IncidentError) -> VerdictDerivation {
        VerdictDerivation(verdict: .none, evidence: [Evidence(
            rule: .impossibleIncident, inputs: "\(error.rawValue) on \(request.rawValue)", result: reason.description,
            source: "docs/verdicts.md")])
    }

    /// A fault whose site never occurred (`not-fired`), or that occurred `fired` times but hit
    /// no request (`none`: a link outage with nothing in flight).
    public static func unused(fault: String, fired: Int) -> VerdictDerivation {
        if fired == 0 {
            return VerdictDerivation(verdict: .notFired, evidence: [Evidence(
                rule: .faultSite, inputs: fault, result: "the site never occurred in this replay", source: "docs/faults.md")])
        }
        return VerdictDerivation(verdict: .none, evidence: [Evidence(
            rule: .faultWithoutEffect, inputs: fault, result: "fired \(fired) time\(fired == 1 ? "" : "s") but hit no request",
            source: "docs/faults.md")])
    }
}
