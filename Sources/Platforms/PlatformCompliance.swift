import PCIeTransport

/// Arm's platform compliance rules (the BSA/SBSA architecture compliance suite's PCIe exerciser
/// tests) that a profile can follow or break, each decided from the profile's parameters
/// (docs/platforms.md, "Compliance"). Rules the engine keeps whatever the profile says (no
/// merging of non-gathering Device writes, unaligned Normal writes completed) are listed too, so
/// that the table answers for every rule.
public enum ComplianceRule: String, CaseIterable, Hashable, Sendable {
    /// e003/e021: accesses to a BAR arrive in the order and gathering their memory type allows.
    case arrivalOrderAndGathering = "e003/e021"
    /// e022/e025: the sizes of Device-nG* writes are preserved (never merged).
    case writeSizesPreserved = "e022/e025"
    /// e029 (PCI_ER_07): a read of a BAR whose Memory Space Enable is off causes an external
    /// abort and a RAS error record SERR=0x19, UE=1, ER=1, UET=3, PN=0, DE=0.
    case memorySpaceDisabledRead = "e029"
    /// e039 (PCI_MM_03): an unaligned 32-bit write to a prefetchable BAR mapped Normal-NC or
    /// Normal-WT completes without an exception and reads back.
    case unalignedNormalWrite = "e039"

    /// What the rule asks, in one line.
    public var summary: String {
        switch self {
        case .arrivalOrderAndGathering: "accesses to a BAR arrive in the order their memory type allows, gathered only for G types"
        case .writeSizesPreserved: "Device-nG* writes keep their size (no merging)"
        case .memorySpaceDisabledRead: "a BAR read with Memory Space Enable off: external abort and RAS record SERR=0x19 UE=1 ER=1 UET=3 PN=0 DE=0"
        case .unalignedNormalWrite: "an unaligned 32-bit write to a Normal-NC/WT prefetchable BAR completes and reads back"
        }
    }

    /// The RAS error record fields e029 asks for, as the chain prints them.
    public static let pcieErrorRecord = "SERR=0x19 (PCIe error), UE=1, ER=1, UET=3 (UC), PN=0, DE=0"
}

/// Whether a profile follows one rule, and why.
public struct ComplianceCheck: Hashable, Sendable {
    public var rule: ComplianceRule
    public var follows: Bool
    public var reason: String
}

extension PlatformProfile {
    /// Every rule of ``ComplianceRule``, decided from this profile.
    public var compliance: [ComplianceCheck] { ComplianceRule.allCases.map(check) }

    /// Whether the profile follows `rule`.
    public func follows(_ rule: ComplianceRule) -> Bool { check(rule).follows }

    public func check(_ rule: ComplianceRule) -> ComplianceCheck {
        switch rule {
        case .arrivalOrderAndGathering:
            let buffers = transport.writeCombining.buffers
            return ComplianceCheck(rule: rule, follows: true, reason: buffers > 0
                ? "nG/nR types arrive in program order; G types gather in \(buffers) write-combining buffers"
                : "nG/nR types arrive in program order; no write-combining buffers, so G types never gather (allowed)")
        case .writeSizesPreserved:
            return ComplianceCheck(rule: rule, follows: true, reason: "the write path merges only gathering types")
        case .memorySpaceDisabledRead:
            let response = errors.rootComplexResponse.response(to: .unsupportedRequest, on: .memoryRead)
            let abort = response == .slverr || response == .decerr
            let reason = switch (abort, ras.featRAS) {
            case (true, true): "UR on a memory read → \(response.rawValue): an external abort, with a RAS error record (FEAT_RAS)"
            case (true, false): "UR on a memory read → \(response.rawValue), but no FEAT_RAS: no error record"
            case (false, _): "UR on a memory read → \(response.rawValue): no external abort"
            }
            return ComplianceCheck(rule: rule, follows: abort && ras.featRAS, reason: reason)
        case .unalignedNormalWrite:
            return ComplianceCheck(rule: rule, follows: true, reason: "Normal writes carry byte enables: any alignment inside a line completes")
        }
    }
}

extension ComplianceRule {
    /// The Markdown table of which profiles follow which rules (docs/platforms.md, "Compliance",
    /// is this text; a test checks it): one row per rule, one column per profile, `yes` or `no`.
    public static func markdownTable(_ profiles: [PlatformProfile]) -> String {
        var out = "| rule | what it asks | " + profiles.map { "`\($0.name)`" }.joined(separator: " | ") + " |\n"
        out += "|---|---|" + String(repeating: "---|", count: profiles.count) + "\n"
        for rule in allCases {
            out += "| \(rule.rawValue) | \(rule.summary) | " + profiles.map { $0.follows(rule) ? "yes" : "**no**" }.joined(separator: " | ") + " |\n"
        }
        return out
    }
}
