import ArmMemory

/// Verdicts that need no injected fault: the access itself, or when it lands, is the finding
/// (docs/domain.md §0 hazards 2 and 3, §6, §7 scenarios 3, 6 and 7).
public enum HazardRules {
    /// Decides whether a guest write that reached the device during reclaim is `post-reclaim-write`
    /// (docs/domain.md §6).
    ///
    /// The reset is the boundary: a write that reaches the device before the reset does belongs to
    /// the old owner and is wiped by the reset; one that reaches it after the reset began is the
    /// hazard, unless the function discards it inside the reset window. Without a reset, the
    /// stage-2 unmap is the boundary. Only a reclaim reset counts (``DeviceReset/isReclaim``): a
    /// reset the guest asked for itself, or the VMM did for it while its mappings stayed, is the
    /// owner's business, so without an unmap such a write is `none` (docs/domain.md §10).
    public static func postReclaimWrite(_ write: ReclaimedWrite) -> VerdictDerivation {
        if write.reset == nil, write.stage2Unmap == nil {
            let owner = write.ownerReset.map { "reset requested by the \($0.requester.rawValue) at \($0.start) ns" } ?? "no reset"
            return VerdictDerivation(verdict: .none, evidence: [Evidence(
                rule: .resetByOwner, inputs: "write at \(write.arrival) ns; \(owner); no stage-2 unmap, no teardown",
                result: "the device's owner reset it: not a reclaim",
                source: "docs/domain.md §10 (who reclaims): only an unmap, a teardown or a host-issued reset begins a reclaim")])
        }
        var evidence = [completionGuarantee(write)]
        let verdict: Verdict
        if let reset = write.reset {
            let times = "write at \(write.arrival) ns, reset reached the device at \(reset.start) ns, ready at \(reset.ready) ns"
            if write.arrival < reset.start {
                evidence.append(Evidence(rule: .writeBeforeReset, inputs: times, result: "write reached the device before the reset",
                                         source: "docs/domain.md §6: the reset wipes what the old owner wrote"))
                verdict = .none
            } else if write.arrival < reset.ready && reset.discardsWrites {
                evidence.append(Evidence(rule: .writeDiscardedDuringReset, inputs: times, result: "write discarded inside the reset window",
                                         source: "docs/domain.md §6; docs/domain.md §3: during FLR the function may discard posted writes (device model parameter)"))
                verdict = .none
            } else {
                let when = write.arrival < reset.ready ? "inside the reset window, not discarded" : "after the device became ready"
                evidence.append(Evidence(rule: .writeAfterReset, inputs: times, result: "write reached the device \(when)",
                                         source: "docs/domain.md §4 verdicts: a guest write that reached the device after its reset"))
                verdict = .postReclaimWrite
            }
        } else if let unmap = write.stage2Unmap {
            let times = "write at \(write.arrival) ns, stage-2 unmap at \(unmap) ns, no reclaim reset"
            if write.arrival < unmap {
                evidence.append(Evidence(rule: .writeBeforeUnmap, inputs: times, result: "write reached the device before the unmap",
                                         source: "docs/domain.md §4 verdicts: post-reclaim-write starts at the stage-2 unmap"))
                verdict = .none
            } else {
                evidence.append(Evidence(rule: .writeAfterUnmap, inputs: times, result: "write reached the device after the unmap, with no reset between",
                                         source: "docs/domain.md §4 verdicts: a guest write that reached the device after the host began reclaiming it"))
                verdict = .postReclaimWrite
            }
        } else {
            preconditionFailure("handled above: neither a reclaim reset nor an unmap")
        }
        return VerdictDerivation(verdict: verdict, evidence: evidence)
    }

    /// What unmap + TLBI + DSB guarantees for a write of this effective type (docs/domain.md §6's table).
    private static func completionGuarantee(_ write: ReclaimedWrite) -> Evidence {
        guard write.awaitedByDSB else {
            return Evidence(
                rule: .reclaimCompletion, inputs: "\(write.effectiveType.displayName) guest write; no DSB waited for it; \(write.platform): \(write.orderingFacts)",
                result: "\(write.effectiveType.displayName) write never waited for: it may stay in its path for any finite time, past a reset on another path",
                source: "docs/domain.md §10 timing freedom (Arm ARM B2.10.2: only a DSB waits for completion)")
        }
        let guarantee = switch write.effectiveType {
        case .deviceNGnRnE: "complete at the endpoint or ordered onto the link before the reset"
        case .deviceNGnRE, .deviceNGRE, .deviceGRE: "complete at the serialisation point; ahead of the reset only if ECAM and MMIO are ordered"
        case .normalNC, .normalWT, .normalWB: "complete at the serialisation point, maybe merged or reordered; ahead of the reset only if ECAM and MMIO are ordered"
        }
        return Evidence(
            rule: .reclaimCompletion, inputs: "\(write.effectiveType.displayName) guest write; \(write.platform): \(write.orderingFacts)",
            result: "\(write.effectiveType.displayName) write \(guarantee)",
            source: "docs/domain.md §6 (Arm ARM B2.10.2: nE completes at the endpoint where the system requires acks; PCIe ordering table: a non-posted request may not pass a posted write)")
    }

    /// Decides whether an access to a region whose state other guests share is `cross-guest`
    /// (docs/domain.md §0, §7 scenario 6).
    ///
    /// The rule: on shared state (the GICv2 VCPU interface), any access with a Normal effective
    /// type (speculative reads, merged and reordered writes), or a write with a gathering Device
    /// type (Device-GRE), is `cross-guest`; the non-gathering Device types are `none`.
    public static func crossGuest(region: RegionKind, effectiveType: MemoryType, isWrite: Bool, policy: String) -> VerdictDerivation {
        let type = effectiveType.displayName
        guard region == .gicv2VCPUInterface else {
            return VerdictDerivation(verdict: .none, evidence: [Evidence(
                rule: .sharedStateRegion, inputs: "\(region.rawValue) under \(policy)", result: "\(region.rawValue): state owned by this guest",
                source: "docs/domain.md §0: only the GICv2 VCPU interface's state is shared between guests")])
        }
        let shared = Evidence(
            rule: .sharedStateRegion, inputs: "\(region.rawValue) under \(policy)", result: "\(region.rawValue): state shared between guests",
            source: "docs/domain.md §0: the GICv2 VCPU interface stays Device because it is shared")
        let access = isWrite ? "write" : "read"
        let (result, verdict): (String, Verdict) = if !effectiveType.isDevice {
            ("\(type) \(access) of shared state: speculation, merging, reordering", .crossGuest)
        } else if isWrite && effectiveType == .deviceGRE {
            ("\(type) write of shared state: may be gathered", .crossGuest)
        } else {
            ("\(type) \(access): no speculation, no gathering", .none)
        }
        return VerdictDerivation(verdict: verdict, evidence: [shared, Evidence(
            rule: .sharedStateAccess, inputs: "\(type) \(access)", result: result,
            source: "docs/domain.md §0 and §7 scenario 6; Arm ARM B2.10.2 (G: gathering), §1 (Normal: speculative reads, merging)")])
    }

    /// Decides whether an access's effective type is `forbidden-attribute`: cacheable (Normal-WT
    /// or Normal-WB) on device memory (docs/domain.md §0 hazard 2, §1, §7 scenario 7).
    public static func forbiddenAttribute(region: RegionKind, effectiveType: MemoryType, policy: String) -> VerdictDerivation {
        let type = effectiveType.displayName
        let inputs = "\(type) on \(region.rawValue) under \(policy)"
        guard effectiveType.isCacheable else {
            return VerdictDerivation(verdict: .none, evidence: [Evidence(
                rule: .cacheableDeviceMemory, inputs: inputs, result: "\(type): not cacheable",
                source: "docs/domain.md §1: only a cacheable effective type on device memory is a finding")])
        }
        let why = effectiveType == .normalWB
            ? "linefills read the device, dirty lines written back at any time (after reclaim too), tag access (MTE)"
            : "linefills read the device, stale lines outlive reclaim"
        return VerdictDerivation(verdict: .forbiddenAttribute, evidence: [Evidence(
            rule: .cacheableDeviceMemory, inputs: inputs, result: "\(type) on device memory: \(why)",
            source: "docs/domain.md §0 hazard 2, §1; Arm ARM B2.10.5 (Normal cacheable memory)")])
    }
}

/// A guest write that reached its device while the host was reclaiming it: the facts
/// ``HazardRules/postReclaimWrite(_:)`` needs, times in ns of the engine's clock.
public struct ReclaimedWrite: Hashable, Sendable {
    /// The write's effective memory type.
    public var effectiveType: MemoryType
    /// When the write reached the device.
    public var arrival: Int
    /// When the host removed the guest's stage-2 mapping (or tore the VM down), if it did.
    public var stage2Unmap: Int?
    /// The first reclaim reset of the device after the write was made (``DeviceReset/isReclaim``).
    public var reset: DeviceReset?
    /// The first reset of the device after the write was made that is not a reclaim (the guest's
    /// own, or the VMM's for it), when there is no reclaim reset.
    public var ownerReset: DeviceReset?
    /// The platform facts that decided the ordering, as text (e.g. `ECAM and MMIO not ordered in the interconnect`).
    public var orderingFacts: String
    /// The platform profile's name.
    public var platform: String
    /// Whether a DSB waited for the write (its own agent's, or the host's after a TLBI of its
    /// mapping): only then is it complete in docs/domain.md §1's sense.
    public var awaitedByDSB: Bool

    public init(effectiveType: MemoryType, arrival: Int, stage2Unmap: Int?, reset: DeviceReset?, ownerReset: DeviceReset? = nil,
                orderingFacts: String, platform: String, awaitedByDSB: Bool = true) {
        self.awaitedByDSB = awaitedByDSB
        self.effectiveType = effectiveType
        self.arrival = arrival
        self.stage2Unmap = stage2Unmap
        self.reset = reset
        self.ownerReset = ownerReset
        self.orderingFacts = orderingFacts
        self.platform = platform
    }
}

/// A device reset (an FLR, a hot reset, or a reset-controller write), as the device saw it.
public struct DeviceReset: Hashable, Sendable {
    /// When the reset request reached the device, in ns.
    public var start: Int
    /// When the device was ready again, in ns.
    public var ready: Int
    /// Whether the function discards posted writes while the reset is in progress.
    public var discardsWrites: Bool
    /// Who asked for it: the host kernel, the VMM, or the guest (its own Initiate FLR).
    public var requester: Issuer
    /// Whether the host had begun reclaiming the writer's VM (a stage-2 unmap or the teardown)
    /// when the reset reached the device.
    public var afterReclaimBegan: Bool

    public init(start: Int, ready: Int, discardsWrites: Bool, requester: Issuer = .host, afterReclaimBegan: Bool = true) {
        self.start = start
        self.ready = ready
        self.discardsWrites = discardsWrites
        self.requester = requester
        self.afterReclaimBegan = afterReclaimBegan
    }

    /// Whether the reset is part of a reclaim: issued by the host kernel (vfio's release or
    /// reset path), or by anyone once the host began reclaiming the VM (docs/domain.md §10).
    public var isReclaim: Bool { requester == .host || afterReclaimBegan }
}
