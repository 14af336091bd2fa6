/// Which part of a campaign a database holds: shard `index` of `count` (1-based), printed `I/N`.
public struct Shard: Hashable, Sendable, CustomStringConvertible {
    /// 1-based position among the shards.
    public var index: Int
    /// How many shards the campaign is split into.
    public var count: Int

    /// Shard `index` of `count`.
    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// The whole campaign: shard 1/1.
    public static let whole = Shard(index: 1, count: 1)

    /// `I/N`, e.g. `2/4`.
    public var description: String { "\(index)/\(count)" }
}

/// What a campaign is: the identity a database is bound to by `ResultStore.begin`.
public struct CampaignInfo: Hashable, Sendable {
    /// The campaign's name, for humans.
    public var name: String
    /// 16 hex digits over what decides the experiments (spec content, engine version).
    public var specHash: String
    /// The normalised spec text, for humans.
    public var spec: String
    /// The version of the engine that runs the experiments.
    public var engineVersion: String

    /// A campaign with these fields.
    public init(name: String, specHash: String, spec: String, engineVersion: String) {
        self.name = name
        self.specHash = specHash
        self.spec = spec
        self.engineVersion = engineVersion
    }
}

extension CampaignInfo {
    /// Whether `other` decides the same experiments: same spec hash and engine version.
    func isSameCampaign(as other: CampaignInfo) -> Bool {
        specHash == other.specHash && engineVersion == other.engineVersion
    }
}
