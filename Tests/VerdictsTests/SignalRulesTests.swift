import ArmMemory
import Platforms
import PCIeTransport
import Testing
import Verdicts

/// One phase-1 expectation: an incident on a platform, the signal, and the rules applied after `error-origin`.
struct SignalCase: Sendable, CustomTestStringConvertible {
    var platform: TestPlatform
    var error: ErrorKind
    var request: RequestKind
    var type: MemoryType
    var issuer: Issuer = .guestVCPU
    var signal: ErrorPath.Signal
    var rules: [String]

    var testDescription: String { "\(error.rawValue) on \(request.rawValue) \(type.name) by \(issuer.rawValue) @ \(platform.name)" }
}

@Suite struct SignalRulesTests {
    static let cases: [SignalCase] = [
        SignalCase(platform: .rasSBSA, error: .unsupportedRequest, request: .memoryRead, type: .deviceNGnRE, signal: .serror(.uc),
                   rules: ["rc-response", "ras-error-record", "device-load-error", "serror-syndrome"]),
        SignalCase(platform: .noRAS, error: .unsupportedRequest, request: .memoryRead, type: .deviceNGnRE, signal: .serror(nil),
                   rules: ["rc-response", "device-load-error", "serror-without-ras"]),
        SignalCase(platform: .rasSBSA, error: .completerAbort, request: .memoryRead, type: .normalNC, signal: .synchronousAbort,
                   rules: ["rc-response", "normal-load-error"]),
        SignalCase(platform: .rasADERR, error: .completerAbort, request: .memoryRead, type: .deviceNGnRnE, signal: .synchronousAbort,
                   rules: ["rc-response", "device-load-error"]),
        SignalCase(platform: .rasSBSA, error: .poisonedCompletion, request: .memoryRead, type: .deviceNGnRE, signal: .serror(.uc),
                   rules: ["rc-response", "device-load-error", "serror-syndrome"]),
        SignalCase(platform: .rasSBSA, error: .poisonedWrite, request: .memoryWrite, type: .deviceNGnRE, signal: .aerInterrupt,
                   rules: ["posted-error-message", "posted-error-signalling"]),
        SignalCase(platform: .rasSBSA, error: .poisonedWrite, request: .configWrite, type: .deviceNGnRnE, issuer: .host, signal: .serror(.uc),
                   rules: ["poisoned-config-write-ur", "rc-response", "store-error", "serror-syndrome"]),
        SignalCase(platform: .noRAS, error: .completionTimeout, request: .configRead, type: .deviceNGnRnE, issuer: .host, signal: .serror(nil),
                   rules: ["rc-response", "device-load-error", "serror-without-ras"]),
        SignalCase(platform: .rasSBSA, error: .ecrc, request: .memoryRead, type: .normalNC, signal: .synchronousAbort,
                   rules: ["discarded-request-timeout", "rc-response", "normal-load-error"]),
        SignalCase(platform: .quietPCIe, error: .ecrc, request: .memoryWrite, type: .normalNC, signal: .aerInterrupt,
                   rules: ["posted-error-message", "posted-error-signalling"]),
        SignalCase(platform: .quietPCIe, error: .malformedTLP, request: .memoryRead, type: .deviceNGnRE, signal: .none(.guestSilent),
                   rules: ["discarded-request-timeout", "rc-response", "fabricated-read-data"]),
        SignalCase(platform: .firmwareFirstNoRAS, error: .malformedTLP, request: .memoryWrite, type: .deviceNGnRE, signal: .firmwareSError(nil),
                   rules: ["posted-error-message", "posted-error-signalling", "serror-without-ras"]),
        SignalCase(platform: .quietPCIe, error: .unexpectedCompletion, request: .memoryRead, type: .deviceNGnRE, signal: .aerInterrupt,
                   rules: ["unexpected-completion", "posted-error-signalling"]),
        SignalCase(platform: .quietPCIe, error: .linkDown, request: .memoryWrite, type: .normalNC, signal: .none(.guestSilent),
                   rules: ["undeliverable-write", "write-lost"]),
        SignalCase(platform: .rasSBSA, error: .linkDown, request: .memoryWrite, type: .deviceNGnRE, signal: .serror(.uc),
                   rules: ["undeliverable-write", "store-error", "serror-syndrome"]),
        SignalCase(platform: .rasSBSA, error: .linkDown, request: .memoryRead, type: .deviceNGnRE, signal: .serror(.uc),
                   rules: ["dpc-completion", "rc-response", "device-load-error", "serror-syndrome"]),
        SignalCase(platform: .rasSBSA, error: .dpc, request: .memoryRead, type: .normalNC, signal: .synchronousAbort,
                   rules: ["dpc-completion", "rc-response", "normal-load-error"]),
        SignalCase(platform: .quietPCIe, error: .decodeMiss, request: .memoryRead, type: .deviceNGnRE, signal: .none(.guestSilent),
                   rules: ["rc-response", "fabricated-read-data"]),
        SignalCase(platform: .rasSBSA, error: .decodeMiss, request: .memoryWrite, type: .normalNC, signal: .serror(.uer),
                   rules: ["undeliverable-write", "store-error", "serror-syndrome"]),
        SignalCase(platform: .rasSBSA, error: .completerAbort, request: .configRead, type: .deviceNGnRnE, signal: .serror(.uc),
                   rules: ["config-access-by-host", "rc-response", "device-load-error", "serror-syndrome"]),
        SignalCase(platform: .quietPCIe, error: .completerAbort, request: .memoryRead, type: .deviceNGnRnE, issuer: .vmm, signal: .none(.none),
                   rules: ["rc-response", "fabricated-read-data"]),
        SignalCase(platform: .quietPCIe, error: .unsupportedRequest, request: .configWrite, type: .deviceNGnRnE, issuer: .host, signal: .none(.none),
                   rules: ["rc-response", "write-lost"]),
        SignalCase(platform: .quietPCIe, error: .unsupportedRequest, request: .configWrite, type: .deviceNGnRnE, signal: .none(.guestSilent),
                   rules: ["config-access-by-host", "rc-response", "write-lost"]),
    ]

    @Test(arguments: cases)
    func phaseOne(_ expected: SignalCase) throws {
        let path = expected.platform.signal(try expected.platform.incident(expected.error, expected.request, expected.type, issuer: expected.issuer))
        #expect(path.signal == expected.signal)
        #expect(path.evidence.map(\.rule.name) == ["error-origin"] + expected.rules)
    }

    @Test func everyErrorKindIsCovered() {
        #expect(Set(Self.cases.map(\.error)) == Set(ErrorKind.allCases))
    }

    @Test func rootComplexEvidenceNamesTheTableEntry() throws {
        let path = TestPlatform.rasSBSA.signal(try TestPlatform.rasSBSA.incident(.unsupportedRequest, .memoryRead, .deviceNGnRE))
        let rc = try #require(path.evidence.first { $0.rule.name == "rc-response" })
        #expect(rc.result == "RC: UR→DECERR (ras-sbsa)")
        #expect(rc.source == "ErrorParameters.rootComplexResponse[ur][memory-read]")
    }

    @Test func guestConfigAccessesArePerformedByTheHost() throws {
        let path = TestPlatform.rasSBSA.signal(try TestPlatform.rasSBSA.incident(.completerAbort, .configRead, .deviceNGnRnE))
        #expect(path.incident.issuer == .guestVCPU)
        #expect(path.performedBy == .host)
    }

    /// Link down without DPC: the root port answers UR; with DPC, the DPC Completion Control decides.
    @Test func linkDownAndDPCCompletion() throws {
        var platform = TestPlatform.rasSBSA
        platform.errors.rootComplexResponse.set(.okayZeros, for: .completerAbort, .memoryRead)
        platform.errors.dpcCompletion = .ca
        let withDPC = platform.signal(try platform.incident(.linkDown, .memoryRead, .deviceNGnRE))
        #expect(withDPC.signal == .none(.guestSilent))
        #expect(withDPC.evidence.map(\.result).contains("DPC completes it with CA"))
        platform.errors.dpc = false
        let withoutDPC = platform.signal(try platform.incident(.linkDown, .memoryRead, .deviceNGnRE))
        #expect(withoutDPC.evidence.map(\.rule.name).contains("link-down-ur"))
        #expect(withoutDPC.signal == .serror(.uc))
    }

    @Test func speculativeNormalLoads() throws {
        var platform = TestPlatform.rasSBSA
        let unconsumed = platform.signal(try platform.incident(.completerAbort, .memoryRead, .normalNC, speculative: true))
        #expect(unconsumed.signal == .none(.none))
        #expect(unconsumed.evidence.last?.rule.name == "speculative-load-unconsumed")
        platform.ras.speculativeErrorsSignalled = true
        let signalled = platform.signal(try platform.incident(.completerAbort, .memoryRead, .normalNC, speculative: true))
        #expect(signalled.signal == .serror(.uer))
        #expect(signalled.evidence.map(\.rule.name).contains("speculative-load-signalled"))
        let fabricated = TestPlatform.quietPCIe.signal(try TestPlatform.quietPCIe.incident(.completerAbort, .memoryRead, .normalNC, speculative: true))
        #expect(fabricated.signal == .none(.none))
    }

    @Test func signalDelays() throws {
        let sbsa = TestPlatform.rasSBSA
        #expect(sbsa.signal(try sbsa.incident(.completerAbort, .memoryRead, .deviceNGnRE)).signalDelay == 200)
        #expect(sbsa.signal(try sbsa.incident(.completerAbort, .memoryRead, .normalNC)).signalDelay == nil)
        #expect(sbsa.signal(try sbsa.incident(.unsupportedRequest, .memoryWrite, .deviceNGnRE)).signalDelay == 2_000)
        #expect(TestPlatform.quietPCIe.signal(try TestPlatform.quietPCIe.incident(.completerAbort, .memoryRead, .deviceNGnRE)).signalDelay == nil)
    }

    @Test func messageSeverity() throws {
        let quiet = TestPlatform.quietPCIe
        let malformed = quiet.signal(try quiet.incident(.malformedTLP, .memoryWrite, .deviceNGnRE))
        #expect(malformed.evidence[1].result == "no CPU response; ERR_FATAL")
        let demoted = try ErrorIncident(error: .malformedTLP, request: .memoryWrite, memoryType: .deviceNGnRE, platform: "quiet-pcie",
                                        severity: .nonFatal)
        #expect(quiet.signal(demoted).evidence[1].result == "no CPU response; ERR_NONFATAL")
        #expect(quiet.signal(try quiet.incident(.unsupportedRequest, .memoryWrite, .deviceNGnRE)).evidence[1].result == "no CPU response; ERR_NONFATAL")
    }

    @Test func originText() throws {
        let injected = try ErrorIncident(error: .completerAbort, request: .memoryRead, memoryType: .deviceNGnRE, platform: "ras-sbsa")
        let natural = try ErrorIncident(error: .completerAbort, request: .memoryRead, memoryType: .deviceNGnRE, platform: "ras-sbsa", injected: false)
        #expect(TestPlatform.rasSBSA.signal(injected).evidence[0].result == "device CA (injected)")
        #expect(TestPlatform.rasSBSA.signal(natural).evidence[0].result == "device CA")
    }

    @Test(arguments: [
        (ErrorKind.poisonedCompletion, RequestKind.memoryWrite, MemoryType.deviceNGnRE, false, IncidentError.Code.errorDoesNotApply),
        (.poisonedCompletion, .configWrite, .deviceNGnRnE, false, .errorDoesNotApply),
        (.poisonedWrite, .memoryRead, .deviceNGnRE, false, .errorDoesNotApply),
        (.completionTimeout, .memoryWrite, .normalNC, false, .errorDoesNotApply),
        (.unexpectedCompletion, .memoryWrite, .normalNC, false, .errorDoesNotApply),
        (.completerAbort, .memoryRead, .deviceGRE, true, .impossibleAccess),
        (.completerAbort, .memoryWrite, .normalNC, true, .impossibleAccess),
        (.completerAbort, .configRead, .normalNC, false, .impossibleAccess),
    ])
    func impossibleIncidents(error: ErrorKind, request: RequestKind, type: MemoryType, speculative: Bool, code: IncidentError.Code) {
        #expect { try ErrorIncident(error: error, request: request, memoryType: type, platform: "p", speculative: speculative) } throws: {
            ($0 as? IncidentError)?.code == code
        }
    }
}
