import ArmMemory
import Diagnostics
import Faults
import MMIOTrace
import PCIeTransport
import Platforms
import ReplayEngine
import SeededRandom

/// One experiment to run: a fault, and where in the golden run to fork it from.
struct PlannedExperiment: Sendable {
    var fault: Fault
    /// The experiment forks from the golden run after `forkStep - 1` steps: just before the
    /// step that sends the fault's TLP (0: from the start).
    var forkStep: Int
    /// How many TLPs matching the fault the golden run sent before the fork.
    var matchesSoFar: Int
    /// The occurrences (`#N` of the fault's register and request) it stands for: its pruning
    /// class, in golden-run order.
    var members: [Int]
    /// How many sites the experiment stands for (its pruning class's size).
    var weight: Int { members.count }

    /// ``members`` as ranges, `3,5-9`.
    var membersText: String {
        var parts: [String] = []
        var i = 0
        while i < members.count {
            var j = i
            while j + 1 < members.count, members[j + 1] == members[j] + 1 { j += 1 }
            parts.append(i == j ? "\(members[i])" : "\(members[i])-\(members[j])")
            i = j + 1
        }
        return parts.joined(separator: ",")
    }
}

/// What a fault-space expansion gives for one golden run.
struct FaultPlan: Sendable {
    /// Faults the space selects (before pruning).
    var sites: Int
    var experiments: [PlannedExperiment]
}

extension CampaignSpec.FaultSpace {
    /// The experiments of this fault space over the TLPs of a golden run (docs/campaigns.md,
    /// "Fault sites" and "Pruning").
    ///
    /// - Parameters:
    ///   - log: The golden run's fault sites and context epochs.
    ///   - topology: The trace's topology (names of regions and devices).
    ///   - errors: The platform's error parameters (how long an error may take to its verdict).
    ///   - pruning: Whether equivalent sites share one experiment.
    func plan(log: SiteLog, topology: Topology, errors: ErrorParameters, pruning: Bool) -> FaultPlan {
        if case .list(let faults) = sites { return explicitPlan(faults, log: log, topology: topology) }
        var candidates: [(site: Int, kind: FaultKind, occurrence: Int)] = []
        var occurrences: [SiteTarget: Int] = [:]
        for (index, site) in log.sites.enumerated() {
            guard site.region != nil || site.request.isConfig else { continue }
            let target = SiteTarget(device: site.device, region: site.region, offset: site.offset, request: site.request)
            occurrences[target, default: 0] += 1
            guard requests.map({ $0.contains(site.request) }) ?? true,
                  match.map({ matches($0, site, topology) }) ?? true else { continue }
            for kind in kinds where kind.applies(to: site.request) {
                candidates.append((index, kind, occurrences[target]!))
            }
        }
        let selected: [Int] = switch sites {
        case .every, .list: Array(candidates.indices)
        case .everyNth(let n): candidates.indices.filter { ($0 + 1) % n == 0 }
        case .sample(let n, let seed): Self.sample(n, of: candidates.count, seed: seed)
        }
        var experiments: [PlannedExperiment] = []
        var classes: [PruningClass: Int] = [:]
        for c in selected {
            let (index, kind, occurrence) = candidates[c]
            let site = log.sites[index]
            if pruning, let key = pruningClass(kind: kind, site: site, log: log, errors: errors) {
                if let representative = classes[key] {
                    experiments[representative].members.append(occurrence)
                    continue
                }
                classes[key] = experiments.count
            }
            let fault = Fault(kind: kind, site: .tlp(TLPMatch(Self.target(site, topology), request: site.request), .nth(occurrence)),
                              location: SourceLocation.campaign)
            experiments.append(PlannedExperiment(fault: fault, forkStep: site.step, matchesSoFar: occurrence - 1, members: [occurrence]))
        }
        return FaultPlan(sites: selected.count, experiments: experiments)
    }

    /// Faults listed in the spec, each crossed with the kinds that apply to its site; they are
    /// never pruned. A TLP site forks where it first fires in the golden run; event and time
    /// sites (and TLP sites that never fire) run from the start.
    private func explicitPlan(_ faults: [Fault], log: SiteLog, topology: Topology) -> FaultPlan {
        var experiments: [PlannedExperiment] = []
        for listed in faults {
            for kind in kinds {
                var fault = listed
                fault.kind = kind
                switch fault.site {
                case .time: guard kind.isLinkEvent else { continue }
                case .tlp(let match, _): guard match.request.map(kind.applies(to:)) ?? true else { continue }
                case .event: break
                }
                let (step, before) = Self.firstFiring(fault, log: log, topology: topology)
                experiments.append(PlannedExperiment(fault: fault, forkStep: step, matchesSoFar: before, members: [before + 1]))
            }
        }
        return FaultPlan(sites: experiments.count, experiments: experiments)
    }

    /// The step where a TLP fault first fires in the golden run, and the matches before it;
    /// (0, 0) for other sites and for faults that never fire.
    private static func firstFiring(_ fault: Fault, log: SiteLog, topology: Topology) -> (step: Int, before: Int) {
        guard case .tlp(_, let occurrence) = fault.site else { return (0, 0) }
        var counter = OccurrenceCounter(occurrence)
        for site in log.sites {
            let device = topology.devices[Int(site.device)]
            guard fault.counts(tlpRegion: site.region.map { topology.regions[Int($0)].name }, offset: site.offset, device: device.name,
                               bdf: device.bdf, request: site.request) else { continue }
            let before = counter.matches
            if counter.fires() { return (site.step, before) }
        }
        return (0, 0)
    }

    private func matches(_ match: TLPMatch, _ site: FaultSiteRecord, _ topology: Topology) -> Bool {
        let device = topology.devices[Int(site.device)]
        return match.matches(tlpRegion: site.region.map { topology.regions[Int($0)].name }, offset: site.offset, device: device.name,
                             bdf: device.bdf, request: site.request)
    }

    /// The fault target that names exactly this site's register: `REGION+OFFSET`, or
    /// `cfg DEVICE+OFFSET` for configuration requests.
    static func target(_ site: FaultSiteRecord, _ topology: Topology) -> TLPMatch.Target {
        if let region = site.region { return .region(topology.regions[Int(region)].name, offsets: site.offset...site.offset) }
        return .config(device: topology.devices[Int(site.device)].name, offsets: site.offset...site.offset)
    }

    /// `n` distinct indices of `0..<count` drawn with `seed` (a partial Fisher-Yates shuffle
    /// driven by SplitMix64), in increasing order.
    static func sample(_ n: Int, of count: Int, seed: UInt64) -> [Int] {
        guard n < count else { return Array(0..<count) }
        var indices = Array(0..<count)
        var random = SplitMix64(seed: seed)
        for i in 0..<n {
            let j = i + Int(random.next() % UInt64(count - i))
            indices.swapAt(i, j)
        }
        return indices[..<n].sorted()
    }

    /// The pruning class of a fault at a site, or nil when the site must run on its own: link
    /// faults (they strike whatever follows), and sites whose error could still be on its way
    /// when the next context epoch begins (docs/campaigns.md, "Pruning").
    func pruningClass(kind: FaultKind, site: FaultSiteRecord, log: SiteLog, errors: ErrorParameters) -> PruningClass? {
        guard !kind.isLinkEvent else { return nil }
        if site.epoch < log.epochStarts.count {
            let next = log.epochStarts[site.epoch]
            guard next > site.timePs + Self.horizon(kind, errors) else { return nil }
        }
        return PruningClass(kind: kind, request: site.request, device: site.device, region: site.region, offset: site.offset,
                            bytes: site.bytes, agent: site.agent, type: site.type, accesses: site.accesses, speculative: site.speculative,
                            epoch: site.epoch)
    }

    /// The longest an error of `kind` may take from its TLP to its verdict, in picoseconds: the
    /// error signal and SError latencies, plus the completion timeout for kinds that end in one,
    /// plus 10 µs for the trip through the link and the root complex.
    static func horizon(_ kind: FaultKind, _ errors: ErrorParameters) -> UInt64 {
        let timesOut = kind == .completionTimeout || kind == .malformed || kind == .unexpectedCompletion || kind == .ecrc
        let ns = errors.errorSignalLatency + errors.serrorLatency + (timesOut ? errors.completionTimeout : 0) + 10_000
        return UInt64(max(ns, 0)) * 1_000
    }
}

/// A register as a fault target: the TLPs that one fault text counts.
struct SiteTarget: Hashable {
    var device: DeviceID
    var region: RegionID?
    var offset: UInt64
    var request: RequestKind
}

/// Fault sites that neither the device nor the verdict rules can tell apart: the same kind,
/// request, register, size, issuer, effective type, merging and speculation, in the same
/// context epoch (docs/campaigns.md, "Pruning").
struct PruningClass: Hashable {
    var kind: FaultKind
    var request: RequestKind
    var device: DeviceID
    var region: RegionID?
    var offset: UInt64
    var bytes: Int
    var agent: Int32
    var type: MemoryType
    var accesses: UInt16
    var speculative: Bool
    var epoch: Int
}

extension SourceLocation {
    /// Where a campaign's generated faults come from.
    static let campaign = SourceLocation(file: "campaign", line: 0, column: 0)
}
