import ArmMemory
import Platforms

extension ErrorRules {
    /// docs/domain.md §4 step 4: who takes the signal, and what Linux/KVM (6.9) does with it.
    ///
    /// - Parameters:
    ///   - context: where the CPU is when an asynchronous signal arrives. A synchronous abort on
    ///     the issuing load ignores it (the load's vCPU is waiting, so it is in the guest), as do
    ///     the native AER interrupt and signals whose verdict is already known. An SError the core
    ///     raises for a VMM or host access is taken in host context whatever `context` says.
    ///   - kernel: under a kernel policy, the kernel, whose version and the VMM's
    ///     `KVM_CAP_ARM_SEA_TO_USER` decide where a guest's SEA goes (docs/policies.md); nil
    ///     for Linux 6.9 as the named policies assume.
    /// - Returns: the verdict, with the path's evidence followed by this step's.
    public static func verdict(for path: ErrorPath, context: DeliveryContext, errors: ErrorParameters,
                               ras: RASParameters, kernel: KernelPolicy? = nil) -> VerdictDerivation {
        var evidence = path.evidence
        let verdict: Verdict
        switch path.signal {
        case .none(let known):
            verdict = known
        case .aerInterrupt:
            evidence.append(Evidence(
                rule: .aerNative, inputs: "AER interrupt on the root port",
                result: "host AER driver handles it; vfio-pci reports it to the VMM",
                source: "drivers/pci/pcie/aer.c aer_irq; drivers/vfio/pci/vfio_pci_core.c vfio_pci_core_aer_err_detected (err_trigger eventfd)"))
            verdict = .hostHandled
        case .synchronousAbort:
            verdict = synchronousAbort(path, errors: errors, ras: ras, kernel: kernel, evidence: &evidence)
        case .firmwareSEA where context.isGuest:
            evidence.append(contextEvidence(context, ras: ras))
            verdict = guestSEA(path.incident.platform, errors: errors, ras: ras, kernel: kernel, evidence: &evidence)
        case .firmwareSEA:
            evidence.append(contextEvidence(context, ras: ras))
            verdict = kernelSEA(&evidence)
        case .serror(let syndrome) where path.performedBy != .guestVCPU:
            evidence.append(Evidence(
                rule: .hostIssuerContext, inputs: "SError for an access by \(path.performedBy.rawValue)",
                result: "issued by the \(path.performedBy == .vmm ? "VMM" : "host kernel"): host context",
                source: "docs/domain.md §4 step 4 [model]: the core raises it on the CPU that made the host access, which is in the host"))
            verdict = hostSError(syndrome, evidence: &evidence)
        case .serror(let syndrome), .firmwareSError(let syndrome):
            evidence.append(contextEvidence(context, ras: ras))
            verdict = context.isGuest ? guestSError(syndrome, evidence: &evidence) : hostSError(syndrome, evidence: &evidence)
        }
        return VerdictDerivation(verdict: verdict, evidence: evidence)
    }

    /// Where the signal is taken, as evidence.
    private static func contextEvidence(_ context: DeliveryContext, ras: RASParameters) -> Evidence {
        switch context {
        case .guestWaiting:
            Evidence(rule: .deliveryContext, inputs: "guest-waiting", result: "vCPU waiting on the load (in guest)",
                     source: "docs/domain.md §4 step 4: a vCPU waiting on a load is in guest context")
        case .inGuest:
            Evidence(rule: .deliveryContext, inputs: "in-guest", result: "vCPU in guest",
                     source: "arch/arm64/kvm/handle_exit.c handle_exit_early: ARM_EXCEPTION_EL1_SERROR → kvm_handle_guest_serror")
        case .pendingAtExit:
            Evidence(rule: .deliveryContext, inputs: "pending-at-exit, FEAT_RAS \(ras.featRAS ? "yes" : "no")",
                     result: ras.featRAS ? "pending at guest exit (ESB → DISR_EL1)" : "pending at guest exit (taken on the exit path)",
                     source: "arch/arm64/kvm/handle_exit.c handle_exit_early: ARM_SERROR_PENDING")
        case .afterExit(let reason):
            Evidence(rule: .deliveryContext, inputs: "after-exit (\(reason.rawValue))", result: "vCPU left the guest (\(reason.rawValue))",
                     source: "docs/domain.md §4 step 4: after the vCPU left the guest, the host takes it")
        case .hostContext:
            Evidence(rule: .deliveryContext, inputs: "host-context", result: "host context",
                     source: "docs/domain.md §4 step 4: outside the guest, the host takes it")
        }
    }

    /// The core's own synchronous external abort on a load, taken by whoever performed it.
    private static func synchronousAbort(_ path: ErrorPath, errors: ErrorParameters, ras: RASParameters, kernel: KernelPolicy?,
                                         evidence: inout [Evidence]) -> Verdict {
        switch path.performedBy {
        case .guestVCPU:
            evidence.append(contextEvidence(.guestWaiting, ras: ras))
            return guestSEA(path.incident.platform, errors: errors, ras: ras, kernel: kernel, evidence: &evidence)
        case .vmm:
            let claimed = firmwareClaims(errors)
            evidence.append(Evidence(
                rule: claimed ? .vmmSeaApeiClaimed : .vmmSeaSigbus,
                inputs: "SEA at EL0 (VMM), firmware-first \(firmwareFirst(errors) ? "yes" : "no"), firmwareClaimsSEA \(errors.firmwareClaimsSEA)",
                result: claimed ? "host: SEA claimed by firmware (APEI), VMM signalled" : "host: SEA at EL0 → SIGBUS to the VMM",
                source: claimed ? "arch/arm64/mm/fault.c do_sea → apei_claim_sea (user mode); ErrorParameters.firmwareClaimsSEA"
                    : "arch/arm64/mm/fault.c do_sea → arm64_notify_die → arm64_force_sig_fault (SIGBUS)"))
            return .hostHandled
        case .host:
            return kernelSEA(&evidence)
        }
    }

    /// An SEA taken while a guest's context is live: KVM asks APEI, else injects a virtual
    /// SError; from 6.19, when the VMM enabled `KVM_CAP_ARM_SEA_TO_USER`, an SEA the host does
    /// not own (it owns them on a CPU without FEAT_RAS, and on stage-2 table walks, which a
    /// replayed data access is not) exits to the VMM instead (ad9c62bd8946).
    private static func guestSEA(_ platform: String, errors: ErrorParameters, ras: RASParameters, kernel: KernelPolicy?,
                                 evidence: inout [Evidence]) -> Verdict {
        let claimed = firmwareClaims(errors)
        let inputs = "SEA from the guest, firmware-first \(firmwareFirst(errors) ? "yes" : "no"), firmwareClaimsSEA \(errors.firmwareClaimsSEA) (\(platform))"
        if !claimed, let kernel, kernel.version >= .seaToUser, kernel.seaToUser {
            guard ras.featRAS else {
                evidence.append(Evidence(
                    rule: .kvmSeaHostOwned, inputs: inputs + "; Linux \(kernel.version), KVM_CAP_ARM_SEA_TO_USER, FEAT_RAS no",
                    result: "KVM: an SEA on a CPU without FEAT_RAS is the host's → virtual SError",
                    source: "arch/arm64/kvm/mmu.c kvm_handle_guest_sea (Linux 6.19, ad9c62bd8946): host-owned SEAs are not given to user space"))
                return .guestAbort
            }
            evidence.append(Evidence(
                rule: .kvmSeaToUser, inputs: inputs + "; Linux \(kernel.version), KVM_CAP_ARM_SEA_TO_USER, FEAT_RAS yes",
                result: "KVM: KVM_EXIT_ARM_SEA → the VMM handles it (it may inject an SEA into the guest)",
                source: "arch/arm64/kvm/mmu.c kvm_handle_guest_sea → KVM_EXIT_ARM_SEA (Linux 6.19, ad9c62bd8946)"))
            return .vmmHandled
        }
        let syndrome = kernel.map { $0.version >= .cacheablePFNMap } ?? false ? " (6.17+: with an IMPLEMENTATION DEFINED syndrome, IDS=1)" : ""
        evidence.append(Evidence(
            rule: claimed ? .kvmSeaApeiClaimed : .kvmSeaVirtualSerror,
            inputs: inputs,
            result: claimed ? "KVM: SEA claimed by firmware (APEI) → host handles it" : "KVM: SEA → virtual SError" + syndrome,
            source: claimed ? "arch/arm64/kvm/mmu.c kvm_handle_guest_abort → kvm_handle_guest_sea → apei_claim_sea; ErrorParameters.firmwareClaimsSEA"
                : "arch/arm64/kvm/mmu.c kvm_handle_guest_abort → kvm_inject_vabt"))
        return claimed ? .hostHandled : .guestAbort
    }

    /// An SEA taken by the host kernel: Linux 6.9 asks APEI only for user-mode SEAs, so it dies.
    private static func kernelSEA(_ evidence: inout [Evidence]) -> Verdict {
        evidence.append(Evidence(
            rule: .hostKernelSea, inputs: "SEA at EL2 (host kernel)", result: "host: SEA in the kernel → die()",
            source: "arch/arm64/mm/fault.c do_sea → arm64_notify_die → die() (apei_claim_sea is asked for user-mode SEAs only); "
                + "[model] an oops in host kernel context counts as host-panic"))
        return .hostPanic
    }

    /// KVM's handling of an SError taken in guest context or pending at guest exit.
    private static func guestSError(_ syndrome: Syndrome?, evidence: inout [Evidence]) -> Verdict {
        let (rule, result, source, verdict): (Rule, String, String, Verdict)
        switch syndrome {
        case nil:
            (rule, result, source, verdict) = (.kvmSerrorNoRas, "KVM: no RAS → virtual SError",
                "arch/arm64/kvm/handle_exit.c kvm_handle_guest_serror (!arm64_is_ras_serror), handle_exit_early → kvm_inject_vabt", .guestAbort)
        case .implementationDefined?:
            (rule, result, source, verdict) = (.kvmSerrorIds, "KVM: IDS → virtual SError",
                "arch/arm64/kvm/handle_exit.c kvm_handle_guest_serror (arm64_is_ras_serror is false for IDS=1) → kvm_inject_vabt", .guestAbort)
        case .ce?, .ueo?:
            (rule, result, source, verdict) = (.kvmSerrorIgnored, "KVM: \(syndrome!.shortName) → ignored",
                "arch/arm64/kernel/traps.c arm64_is_fatal_ras_serror (CE, UEO: the CPU can make progress)", .none)
        case .ueu?, .uer?:
            (rule, result, source, verdict) = (.kvmSerrorRecoverable, "KVM: \(syndrome!.shortName) → virtual SError",
                "arch/arm64/kernel/traps.c arm64_is_fatal_ras_serror (UEU, UER: fatal for the guest) → kvm_inject_vabt", .guestAbort)
        case .uc?, .uncategorized?:
            (rule, result, source, verdict) = (.kvmSerrorUc, "KVM: \(syndrome!.shortName) → host panic",
                "arch/arm64/kernel/traps.c arm64_is_fatal_ras_serror → arm64_serror_panic (uncategorized reads as UC)", .hostPanic)
        }
        evidence.append(Evidence(rule: rule, inputs: "SError \(syndrome?.chainText ?? "without syndrome") in guest context",
                                 result: result, source: source))
        return verdict
    }

    /// The host's handling of an SError taken in host context (`do_serror`).
    private static func hostSError(_ syndrome: Syndrome?, evidence: inout [Evidence]) -> Verdict {
        let inputs = "SError \(syndrome?.chainText ?? "without syndrome") in host context"
        if let syndrome, syndrome == .ce || syndrome == .ueo {
            evidence.append(Evidence(rule: .hostSerrorIgnored, inputs: inputs, result: "host: \(syndrome.shortName) → ignored",
                                     source: "arch/arm64/kernel/traps.c do_serror → arm64_is_fatal_ras_serror (CE, UEO: false)"))
            return .none
        }
        let what = syndrome.map(\.shortName) ?? "non-RAS SError"
        evidence.append(Evidence(rule: .hostSerrorPanic, inputs: inputs, result: "host: \(what) → panic",
                                 source: "arch/arm64/kernel/traps.c do_serror → arm64_serror_panic (non-RAS and IDS errors are not containable)"))
        return .hostPanic
    }

    /// Whether the platform is firmware-first: [model] it routes error messages to firmware.
    private static func firmwareFirst(_ errors: ErrorParameters) -> Bool { errors.postedErrorSignalling != .aerInterrupt }

    /// Whether firmware claims a synchronous external abort (APEI/GHES) on this platform.
    private static func firmwareClaims(_ errors: ErrorParameters) -> Bool { firmwareFirst(errors) && errors.firmwareClaimsSEA }
}
