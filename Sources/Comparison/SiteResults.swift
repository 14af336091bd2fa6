import ArmMemory
import CampaignStore
import Verdicts

/// One fault site's result: an experiment row expanded to each site of its pruning class.
struct SiteKey: Hashable, Comparable {
    /// Everything that names the site except the dimension being compared (policy or platform).
    var context: String
    /// The fault text without its occurrence, e.g. `UR at bar0+0x44 read`.
    var register: String
    var occurrence: Int

    static func < (a: SiteKey, b: SiteKey) -> Bool { (a.context, a.register, a.occurrence) < (b.context, b.register, b.occurrence) }

    /// The fault text of this site, e.g. `UR at bar0+0x44 read #3`.
    var fault: String { "\(register) #\(occurrence)" }
}

/// What compare needs of an experiment row.
struct SiteResult {
    var verdict: Verdict
    /// The row (representative) the verdict comes from.
    var experiment: Int
}

/// Every fault site of the rows (each row expanded to the occurrences of its pruning class),
/// grouped by the first part of `key` and keyed by its second part (the site's context) with
/// the register and occurrence.
func expandSites(_ rows: [ExperimentRecord], key: (ExperimentRecord) -> (group: String, context: String)) -> [String: [SiteKey: SiteResult]] {
    var sites: [String: [SiteKey: SiteResult]] = [:]
    for (index, row) in rows.enumerated() {
        guard let (register, _) = row.registerAndOccurrence else { continue }
        let (group, context) = key(row)
        for occurrence in row.memberOccurrences {
            sites[group, default: [:]][SiteKey(context: context, register: register, occurrence: occurrence)] = SiteResult(verdict: row.verdict, experiment: index)
        }
    }
    return sites
}

/// The dimension a comparison pairs results across.
public enum ComparisonDimension: String, CaseIterable, Sendable {
    /// Policies, under the same platform, trace and schedule.
    case policy
    /// Platforms, under the same policy.
    case platform
    /// Kernel versions of kernel policies (`linux-6.9`), under the same CPU, capabilities,
    /// platform, trace and schedule; rows of other policies are left out.
    case kernel
}

/// A kernel policy's name split into its version (`linux-6.17`) and the rest (`:cpu=fwb,dic`).
func kernelVersionAndRest(_ policy: String) -> (version: String, rest: String)? {
    guard case .success(let kernel) = KernelPolicy.parse(policy) else { return nil }
    let version = "linux-\(kernel.version)"
    return (version, String(kernel.name.dropFirst(version.count)))
}

extension ExperimentRecord {
    /// The fault text split into the register part and its occurrence (`#N`), if it has one.
    var registerAndOccurrence: (register: String, occurrence: Int)? {
        guard let hash = fault.lastIndex(of: "#"), let n = Int(fault[fault.index(after: hash)...]) else { return nil }
        return (String(fault[..<hash].dropLast()), n)
    }

    /// The occurrences this row stands for (its ``members`` ranges; its own when empty).
    var memberOccurrences: [Int] {
        guard !members.isEmpty else { return registerAndOccurrence.map { [$0.occurrence] } ?? [] }
        return members.split(separator: ",").flatMap { part -> [Int] in
            let bounds = part.split(separator: "-").compactMap { Int($0) }
            guard let low = bounds.first else { return [] }
            return Array(low...(bounds.last ?? low))
        }
    }

    /// The value of the compared dimension (the group), and the rest of the site's context.
    func split(by dimension: ComparisonDimension) -> (group: String, context: String) {
        let rest = "\(trace)\u{1F}\(schedule)\u{1F}\(seed.map(String.init) ?? "-")"
        switch dimension {
        case .policy: return (policy, "\(platform)\u{1F}\(rest)")
        case .platform: return (platform, "\(policy)\u{1F}\(rest)")
        case .kernel:
            let kernel = kernelVersionAndRest(policy) ?? (policy, "")
            return (kernel.version, "\(platform)\(kernel.rest)\u{1F}\(rest)")
        }
    }
}
