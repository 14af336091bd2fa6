import Yams

extension Comparison {
    /// Whether a campaign spec's fault space is a sample (`sites: {sample: N}` or
    /// `{every: N}`), from the spec text the database keeps.
    public static func isSampled(specText: String) -> Bool {
        guard let spec = (try? Yams.load(yaml: specText)) as? [String: Any], let faults = spec["faults"] as? [String: Any],
              let sites = faults["sites"] as? [String: Any] else { return false }
        return sites["sample"] != nil || sites["every"] != nil
    }
}
