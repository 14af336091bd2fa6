import ArmMemory

/// The first links of every evidence chain: which access an error or hazard concerns, the
/// attributes it was made with, and the TLP that carried it. The replay engine knows the facts;
/// these rules say what they are and where they come from.
public enum AccessRules {
    /// Which way an access went, as chains write it.
    public enum Direction: String, Hashable, Sendable {
        case read = "R"
        case write = "W"
        case speculativeRead = "speculative R"
    }

    /// The access itself: `W 4 @bar0+0x44`.
    public static func access(agent: String, timeNs: UInt64, direction: Direction, size: Int, place: String) -> Evidence {
        Evidence(rule: .access, inputs: "\(agent) at \(timeNs) ns", result: "\(direction.rawValue) \(size) @\(place)", source: "the trace")
    }

    /// A guest access through stage 2: `[S1 Normal-NC, S2 Device-nGnRE → Device-nGnRE]`.
    public static func combining(policy: String, region: RegionKind, stage1: MemoryType, stage2: Stage2Attribute,
                                 effective: MemoryType) -> Evidence {
        let stage2Text: String = if case .type(let type) = stage2 { type.displayName } else { "FWB \(stage2.name.dropFirst(4))" }
        return Evidence(rule: .stage1Stage2Combining, inputs: "policy \(policy), \(region.rawValue)",
                        result: "[S1 \(stage1.displayName), S2 \(stage2Text) → \(effective.displayName)]",
                        source: stage2.isFWB ? "Arm ARM D8.6.6 (FWB=1)" : "Arm ARM D8.6.5 (FWB=0)")
    }

    /// A VMM or host access: its own stage-1 mapping decides, there is no stage 2.
    public static func ownMapping(agent: String, effective: MemoryType) -> Evidence {
        Evidence(rule: .stage1Only, inputs: agent, result: "[\(effective.displayName), no stage 2]",
                 source: "the trace's map lines (host and VMM mappings have no stage 2)")
    }

    /// The TLP that carried the access, e.g. `MRd`.
    public static func tlp(_ name: String, effective: MemoryType) -> Evidence {
        Evidence(rule: .tlp, inputs: "effective \(effective.name)", result: name, source: "PCIe Base Spec (TLP types)")
    }
}
