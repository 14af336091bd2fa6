/// Everything the engine assumes about one platform, as named parameters (docs/domain.md §5: "every
/// platform or policy assumption is a parameter, not a constant").
///
/// A profile is one of the six built-ins (``builtIns``) or loaded from a YAML file
/// (``load(yaml:file:)``, ``resolve(_:)``); ``yaml`` writes it back. Parameters, units and the
/// built-in values are in `docs/platforms.md`.
public struct PlatformProfile: Hashable, Sendable {
    /// The longest duration a profile may give (one day, in nanoseconds): far beyond any real
    /// latency or timeout, and small enough that the replay's picosecond clock never wraps.
    public static let longestDurationNs = 86_400_000_000_000

    /// The name used on the command line, e.g. `split-ecam`.
    public var name: String
    /// One line saying what sets the platform apart.
    public var summary: String
    /// Where the numbers come from (a document, an estimate, a file).
    public var source: String
    /// The path from a core to a device register.
    public var transport: TransportParameters
    /// How PCIe errors become bus responses and error signals.
    public var errors: ErrorParameters
    /// How the core takes an error response: precision and syndromes.
    public var ras: RASParameters

    public init(name: String, summary: String, source: String, transport: TransportParameters, errors: ErrorParameters, ras: RASParameters) {
        self.name = name
        self.summary = summary
        self.source = source
        self.transport = transport
        self.errors = errors
        self.ras = ras
    }
}
