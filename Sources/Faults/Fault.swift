import Diagnostics
import MMIOTrace
import PCIeTransport

/// One error to inject: what (``kind``), where (``site``), for how long (``duration``), and
/// where the user wrote it (``location``).
///
/// ``description`` is the canonical text in the fault grammar (`docs/faults.md`), which
/// ``parse(_:location:)`` reads back to an equal fault. Equality and hashing ignore
/// ``location``: two faults are equal when they inject the same error at the same site.
public struct Fault: Hashable, Sendable {
    public var kind: FaultKind
    public var site: FaultSite
    /// How long a link fault or DPC keeps the link down, in nanoseconds; nil: until the end of
    /// the replay. Always nil for other kinds.
    public var duration: UInt64?
    /// Where the fault's text starts (a command-line argument, a trace header, a fault file).
    public var location: SourceLocation

    public init(kind: FaultKind, site: FaultSite, duration: UInt64? = nil, location: SourceLocation) {
        self.kind = kind
        self.site = site
        self.duration = duration
        self.location = location
    }

    public static func == (a: Fault, b: Fault) -> Bool {
        a.kind == b.kind && a.site == b.site && a.duration == b.duration
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(kind)
        hasher.combine(site)
        hasher.combine(duration)
    }

    /// Whether a TLP counts toward this fault's occurrence: the site is a TLP site whose match
    /// accepts the TLP, and the kind applies to its request.
    ///
    /// The parameters are those of ``TLPMatch/matches(tlpRegion:offset:device:bdf:request:)``.
    @inlinable
    public func counts(tlpRegion: String?, offset: UInt64, device: String, bdf: PCIAddress?, request: RequestKind) -> Bool {
        guard case .tlp(let match, _) = site, kind.applies(to: request) else { return false }
        return match.matches(tlpRegion: tlpRegion, offset: offset, device: device, bdf: bdf, request: request)
    }
}

extension Fault: CustomStringConvertible {
    /// The canonical text: `KIND at SITE [REQUEST] [OCCURRENCE] [for DURATION]`, with kinds,
    /// keywords and hex digits in their canonical case and the default occurrence (`first`) left out.
    public var description: String {
        var text = "\(kind) at "
        switch site {
        case .event(let n): text += "event \(n)"
        case .time(let ns): text += Self.timeText(ns)
        case .tlp(let match, let occurrence):
            text += Self.targetText(match.target)
            if let request = match.request { text += " \(request.spelling)" }
            if occurrence != .first { text += " \(occurrence)" }
        }
        if let duration { text += " for \(Self.timeText(duration))" }
        return text
    }

    /// A target in the grammar's spelling.
    public static func targetText(_ target: TLPMatch.Target) -> String {
        switch target {
        case .named(let name): name
        case .region(let name, let offsets): "\(name)+\(rangeText(offsets))"
        case .config(let device, let offsets): "cfg \(device)" + (offsets.map { "+\(rangeText($0))" } ?? "")
        case .address(let address): address.description
        }
    }

    private static func rangeText(_ offsets: ClosedRange<UInt64>) -> String {
        let low = "0x" + String(offsets.lowerBound, radix: 16)
        return offsets.lowerBound == offsets.upperBound ? low : "\(low)..0x\(String(offsets.upperBound, radix: 16))"
    }

    /// Nanoseconds in the largest unit that states them exactly: `5us`, `2ms`, `1500ns`, `0ns`.
    public static func timeText(_ nanoseconds: UInt64) -> String {
        for (unit, scale) in timeUnits.reversed() where nanoseconds != 0 && nanoseconds % scale == 0 {
            return "\(nanoseconds / scale)\(unit)"
        }
        return "\(nanoseconds)ns"
    }

    /// The time units, smallest first, with their size in nanoseconds.
    static let timeUnits: [(unit: String, scale: UInt64)] = [("ns", 1), ("us", 1_000), ("ms", 1_000_000), ("s", 1_000_000_000)]
}
