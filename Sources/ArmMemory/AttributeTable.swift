/// For one region kind, the effective type of every guest stage-1 type under each of a list of
/// policies: the data behind the CLI's attribute table.
///
/// Encodes to JSON with types and attributes by name (`normal-nc`, `fwb-111`).
public struct AttributeTable: Hashable, Sendable, Encodable {
    /// One policy's column: its name, regime and stage-2 attribute for the region.
    public struct Column: Hashable, Sendable, Encodable {
        public var policy: String
        public var fwb: Bool
        public var stage2: Stage2Attribute
    }

    /// One guest stage-1 type and its effective type under each policy, in column order.
    public struct Row: Hashable, Sendable, Encodable {
        public var guest: MemoryType
        public var effective: [MemoryType]
    }

    public var region: RegionKind
    public var vmmStage1: MemoryType
    public var columns: [Column]
    /// One row per ``MemoryType``, strongest first.
    public var rows: [Row]

    /// Builds the table for `policies` (in the given order) on `region`.
    ///
    /// - Parameters:
    ///   - policies: The columns, left to right.
    ///   - region: The region kind the guest accesses.
    ///   - vmmStage1: The VMM's stage-1 type for the region (read by `vmm-stage1` choices).
    public init(policies: [AttributePolicy], region: RegionKind, vmmStage1: MemoryType = AttributePolicy.defaultVMMStage1) {
        self.region = region
        self.vmmStage1 = vmmStage1
        columns = policies.map {
            Column(policy: $0.name, fwb: $0.fwb, stage2: $0.stage2Attribute(for: region, vmmStage1: vmmStage1))
        }
        rows = MemoryType.allCases.map { guest in
            Row(guest: guest, effective: policies.map { $0.effectiveType(guest: guest, region: region, vmmStage1: vmmStage1) })
        }
    }
}
