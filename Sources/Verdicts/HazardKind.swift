/// A driver hazard (docs/domain.md §4): the guest's own business, reported but not a verdict.
public enum HazardKind: String, CaseIterable, Hashable, Sendable, Codable {
    /// Writes merged into a size the device does not accept.
    case mergedSize = "merged-size"
    /// An access reached the device after a later access of the same agent.
    case outOfOrder = "out-of-order"
    /// A read answered from a buffered write instead of the device.
    case readFromBuffer = "read-from-buffer"
    /// A speculative read of a register with read side effects.
    case speculativeReadSensitive = "speculative-read-sensitive"
    /// A cacheable access (linefill or write-back) to device memory.
    case cacheableDeviceAccess = "cacheable-device-access"
    /// A guest access to a region its stage 2 no longer maps.
    case stage2Fault = "stage2-fault"
    /// An access outside every declared region.
    case outsideRegion = "outside-region"
    /// A guest write that reached its device after a reset the guest (or the VMM for it)
    /// requested, with no reclaim: the driver raced its own reset.
    case afterOwnReset = "after-own-reset"
    /// A guest access and a VMM (or host) access to the same bytes through mappings of
    /// different types, the first not yet at the device: nothing orders the two aliases.
    case mismatchedAlias = "mismatched-alias"
}

/// Hazard kinds key JSON objects by name (e.g. a count per kind).
extension HazardKind: CodingKeyRepresentable {}
