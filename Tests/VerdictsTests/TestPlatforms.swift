import ArmMemory
import Platforms
import PCIeTransport
import Testing
@testable import Verdicts

/// The error and RAS parameters of docs/domain.md §5's profiles, built here from the table's
/// descriptions (the built-in YAML is written elsewhere).
struct TestPlatform: Sendable, CustomTestStringConvertible {
    var name: String
    var errors: ErrorParameters
    var ras: RASParameters

    var testDescription: String { name }

    /// Reads with errors return OKAY+all-ones; posted errors via native AER; DPC on; undeliverable
    /// writes dropped. The core never sees an error response, so its RAS features do not matter:
    /// this one has none.
    static let quietPCIe = TestPlatform(
        name: "quiet-pcie",
        errors: ErrorParameters(rootComplexResponse: RootComplexResponseTable(uniform: .okayAllOnes), undeliverableWrite: .silentDrop,
                                postedErrorSignalling: .aerInterrupt, dpc: true, dpcCompletion: .ur,
                                firmwareClaimsSEA: false, errorSignalLatency: 2_000, serrorLatency: 200, completionTimeout: 50_000),
        ras: RASParameters(featRAS: false, deviceLoadPrecise: false, normalLoadPrecise: false, syndromes: threadSyndromes,
                           firmwareSyndrome: .uc, speculativeErrorsSignalled: false))

    /// RC answers SLVERR (UR → DECERR); FEAT_RAS; Device loads imprecise with UC; Normal loads
    /// precise (UER); native AER.
    static let rasSBSA = TestPlatform(
        name: "ras-sbsa",
        errors: ErrorParameters(rootComplexResponse: sbsaTable, undeliverableWrite: .errorResponse, postedErrorSignalling: .aerInterrupt,
                                dpc: true, dpcCompletion: .ur, firmwareClaimsSEA: false,
                                errorSignalLatency: 2_000, serrorLatency: 200, completionTimeout: 50_000),
        ras: RASParameters(featRAS: true, deviceLoadPrecise: false, normalLoadPrecise: true, syndromes: threadSyndromes,
                           firmwareSyndrome: .uc, speculativeErrorsSignalled: false))

    /// As ras-sbsa but FEAT_ADERR/FEAT_ANERR: every load error is precise.
    static let rasADERR: TestPlatform = {
        var platform = rasSBSA
        platform.name = "ras-aderr"
        platform.ras.deviceLoadPrecise = true
        return platform
    }()

    /// SLVERR everywhere; a core without FEAT_RAS (SErrors carry no syndrome); native AER.
    static let noRAS = TestPlatform(
        name: "no-ras",
        errors: ErrorParameters(rootComplexResponse: RootComplexResponseTable(uniform: .slverr), undeliverableWrite: .errorResponse,
                                postedErrorSignalling: .aerInterrupt, dpc: true, dpcCompletion: .ur,
                                firmwareClaimsSEA: false, errorSignalLatency: 2_000, serrorLatency: 200, completionTimeout: 50_000),
        ras: RASParameters(featRAS: false, deviceLoadPrecise: false, normalLoadPrecise: false, syndromes: threadSyndromes,
                           firmwareSyndrome: .uc, speculativeErrorsSignalled: false))

    /// no-ras with firmware-first error handling: error messages become SErrors without syndrome.
    static let firmwareFirstNoRAS: TestPlatform = {
        var platform = noRAS
        platform.name = "ff-no-ras"
        platform.errors.postedErrorSignalling = .firmwareFirstSError
        return platform
    }()

    /// The thread's syndromes (docs/domain.md §4 step 3): Device → UC, Normal → UER.
    static let threadSyndromes = SyndromeTable(deviceLoad: .uc, deviceStore: .uc, normalLoad: .uer, normalStore: .uer)

    static let sbsaTable: RootComplexResponseTable = {
        var table = RootComplexResponseTable(uniform: .slverr)
        for request in RequestKind.nonPosted { table.set(.decerr, for: .unsupportedRequest, request) }
        return table
    }()

    /// The incident on this platform.
    func incident(_ error: ErrorKind, _ request: RequestKind, _ type: MemoryType, issuer: Issuer = .guestVCPU,
                  speculative: Bool = false) throws -> ErrorIncident {
        try ErrorIncident(error: error, request: request, memoryType: type, issuer: issuer, platform: name, speculative: speculative)
    }

    /// Phase 1 on this platform.
    func signal(_ incident: ErrorIncident) -> ErrorPath {
        ErrorRules.signal(for: incident, errors: errors, ras: ras)
    }

    /// Both phases on this platform.
    func derive(_ error: ErrorKind, _ request: RequestKind, _ type: MemoryType, issuer: Issuer = .guestVCPU,
                context: DeliveryContext) throws -> VerdictDerivation {
        let path = signal(try incident(error, request, type, issuer: issuer))
        return ErrorRules.verdict(for: path, context: context, errors: errors, ras: ras)
    }
}
