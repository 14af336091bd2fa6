import PCIeTransport
import Platforms

/// The rules that take an error incident to a verdict (docs/domain.md §4), in two phases: ``signal(for:errors:ras:)``
/// finds how the error reaches software, the engine works out where the CPU is when it does,
/// and ``verdict(for:context:errors:ras:)`` decides.
public enum ErrorRules {
    /// docs/domain.md §4 steps 1–3: the bus response, the CPU exception, and the syndrome.
    ///
    /// - Returns: the signal, its delay if it is asynchronous, and one ``Evidence`` per rule applied.
    public static func signal(for incident: ErrorIncident, errors: ErrorParameters, ras: RASParameters) -> ErrorPath {
        var evidence = [origin(of: incident)]
        var performer = incident.issuer
        if incident.request.isConfig && incident.issuer == .guestVCPU {
            evidence.append(Evidence(
                rule: .configAccessByHost, inputs: "guest \(incident.request.rawValue)",
                result: "performed by the host (vfio-pci config emulation)",
                source: "drivers/vfio/pci/vfio_pci_config.c: guest config accesses trap to the VMM, which forwards them to vfio-pci"))
            performer = .host
        }
        let outcome = busOutcome(incident, errors: errors, evidence: &evidence)
        if case .errorResponse = outcome, incident.error == .unsupportedRequest, incident.request == .memoryRead, ras.featRAS {
            evidence.append(Evidence(
                rule: .rasErrorRecord, inputs: "UR on memory-read, external abort, FEAT_RAS (\(incident.platform))",
                result: "RAS error record \(ComplianceRule.pcieErrorRecord)",
                source: "Arm BSA ACS e029 (rule PCI_ER_07): the record a compliant platform logs for a PCIe error on a read"))
        }
        let (signal, delay) = cpuSignal(outcome, incident, errors: errors, ras: ras, evidence: &evidence)
        return ErrorPath(incident: incident, performedBy: performer, signal: signal, signalDelay: delay, evidence: evidence)
    }

    /// What the CPU side gets from step 1.
    private enum BusOutcome {
        /// No response to the CPU; an error message goes to the root port.
        case errorMessage
        /// OKAY with (fabricated) data for a read.
        case readData(BusResponse)
        /// OKAY for a write that did not take effect.
        case writeAccepted
        /// SLVERR or DECERR.
        case errorResponse(BusResponse)

        init(_ response: BusResponse, request: RequestKind) {
            switch response {
            case .okayAllOnes, .okayZeros: self = request.isRead ? .readData(response) : .writeAccepted
            case .slverr, .decerr: self = .errorResponse(response)
            }
        }
    }

    private static func origin(of incident: ErrorIncident) -> Evidence {
        let speculative = incident.speculative ? "speculative " : ""
        return Evidence(
            rule: .errorOrigin,
            inputs: "\(incident.error.rawValue) on \(speculative)\(incident.request.rawValue), \(incident.memoryType.displayName), "
                + "issuer \(incident.issuer.rawValue), platform \(incident.platform)",
            result: incident.injected ? "\(incident.error.chainText) (injected)" : incident.error.chainText,
            source: incident.injected ? "ErrorIncident: injected fault" : "ErrorIncident: the device model's answer")
    }

    /// Step 1: the bus response (docs/domain.md §3 "Errors", §4 step 1).
    private static func busOutcome(_ incident: ErrorIncident, errors: ErrorParameters, evidence: inout [Evidence]) -> BusOutcome {
        let error = incident.error
        guard error != .unexpectedCompletion else {
            evidence.append(Evidence(
                rule: .unexpectedCompletion, inputs: "completion for \(incident.request.rawValue) matching no outstanding request",
                result: "completion discarded; \(incident.severity.message)",
                source: "PCIe Base Spec: the receiver discards an Unexpected Completion and logs it (AER)"))
            return .errorMessage
        }
        let request = incident.request
        guard !request.isPosted else {
            switch error {
            case .linkDown, .dpc, .decodeMiss:
                return undeliverableWrite(incident, errors: errors, evidence: &evidence)
            case .unsupportedRequest, .completerAbort, .poisonedWrite, .ecrc, .malformedTLP:
                evidence.append(Evidence(
                    rule: .postedErrorMessage, inputs: "\(error.rawValue) on memory-write, severity \(incident.severity.rawValue)",
                    result: "no CPU response; \(incident.severity.message)",
                    source: "PCIe Base Spec: a posted request gets no completion; the completer logs AER status and sends an error message of the configured severity (docs/domain.md §3)"))
                return .errorMessage
            case .poisonedCompletion, .completionTimeout, .unexpectedCompletion:
                preconditionFailure("ErrorIncident.init rejects \(error.rawValue) on a memory-write")
            }
        }
        let tableError = nonPostedError(incident, errors: errors, evidence: &evidence)
        let response = errors.rootComplexResponse.response(to: tableError, on: request)
        evidence.append(Evidence(
            rule: .rcResponse, inputs: "\(tableError.rawValue) on \(request.rawValue)",
            result: "RC: \(tableError.tableText)→\(response.chainText) (\(incident.platform))",
            source: "ErrorParameters.rootComplexResponse[\(tableError.rawValue)][\(request.rawValue)]"))
        return BusOutcome(response, request: incident.request)
    }

    /// The entry of the root complex's table a non-posted request ends with.
    private static func nonPostedError(_ incident: ErrorIncident, errors: ErrorParameters, evidence: inout [Evidence]) -> ErrorKind {
        let request = incident.request.rawValue
        switch incident.error {
        case .unsupportedRequest: return .unsupportedRequest
        case .completerAbort: return .completerAbort
        case .poisonedCompletion: return .poisonedCompletion
        case .completionTimeout: return .completionTimeout
        case .decodeMiss: return .decodeMiss
        case .ecrc, .malformedTLP:
            evidence.append(Evidence(
                rule: .discardedRequestTimeout, inputs: "\(incident.error.rawValue) on \(request)",
                result: "TLP discarded → completion timeout",
                source: "PCIe Base Spec: malformed TLPs are discarded (docs/domain.md §3); [model] a TLP failing ECRC is discarded too"))
            return .completionTimeout
        case .poisonedWrite:
            evidence.append(Evidence(
                rule: .poisonedConfigWriteUr, inputs: "poisoned \(request)",
                result: "completer discards it → UR",
                source: "PCIe Base Spec: a Poisoned Configuration Write Request is discarded and completed with UR"))
            return .unsupportedRequest
        case .linkDown where !errors.dpc:
            evidence.append(Evidence(
                rule: .linkDownUr, inputs: "link down, DPC off, \(request)",
                result: "root port completes it with UR",
                source: "PCIe Base Spec: a Downstream Port whose Link is down completes non-posted requests with UR; ErrorParameters.dpc"))
            return .unsupportedRequest
        case .linkDown, .dpc:
            let completion = errors.dpcCompletion.error
            evidence.append(Evidence(
                rule: .dpcCompletion, inputs: "\(incident.error.rawValue), DPC on, \(request)",
                result: "DPC completes it with \(completion.tableText)",
                source: "ErrorParameters.dpcCompletion (DPC Completion Control)"))
            return completion
        case .unexpectedCompletion:
            preconditionFailure("busOutcome handles unexpected completions before the table")
        }
    }

    private static func undeliverableWrite(_ incident: ErrorIncident, errors: ErrorParameters, evidence: inout [Evidence]) -> BusOutcome {
        let dropped = errors.undeliverableWrite == .silentDrop
        evidence.append(Evidence(
            rule: .undeliverableWrite, inputs: "\(incident.error.rawValue) on memory-write",
            result: dropped ? "write dropped, OKAY (\(incident.platform))" : "write response SLVERR (\(incident.platform))",
            source: "ErrorParameters.undeliverableWrite = \(errors.undeliverableWrite.rawValue)"))
        return dropped ? .writeAccepted : .errorResponse(.slverr)
    }

    /// Steps 2 and 3: the exception the core takes, its syndrome, and how an error message is signalled.
    private static func cpuSignal(_ outcome: BusOutcome, _ incident: ErrorIncident, errors: ErrorParameters, ras: RASParameters,
                                  evidence: inout [Evidence]) -> (ErrorPath.Signal, Int?) {
        let device = incident.memoryType.isDevice
        let byGuest = incident.issuer == .guestVCPU
        switch outcome {
        case .errorMessage:
            return messageSignal(incident, errors: errors, ras: ras, evidence: &evidence)
        case .readData(let response) where incident.speculative:
            evidence.append(unconsumed(response))
            return (.none(.none), nil)
        case .readData(let response):
            evidence.append(Evidence(
                rule: .fabricatedReadData, inputs: "\(response.rawValue) for a read by \(incident.issuer.rawValue)",
                result: byGuest ? "\(response.chainText): guest consumes fabricated data" : "\(response.chainText): host software sees fabricated data",
                source: "docs/domain.md §4 step 4: OKAY with fabricated data on a read the guest issued is guest-silent"))
            return (.none(byGuest ? .guestSilent : .none), nil)
        case .writeAccepted:
            evidence.append(Evidence(
                rule: .writeLost, inputs: "OKAY write response for \(incident.request.rawValue) by \(incident.issuer.rawValue)",
                result: "write lost, no error signal",
                source: "docs/domain.md §4 verdicts: a guest that lost a write with no error signal is guest-silent"))
            return (.none(byGuest ? .guestSilent : .none), nil)
        case .errorResponse(let response) where incident.speculative && !ras.speculativeErrorsSignalled:
            evidence.append(unconsumed(response))
            return (.none(.none), nil)
        case .errorResponse(let response) where incident.speculative:
            evidence.append(Evidence(
                rule: .speculativeLoadSignalled, inputs: "\(response.rawValue) for a speculative Normal load",
                result: "speculative load error, signalled asynchronously",
                source: "RASParameters.speculativeErrorsSignalled; [model] an access that never executed architecturally cannot abort synchronously"))
            return serror(class: .normalLoad, incident, errors: errors, ras: ras, evidence: &evidence)
        case .errorResponse(let response) where incident.request.isRead:
            let precise = device ? ras.deviceLoadPrecise : ras.normalLoadPrecise
            let kind = device ? "Device" : "Normal"
            evidence.append(Evidence(
                rule: device ? .deviceLoadError : .normalLoadError,
                inputs: "\(response.rawValue) for a \(incident.memoryType.displayName) load",
                result: precise ? "\(kind) load error, core precise: SEA" : "\(kind) load error, core imprecise",
                source: device ? "docs/domain.md §4 step 2; RASParameters.deviceLoadPrecise (FEAT_ADERR or the implementation)"
                    : "docs/domain.md §4 step 2; RASParameters.normalLoadPrecise (FEAT_ANERR or the implementation)"))
            if precise { return (.synchronousAbort, nil) }
            return serror(class: device ? .deviceLoad : .normalLoad, incident, errors: errors, ras: ras, evidence: &evidence)
        case .errorResponse(let response):
            evidence.append(Evidence(
                rule: .storeError, inputs: "\(response.rawValue) for a \(incident.memoryType.displayName) \(incident.request.rawValue)",
                result: "\(device ? "Device" : "Normal") store error, asynchronous",
                source: "docs/domain.md §4 step 2: stores retire before the response, so their errors are SErrors"))
            return serror(class: device ? .deviceStore : .normalStore, incident, errors: errors, ras: ras, evidence: &evidence)
        }
    }

    private static func unconsumed(_ response: BusResponse) -> Evidence {
        Evidence(
            rule: .speculativeLoadUnconsumed, inputs: "\(response.rawValue) for a speculative Normal load",
            result: "speculative read: response never consumed",
            source: "docs/domain.md §4 step 2; RASParameters.speculativeErrorsSignalled = false")
    }

    /// The class of access that selects a syndrome (``SyndromeTable``).
    private enum AccessClass: String {
        case deviceLoad, deviceStore, normalLoad, normalStore

        func syndrome(in table: SyndromeTable) -> Syndrome {
            switch self {
            case .deviceLoad: table.deviceLoad
            case .deviceStore: table.deviceStore
            case .normalLoad: table.normalLoad
            case .normalStore: table.normalStore
            }
        }
    }

    /// Step 3 for an SError the core raises: the syndrome of the access's class, if the core has FEAT_RAS.
    private static func serror(class accessClass: AccessClass, _ incident: ErrorIncident, errors: ErrorParameters, ras: RASParameters,
                               evidence: inout [Evidence]) -> (ErrorPath.Signal, Int?) {
        let syndrome = ras.featRAS ? accessClass.syndrome(in: ras.syndromes) : nil
        evidence.append(syndromeEvidence(syndrome, source: "RASParameters.syndromes.\(accessClass.rawValue)", inputs: accessClass.rawValue))
        return (.serror(syndrome), errors.serrorLatency)
    }

    /// How an error message reaches software, per ``ErrorParameters/postedErrorSignalling``.
    private static func messageSignal(_ incident: ErrorIncident, errors: ErrorParameters, ras: RASParameters,
                                      evidence: inout [Evidence]) -> (ErrorPath.Signal, Int?) {
        let signalling = errors.postedErrorSignalling
        let text = switch signalling {
        case .aerInterrupt: "native AER interrupt"
        case .firmwareFirstSError: "firmware-first SError"
        case .firmwareFirstSEA: "firmware-first SEA"
        }
        evidence.append(Evidence(
            rule: .postedErrorSignalling, inputs: "\(incident.severity.message) at the root port",
            result: "\(text) (\(incident.platform))",
            source: "ErrorParameters.postedErrorSignalling = \(signalling.rawValue)"))
        switch signalling {
        case .aerInterrupt:
            return (.aerInterrupt, errors.errorSignalLatency)
        case .firmwareFirstSEA:
            return (.firmwareSEA, errors.errorSignalLatency)
        case .firmwareFirstSError:
            let syndrome = ras.featRAS ? ras.firmwareSyndrome : nil
            evidence.append(syndromeEvidence(syndrome, source: "RASParameters.firmwareSyndrome", inputs: "firmware-first SError"))
            return (.firmwareSError(syndrome), errors.errorSignalLatency)
        }
    }

    private static func syndromeEvidence(_ syndrome: Syndrome?, source: String, inputs: String) -> Evidence {
        guard let syndrome else {
            return Evidence(rule: .serrorWithoutRas, inputs: "\(inputs), core without FEAT_RAS",
                            result: "SError, no syndrome (no FEAT_RAS)", source: "RASParameters.featRAS = false")
        }
        return Evidence(rule: .serrorSyndrome, inputs: "\(inputs), FEAT_RAS", result: "SError \(syndrome.chainText)", source: source)
    }
}
