import ArmMemory
import PCIeTransport
import Testing
import Verdicts

/// docs/domain.md §7's expectations for the scenarios whose verdicts come from error incidents.
@Suite struct ScenarioTests {
    /// Scenario 1, wrong-size-read: an 8-byte read the device answers with CA, per effective type and platform.
    @Test(arguments: [
        (MemoryType.deviceNGnRE, TestPlatform.quietPCIe, Verdict.guestSilent),
        (.deviceNGnRE, .rasSBSA, .hostPanic),
        (.deviceNGnRE, .noRAS, .guestAbort),
        (.normalNC, .quietPCIe, .guestSilent),
        (.normalNC, .rasSBSA, .guestAbort),
        (.normalNC, .noRAS, .guestAbort),
    ])
    func wrongSizeRead(type: MemoryType, platform: TestPlatform, expected: Verdict) throws {
        let path = platform.signal(try platform.incident(.completerAbort, .memoryRead, type))
        // A synchronous abort is taken by the waiting vCPU; an SError while it is still in the guest.
        let context: DeliveryContext = path.signal == .synchronousAbort ? .guestWaiting : .inGuest
        #expect(ErrorRules.verdict(for: path, context: context, errors: platform.errors, ras: platform.ras).verdict == expected)
    }

    /// Scenario 2, posted-write-ur: native AER on every platform, whatever the effective type.
    @Test(arguments: [TestPlatform.quietPCIe, .rasSBSA, .noRAS], [MemoryType.deviceNGnRE, .normalNC, .deviceNGnRnE])
    func postedWriteUR(platform: TestPlatform, type: MemoryType) throws {
        let derivation = try platform.derive(.unsupportedRequest, .memoryWrite, type, context: .inGuest)
        #expect(derivation.verdict == .hostHandled)
        #expect(derivation.chain == "device UR (injected) → no CPU response; ERR_NONFATAL → native AER interrupt (\(platform.name)) → "
            + "host AER driver handles it; vfio-pci reports it to the VMM ⇒ host-handled")
    }

    /// Scenario 8, late-posted-error: the message arrives after the vCPU exited.
    @Test func latePostedError() throws {
        let native = try TestPlatform.noRAS.derive(.unsupportedRequest, .memoryWrite, .deviceNGnRE, context: .afterExit(.exit))
        #expect(native.verdict == .hostHandled)
        let firmware = try TestPlatform.firmwareFirstNoRAS.derive(.unsupportedRequest, .memoryWrite, .deviceNGnRE, context: .afterExit(.exit))
        #expect(firmware.verdict == .hostPanic)
        #expect(firmware.chain == "device UR (injected) → no CPU response; ERR_NONFATAL → firmware-first SError (ff-no-ras) → "
            + "SError, no syndrome (no FEAT_RAS) → vCPU left the guest (exit) → host: non-RAS SError → panic ⇒ host-panic")
        // The same message while the vCPU still runs is a virtual SError for the guest.
        let early = try TestPlatform.firmwareFirstNoRAS.derive(.unsupportedRequest, .memoryWrite, .deviceNGnRE, context: .inGuest)
        #expect(early.verdict == .guestAbort)
    }

    /// docs/domain.md's evidence example, with the engine's access and TLP evidence prepended.
    @Test func domainExampleChain() throws {
        let platform = TestPlatform.rasSBSA
        let path = platform.signal(try platform.incident(.completerAbort, .memoryRead, .deviceNGnRE))
        let derivation = ErrorRules.verdict(for: path, context: .inGuest, errors: platform.errors, ras: platform.ras).prepending([
            Evidence(rule: .access, inputs: "guest read, 8 bytes at bar0+0x44",
                     result: "R 8 @bar0+0x44 [S1 Device-nGnRE, S2 Device-nGnRE → Device-nGnRE]", source: "Arm ARM D8.6.5"),
            Evidence(rule: .tlp, inputs: "8-byte read", result: "MRd", source: "PCIe Base Spec"),
        ])
        #expect(derivation.chain == "R 8 @bar0+0x44 [S1 Device-nGnRE, S2 Device-nGnRE → Device-nGnRE] → MRd → device CA (injected) "
            + "→ RC: CA→SLVERR (ras-sbsa) → Device load error, core imprecise → SError AET=UC → vCPU in guest → "
            + "KVM: UC → host panic ⇒ host-panic")
        #expect(derivation.evidence.map(\.rule.name) == [
            "access", "tlp", "error-origin", "rc-response", "device-load-error", "serror-syndrome", "delivery-context", "kvm-serror-uc",
        ])
    }
}

/// Every valid incident on every test platform, in every context.
@Suite struct ExhaustiveDerivationTests {
    static let platforms: [TestPlatform] = [.quietPCIe, .rasSBSA, .rasADERR, .noRAS, .firmwareFirstNoRAS]
    static let contexts: [DeliveryContext] = [.guestWaiting, .inGuest, .pendingAtExit, .afterExit(.exit), .afterExit(.teardown),
                                              .afterExit(.reclaim), .hostContext]

    @Test(arguments: platforms)
    func everyDerivationIsWellFormed(platform: TestPlatform) {
        var count = 0
        for error in ErrorKind.allCases {
            for request in RequestKind.allCases {
                for type in MemoryType.allCases {
                    for issuer in Issuer.allCases {
                        for speculative in [false, true] {
                            guard let incident = try? platform.incident(error, request, type, issuer: issuer, speculative: speculative) else { continue }
                            let path = platform.signal(incident)
                            for context in Self.contexts {
                                let derivation = ErrorRules.verdict(for: path, context: context, errors: platform.errors, ras: platform.ras)
                                count += 1
                                #expect(derivation.evidence.first?.rule.name == "error-origin")
                                #expect(derivation.evidence.allSatisfy { $0.rule.name.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" } })
                                #expect(derivation.evidence.allSatisfy { !$0.source.isEmpty && !$0.result.isEmpty })
                                // An error incident never yields a hazard verdict, and always fires.
                                #expect([.none, .guestSilent, .guestAbort, .hostHandled, .hostPanic].contains(derivation.verdict))
                            }
                        }
                    }
                }
            }
        }
        #expect(count > 1_000)
    }
}
