/// Receives what a replay does over time (for `replay --timeline`): spans for writes gathering
/// in a core's buffer, transactions crossing the interconnect, TLPs on each link direction and
/// device resets; instants for program events, device accesses, injected faults and verdicts.
/// The engine builds entries only when an observer is set.
public protocol TimelineObserver: AnyObject {
    func record(_ entry: TimelineEntry)
}

/// One span or instant of a replay's timeline.
public struct TimelineEntry: Hashable, Sendable {
    /// Where an entry is drawn; tracks sort in this order.
    public enum Track: Hashable, Sendable, Comparable {
        /// An agent's program events (by agent index).
        case agent(Int)
        /// An agent's write-combining and dirty cache lines.
        case writeBuffer(Int)
        /// A path from the serialisation point (`mmio`, `ecam`, `platform`, by ``Transaction/Path``).
        case interconnect(Int)
        case linkDownstream
        case linkUpstream
        /// What a device received, and its resets (by device index).
        case device(Int)
        /// Injected faults and verdicts.
        case outcomes
    }

    public var track: Track
    /// The track's display name (`vcpu0`, `write buffer vcpu0`, `link ↓`, `nvme0`, ...).
    public var trackName: String
    public var name: String
    /// `program`, `write-buffer`, `interconnect`, `tlp`, `device`, `reset`, `fault`, `verdict`.
    public var category: String
    public var startPs: UInt64
    /// The end of a span; nil for an instant.
    public var endPs: UInt64?
    /// Details shown when the entry is selected, in this order.
    public var details: [Detail]

    public struct Detail: Hashable, Sendable {
        public var key: String
        public var value: String
    }

    public init(track: Track, trackName: String, name: String, category: String, startPs: UInt64, endPs: UInt64? = nil,
                details: KeyValuePairs<String, String> = [:]) {
        self.track = track
        self.trackName = trackName
        self.name = name
        self.category = category
        self.startPs = startPs
        self.endPs = endPs
        self.details = details.map { Detail(key: $0.key, value: $0.value) }
    }
}
