import Diagnostics
import Faults
import PCIeTransport
import ReplayEngine

/// A campaign: traces × policies × platforms × schedules (× seeds) × a fault space
/// (docs/campaigns.md). Paths are as written, relative to ``directory``.
public struct CampaignSpec: Hashable, Sendable {
    /// One trace of the campaign.
    public struct Trace: Hashable, Sendable {
        /// The file, relative to the spec's directory unless absolute.
        public var path: String
        /// The input format (`mtrace`, `qemu-log`, ...); nil: detected from the content.
        public var format: String?
        /// A side file for what a capture does not record.
        public var map: String?
        /// The name in results (default: the file's name).
        public var name: String
        public var location: SourceLocation
    }

    /// Which of the TLPs a fault could strike become experiments.
    public enum Sites: Hashable, Sendable {
        /// Every matching TLP of the golden run.
        case every
        /// Every Nth matching TLP (the Nth, 2Nth, ... in golden-run order).
        case everyNth(Int)
        /// A random sample of N matching TLPs, drawn with the seed.
        case sample(Int, seed: UInt64)
        /// Sites in the fault grammar (`bar0+0x44 read #3`, `event 12`, `5us`), each crossed
        /// with every kind that applies to it.
        case list([Fault])
    }

    /// The faults to inject: kinds × sites, optionally restricted to matching TLPs.
    public struct FaultSpace: Hashable, Sendable {
        public var kinds: [FaultKind]
        public var sites: Sites
        /// Only TLPs matching this target (and request, if it names one).
        public var match: TLPMatch?
        /// Only TLPs carrying one of these requests; nil: any.
        public var requests: [RequestKind]?
    }

    public var name: String
    /// The directory relative paths start from.
    public var directory: String
    public var traces: [Trace]
    /// Policy names or files.
    public var policies: [String]
    /// Platform names or files.
    public var platforms: [String]
    /// Schedules, with random ones once per seed.
    public var schedules: [Schedule]
    /// Device model files.
    public var deviceModels: [String]
    /// Under the `explore` schedule: at most this many executions per experiment
    /// (`explore-executions`, default 64).
    public var exploreExecutions: Int = 64
    public var faults: FaultSpace
    /// The spec file's text, stored with the results.
    public var text: String
}
