import MMIOTrace
import PCIeTransport

/// Where a fault fires: an event of the trace, the TLPs that match a pattern, or a point in time.
public enum FaultSite: Hashable, Sendable {
    /// The Nth event of the trace (1-based), whatever TLPs it produces.
    case event(Int)
    /// The TLPs that match, counted and fired as `Occurrence` says.
    case tlp(TLPMatch, Occurrence)
    /// A point in virtual time (link faults and DPC only).
    case time(nanoseconds: UInt64)
}

/// Which TLPs a fault watches: a target and an optional request filter.
public struct TLPMatch: Hashable, Sendable {
    /// What a TLP must be addressed to.
    public enum Target: Hashable, Sendable {
        /// Any TLP to the region or the device with this name (`at bar0`, `at nvme0`): the trace
        /// declares which it is, and a TLP matches if either its region or its device has the name.
        case named(String)
        /// TLPs to a region at an offset in an inclusive range (`at bar0+0x44`, `at bar0+0x40..0x4f`).
        case region(String, offsets: ClosedRange<UInt64>)
        /// Configuration requests to a device, optionally at an offset in an inclusive range
        /// (`at cfg nvme0`, `at cfg nvme0+0x4`).
        case config(device: String, offsets: ClosedRange<UInt64>?)
        /// Any TLP to the PCI function at this address (`at 0000:01:00.0`; aer-inject files).
        case address(PCIAddress)
    }

    public var target: Target
    /// The request a TLP must carry; nil matches any.
    public var request: RequestKind?

    public init(_ target: Target, request: RequestKind? = nil) {
        self.target = target
        self.request = request
    }

    /// Any TLP to the PCI function at `bdf`.
    public init(bdf: PCIAddress, request: RequestKind? = nil) {
        self.init(.address(bdf), request: request)
    }

    /// Whether a TLP matches.
    ///
    /// - Parameters:
    ///   - tlpRegion: The name of the region the TLP's address falls in, if any.
    ///   - offset: The offset in that region, or the configuration-space offset of a CfgRd/CfgWr.
    ///   - device: The name of the device the TLP goes to.
    ///   - bdf: That device's PCI address (nil for a platform device).
    ///   - request: The TLP's request.
    @inlinable
    public func matches(tlpRegion: String?, offset: UInt64, device: String, bdf: PCIAddress?, request: RequestKind) -> Bool {
        if let filter = self.request, filter != request { return false }
        switch target {
        case .named(let name): return tlpRegion == name || device == name
        case .region(let name, let offsets): return tlpRegion == name && offsets.contains(offset)
        case .config(let name, let offsets): return request.isConfig && device == name && offsets?.contains(offset) ?? true
        case .address(let address): return bdf == address
        }
    }
}

/// Which of the matching TLPs a fault fires on.
public enum Occurrence: Hashable, Sendable {
    /// The first match only (the default).
    case first
    /// Every match.
    case every
    /// The Nth match only (N ≥ 1).
    case nth(Int)
    /// Every Nth match: the Nth, 2Nth, ... (N ≥ 1).
    case everyNth(Int)
}

extension Occurrence: CustomStringConvertible {
    /// The grammar's spelling: `first`, `every`, `#N`, `every N`.
    public var description: String {
        switch self {
        case .first: "first"
        case .every: "every"
        case .nth(let n): "#\(n)"
        case .everyNth(let n): "every \(n)"
        }
    }
}

/// Counts the TLPs that match a fault and says whether the fault fires on each.
///
/// A value type with no allocation: the engine keeps one per fault (and copies it with a
/// snapshot) and calls ``fires()`` once per matching TLP.
public struct OccurrenceCounter: Hashable, Sendable {
    public let occurrence: Occurrence
    @usableFromInline var count = 0

    /// The matches counted so far.
    public var matches: Int { count }

    public init(_ occurrence: Occurrence) {
        self.occurrence = occurrence
    }

    /// A counter that has already counted `matchesSoFar` matching TLPs (a fault added to a
    /// replay midway, as if it had been there from the start).
    public init(_ occurrence: Occurrence, matchesSoFar: Int) {
        self.occurrence = occurrence
        count = matchesSoFar
    }

    /// Counts one more matching TLP; returns whether the fault fires on it.
    @inlinable
    public mutating func fires() -> Bool {
        count &+= 1
        switch occurrence {
        case .first: return count == 1
        case .every: return true
        case .nth(let n): return count == n
        case .everyNth(let n): return n > 0 && count % n == 0
        }
    }

    /// Whether no later match can fire (a `first` or `#N` fault that is past its match), so
    /// the engine may stop matching.
    public var isExhausted: Bool {
        switch occurrence {
        case .first: count >= 1
        case .nth(let n): count >= n
        case .every, .everyNth: false
        }
    }
}

extension TLPMatch.Target {
    /// The region or device name the target needs the trace to declare, and which kind: nil for
    /// a PCI address. `named` accepts either kind.
    public var requiredName: (name: String, region: Bool, device: Bool)? {
        switch self {
        case .named(let name): (name, true, true)
        case .region(let name, _): (name, true, false)
        case .config(let device, _): (device, false, true)
        case .address: nil
        }
    }
}
