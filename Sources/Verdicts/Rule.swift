/// Every named rule that can appear in a verdict's evidence chain: the rule identifiers of
/// ``Evidence``, in one place. Each case says what the rule decides; docs/verdicts.md lists every
/// one with its sources (a test checks that it does).
public enum Rule: String, CaseIterable, Hashable, Sendable, Codable {
    // MARK: Engine: the access and its attributes, first links of every chain
    /// The CPU access an error or hazard concerns: agent, direction, size, place (the trace).
    case access
    /// The guest's stage-1 type, the policy's stage-2 attribute and the effective type (Arm ARM D8.6.5/D8.6.6).
    case stage1Stage2Combining = "stage1-stage2-combining"
    /// The effective type of a VMM or host access: its own mapping, no stage 2.
    case stage1Only = "stage1-only"
    /// The TLP that carried the access (PCIe Base Spec TLP types).
    case tlp
    // MARK: Engine: errors that end before the rules
    /// An error masked in the device's AER Uncorrectable Error Mask: status logged, no message, verdict none.
    case aerMasked = "aer-masked"
    /// An injected correctable error: ERR_COR, logged by the host's AER driver, verdict none.
    case correctableError = "correctable-error"
    /// An error that cannot happen on its request (IncidentError): verdict none.
    case impossibleIncident = "impossible-incident"
    /// An injected fault whose site never occurred: verdict not-fired.
    case faultSite = "fault-site"
    /// An injected link fault that fired but hit no request: verdict none.
    case faultWithoutEffect = "fault-without-effect"
    // MARK: Errors, phase 1: bus response, CPU exception, syndrome (docs/domain.md §4 steps 1-3)
    /// What went wrong and where: the device's own answer or an injected fault.
    case errorOrigin = "error-origin"
    /// A guest's config access is performed by the host (vfio-pci config emulation).
    case configAccessByHost = "config-access-by-host"
    /// An unexpected completion is discarded and reported with an error message; no CPU response.
    case unexpectedCompletion = "unexpected-completion"
    /// An error on a posted write: no CPU response, ERR_NONFATAL or ERR_FATAL per severity.
    case postedErrorMessage = "posted-error-message"
    /// A posted write that cannot be delivered (link down, DPC, no window): silent drop or SLVERR.
    case undeliverableWrite = "undeliverable-write"
    /// A malformed or ECRC-failing non-posted request is discarded and ends in completion timeout.
    case discardedRequestTimeout = "discarded-request-timeout"
    /// A poisoned configuration write is discarded and completed with UR.
    case poisonedConfigWriteUr = "poisoned-config-write-ur"
    /// A non-posted request to a link that is down, without DPC, completes with UR.
    case linkDownUr = "link-down-ur"
    /// A non-posted request contained by DPC completes with UR or CA (the DPC completion control).
    case dpcCompletion = "dpc-completion"
    /// The root complex's answer to the CPU for an errored non-posted request (OKAY+data, SLVERR, DECERR).
    case rcResponse = "rc-response"
    /// The RAS error record a compliant platform logs for a UR on a read (BSA e029): SERR=0x19, UE=1, ER=1, UET=3, PN=0, DE=0.
    case rasErrorRecord = "ras-error-record"
    /// OKAY with fabricated data on a consumed read: guest-silent for a guest, none otherwise.
    case fabricatedReadData = "fabricated-read-data"
    /// OKAY on a write that did not take effect: guest-silent for a guest, none otherwise.
    case writeLost = "write-lost"
    /// An error on a speculative Normal read that nothing consumes: none.
    case speculativeLoadUnconsumed = "speculative-load-unconsumed"
    /// An error on a speculative read on a platform that signals them: SError.
    case speculativeLoadSignalled = "speculative-load-signalled"
    /// An error response to a Device load: SEA if the core makes it precise, else SError.
    case deviceLoadError = "device-load-error"
    /// An error response to a Normal load: SEA if the core makes it precise, else SError.
    case normalLoadError = "normal-load-error"
    /// An error response to a store: always an SError (stores retire before the response).
    case storeError = "store-error"
    /// The syndrome a FEAT_RAS core (or the firmware) gives an SError.
    case serrorSyndrome = "serror-syndrome"
    /// How an error message reaches software: native AER, firmware-first SError or SEA.
    case postedErrorSignalling = "posted-error-signalling"
    /// An SError on a core without FEAT_RAS carries no syndrome.
    case serrorWithoutRas = "serror-without-ras"
    // MARK: Errors, phase 2: who takes the signal and what Linux/KVM does (docs/domain.md §4 step 4)
    /// Where the CPU that takes the signal is when it arrives (the engine's timing).
    case deliveryContext = "delivery-context"
    /// An SEA in guest context that firmware claims (APEI): host-handled.
    case kvmSeaApeiClaimed = "kvm-sea-apei-claimed"
    /// An SEA in guest context that firmware does not claim: virtual SError, guest-abort.
    case kvmSeaVirtualSerror = "kvm-sea-virtual-serror"
    /// Linux 6.19+ with KVM_CAP_ARM_SEA_TO_USER, an SEA the host does not own: exit to the VMM, vmm-handled.
    case kvmSeaToUser = "kvm-sea-to-user"
    /// Linux 6.19+ with KVM_CAP_ARM_SEA_TO_USER, an SEA the host owns (no FEAT_RAS): virtual SError, guest-abort.
    case kvmSeaHostOwned = "kvm-sea-host-owned"
    /// An SError without syndrome in guest context: virtual SError, guest-abort.
    case kvmSerrorNoRas = "kvm-serror-no-ras"
    /// An SError with IDS=1 in guest context: virtual SError, guest-abort.
    case kvmSerrorIds = "kvm-serror-ids"
    /// A CE or UEO SError in guest context: ignored, none.
    case kvmSerrorIgnored = "kvm-serror-ignored"
    /// A UEU or UER SError in guest context: virtual SError, guest-abort.
    case kvmSerrorRecoverable = "kvm-serror-recoverable"
    /// A UC or uncategorized SError in guest context: host-panic.
    case kvmSerrorUc = "kvm-serror-uc"
    /// A CE or UEO SError in host context: ignored, none.
    case hostSerrorIgnored = "host-serror-ignored"
    /// Any other SError in host context: host-panic.
    case hostSerrorPanic = "host-serror-panic"
    /// An SError the core raised for a VMM or host access is taken in host context.
    case hostIssuerContext = "host-issuer-context"
    /// An SEA on a VMM load that firmware claims: host-handled.
    case vmmSeaApeiClaimed = "vmm-sea-apei-claimed"
    /// An SEA on a VMM load: SIGBUS to the VMM, host-handled.
    case vmmSeaSigbus = "vmm-sea-sigbus"
    /// An SEA in the host kernel (or a firmware SEA outside guest context): host-panic.
    case hostKernelSea = "host-kernel-sea"
    /// A native AER interrupt: the host's AER driver handles it, host-handled.
    case aerNative = "aer-native"
    // MARK: Kernel policies: what KVM does with the VMA behind a region (docs/policies.md)
    /// An ordinary-memory pfn (in the linear map): stage 2 Normal-WB.
    case kvmS2Memory = "kvm-s2-memory"
    /// Device memory without VM_ALLOW_ANY_UNCACHED: stage 2 Device-nGnRE.
    case kvmS2Device = "kvm-s2-device"
    /// Device memory with VM_ALLOW_ANY_UNCACHED (vfio-pci, 6.9+): stage 2 Normal-NC.
    case kvmS2AllowAnyUncached = "kvm-s2-allow-any-uncached"
    /// Cacheable PFNMAP device memory on a CPU with FWB and DIC (6.17+): stage 2 Normal-WB.
    case kvmS2CacheablePfnmap = "kvm-s2-cacheable-pfnmap"
    /// Cacheable device memory before 6.17: mapped Device or Normal-NC, an attribute mismatch.
    case kvmS2CacheableMismatch = "kvm-s2-cacheable-mismatch"
    /// An MTE VM and a VMA without VM_MTE_ALLOWED: memslot -EINVAL, mapping-refused.
    case kvmMemslotMte = "kvm-memslot-mte"
    /// Cacheable PFNMAP device memory without FWB and DIC (6.17+): memslot -EINVAL, mapping-refused.
    case kvmMemslotCacheablePfnmap = "kvm-memslot-cacheable-pfnmap"
    /// An instruction fetch from a device mapping: -ENOEXEC and an instruction abort, mapping-refused.
    case kvmExecDevice = "kvm-exec-device"
    // MARK: Hazards that need no fault (docs/domain.md §0, §6)
    /// What stage-2 unmap + TLBI + DSB guarantees for a write of this effective type.
    case reclaimCompletion = "reclaim-completion"
    /// A write after a reset the device's owner asked for (the guest, or the VMM for it with the
    /// mappings in place), with no unmap: not a reclaim, none (a driver hazard at most).
    case resetByOwner = "reset-by-owner"
    /// A reclaimed write that reached the device before its reset: wiped with the old owner's state, none.
    case writeBeforeReset = "write-before-reset"
    /// A reclaimed write the function discarded inside the reset window: none.
    case writeDiscardedDuringReset = "write-discarded-during-reset"
    /// A reclaimed write that reached the device after its reset began: post-reclaim-write.
    case writeAfterReset = "write-after-reset"
    /// With no reset: a write that reached the device before the stage-2 unmap, none.
    case writeBeforeUnmap = "write-before-unmap"
    /// With no reset: a write that reached the device after the stage-2 unmap, post-reclaim-write.
    case writeAfterUnmap = "write-after-unmap"
    /// Whether a region's state is shared between guests (only the GICv2 VCPU interface).
    case sharedStateRegion = "shared-state-region"
    /// Whether an access type can change shared state unseen (Normal, or a gathering Device write): cross-guest.
    case sharedStateAccess = "shared-state-access"
    /// A cacheable effective type on device memory: forbidden-attribute.
    case cacheableDeviceMemory = "cacheable-device-memory"

    /// The rule's stable kebab-case name, e.g. `rc-response`.
    public var name: String { rawValue }
}
