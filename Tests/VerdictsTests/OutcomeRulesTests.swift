import ArmMemory
import Platforms
import PCIeTransport
import Testing
import Verdicts

/// docs/domain.md §4 step 4, row by row: phase 2 on paths with a given signal.
@Suite struct OutcomeRulesTests {
    static let syndromes: [Syndrome?] = [nil, .implementationDefined, .ce, .ueo, .ueu, .uer, .uc, .uncategorized]

    /// The guest-context rows: no RAS, IDS, CE, UEO, UEU, UER, UC, uncategorized.
    static let guestRows: [Verdict] = [.guestAbort, .guestAbort, .none, .none, .guestAbort, .guestAbort, .hostPanic, .hostPanic]
    /// The host-context rows: CE and UEO ignored, everything else (every non-RAS SError too) panics.
    static let hostRows: [Verdict] = [.hostPanic, .hostPanic, .none, .none, .hostPanic, .hostPanic, .hostPanic, .hostPanic]

    static let guestContexts: [DeliveryContext] = [.inGuest, .pendingAtExit, .guestWaiting]
    static let hostContexts: [DeliveryContext] = [.afterExit(.exit), .afterExit(.teardown), .afterExit(.reclaim), .hostContext]

    static func path(_ signal: ErrorPath.Signal, performedBy: Issuer = .guestVCPU, request: RequestKind = .memoryWrite,
                     type: MemoryType = .deviceNGnRE) throws -> ErrorPath {
        let incident = try ErrorIncident(error: .completerAbort, request: request, memoryType: type, issuer: performedBy, platform: "test")
        return ErrorPath(incident: incident, performedBy: performedBy, signal: signal, signalDelay: 0, evidence: [])
    }

    static func decide(_ path: ErrorPath, _ context: DeliveryContext, _ platform: TestPlatform = .rasSBSA) -> VerdictDerivation {
        ErrorRules.verdict(for: path, context: context, errors: platform.errors, ras: platform.ras)
    }

    @Test(arguments: guestContexts, Array(zip(syndromes, guestRows)))
    func serrorInGuestContext(context: DeliveryContext, row: (Syndrome?, Verdict)) throws {
        #expect(Self.decide(try Self.path(.serror(row.0)), context).verdict == row.1)
        #expect(Self.decide(try Self.path(.firmwareSError(row.0)), context).verdict == row.1)
    }

    @Test(arguments: hostContexts, Array(zip(syndromes, hostRows)))
    func serrorAfterTheVCPULeft(context: DeliveryContext, row: (Syndrome?, Verdict)) throws {
        #expect(Self.decide(try Self.path(.serror(row.0)), context).verdict == row.1)
        #expect(Self.decide(try Self.path(.firmwareSError(row.0)), context).verdict == row.1)
    }

    /// A VMM or host access's SError is taken in host context, even if the engine finds a guest running.
    @Test(arguments: [Issuer.vmm, .host], Array(zip(syndromes, hostRows)))
    func serrorForHostAccesses(issuer: Issuer, row: (Syndrome?, Verdict)) throws {
        let derivation = Self.decide(try Self.path(.serror(row.0), performedBy: issuer), .inGuest)
        #expect(derivation.verdict == row.1)
        #expect(derivation.evidence.first?.rule.name == "host-issuer-context")
    }

    @Test func rowRuleNames() throws {
        let rules = Self.syndromes.map { Self.decide(try! Self.path(.serror($0)), .inGuest).evidence.last!.rule.name }
        #expect(rules == ["kvm-serror-no-ras", "kvm-serror-ids", "kvm-serror-ignored", "kvm-serror-ignored",
                          "kvm-serror-recoverable", "kvm-serror-recoverable", "kvm-serror-uc", "kvm-serror-uc"])
        let hostRules = Self.syndromes.map { Self.decide(try! Self.path(.serror($0)), .hostContext).evidence.last!.rule.name }
        #expect(hostRules == ["host-serror-panic", "host-serror-panic", "host-serror-ignored", "host-serror-ignored",
                              "host-serror-panic", "host-serror-panic", "host-serror-panic", "host-serror-panic"])
    }

    @Test func pendingAtExitNamesTheSynchronisation() throws {
        let withRAS = Self.decide(try Self.path(.serror(.uer)), .pendingAtExit, .rasSBSA)
        #expect(withRAS.evidence[0].result == "pending at guest exit (ESB → DISR_EL1)")
        let withoutRAS = Self.decide(try Self.path(.serror(nil)), .pendingAtExit, .noRAS)
        #expect(withoutRAS.evidence[0].result == "pending at guest exit (taken on the exit path)")
        #expect(withoutRAS.verdict == .guestAbort)
    }

    /// SEA on a guest load: claimed only on a firmware-first platform whose firmware claims it.
    @Test(arguments: [
        (PostedErrorSignalling.firmwareFirstSError, true, Verdict.hostHandled, "kvm-sea-apei-claimed"),
        (.firmwareFirstSEA, true, .hostHandled, "kvm-sea-apei-claimed"),
        (.firmwareFirstSError, false, .guestAbort, "kvm-sea-virtual-serror"),
        (.aerInterrupt, true, .guestAbort, "kvm-sea-virtual-serror"),
        (.aerInterrupt, false, .guestAbort, "kvm-sea-virtual-serror"),
    ])
    func seaOnAGuestLoad(signalling: PostedErrorSignalling, claims: Bool, verdict: Verdict, rule: String) throws {
        var platform = TestPlatform.rasSBSA
        platform.errors.postedErrorSignalling = signalling
        platform.errors.firmwareClaimsSEA = claims
        let path = try Self.path(.synchronousAbort, request: .memoryRead, type: .normalNC)
        for context in Self.guestContexts + Self.hostContexts {
            let derivation = Self.decide(path, context, platform)
            #expect(derivation.verdict == verdict)
            #expect(derivation.evidence.map(\.rule.name) == ["delivery-context", rule])
            #expect(derivation.evidence[0].result == "vCPU waiting on the load (in guest)")
        }
    }

    /// SEA on a VMM load: SIGBUS or APEI, either way the host survives; on a host kernel load: die().
    @Test(arguments: [
        (Issuer.vmm, true, Verdict.hostHandled, "vmm-sea-apei-claimed"),
        (.vmm, false, .hostHandled, "vmm-sea-sigbus"),
        (.host, true, .hostPanic, "host-kernel-sea"),
        (.host, false, .hostPanic, "host-kernel-sea"),
    ])
    func seaOnAHostLoad(issuer: Issuer, claims: Bool, verdict: Verdict, rule: String) throws {
        var platform = TestPlatform.rasSBSA
        platform.errors.postedErrorSignalling = .firmwareFirstSError
        platform.errors.firmwareClaimsSEA = claims
        let derivation = Self.decide(try Self.path(.synchronousAbort, performedBy: issuer, request: .memoryRead), .hostContext, platform)
        #expect(derivation.verdict == verdict)
        #expect(derivation.evidence.map(\.rule.name) == [rule])
    }

    @Test(arguments: [
        (DeliveryContext.inGuest, true, Verdict.hostHandled),
        (.inGuest, false, .guestAbort),
        (.pendingAtExit, false, .guestAbort),
        (.afterExit(.exit), true, .hostPanic),
        (.hostContext, false, .hostPanic),
    ])
    func firmwareFirstSEA(context: DeliveryContext, claims: Bool, verdict: Verdict) throws {
        var platform = TestPlatform.rasSBSA
        platform.errors.postedErrorSignalling = .firmwareFirstSEA
        platform.errors.firmwareClaimsSEA = claims
        #expect(Self.decide(try Self.path(.firmwareSEA), context, platform).verdict == verdict)
    }

    @Test(arguments: guestContexts + hostContexts)
    func nativeAER(context: DeliveryContext) throws {
        let derivation = Self.decide(try Self.path(.aerInterrupt), context)
        #expect(derivation.verdict == .hostHandled)
        #expect(derivation.evidence.map(\.rule.name) == ["aer-native"])
    }

    @Test(arguments: [Verdict.guestSilent, .none])
    func knownVerdictsPassThrough(verdict: Verdict) throws {
        let derivation = Self.decide(try Self.path(.none(verdict)), .afterExit(.teardown))
        #expect(derivation.verdict == verdict)
        #expect(derivation.evidence.isEmpty)
    }

    /// Fabricated data end to end: OKAY+all-ones on a guest read is guest-silent; on a VMM read, none.
    @Test func fabricatedData() throws {
        let guest = try TestPlatform.quietPCIe.derive(.unsupportedRequest, .memoryRead, .deviceNGnRE, context: .guestWaiting)
        #expect(guest.verdict == .guestSilent)
        #expect(guest.chain == "device UR (injected) → RC: UR→OKAY+all-ones (quiet-pcie) → OKAY+all-ones: guest consumes fabricated data ⇒ guest-silent")
        let vmm = try TestPlatform.quietPCIe.derive(.unsupportedRequest, .memoryRead, .deviceNGnRnE, issuer: .vmm, context: .hostContext)
        #expect(vmm.verdict == .none)
    }
}
