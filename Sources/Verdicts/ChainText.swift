import PCIeTransport
import Platforms

extension BusResponse {
    /// The response as evidence chains write it, e.g. `SLVERR`, `OKAY+all-ones`.
    var chainText: String {
        switch self {
        case .okayAllOnes: "OKAY+all-ones"
        case .okayZeros: "OKAY+zeros"
        case .slverr: "SLVERR"
        case .decerr: "DECERR"
        }
    }
}

extension ErrorKind {
    /// The error as the evidence chain's first links write it, e.g. `device CA`.
    public var chainText: String {
        switch self {
        case .unsupportedRequest: "device UR"
        case .completerAbort: "device CA"
        case .poisonedCompletion: "poisoned completion (EP)"
        case .poisonedWrite: "poisoned write (EP)"
        case .completionTimeout: "completion timeout"
        case .ecrc: "ECRC error"
        case .malformedTLP: "malformed TLP"
        case .unexpectedCompletion: "unexpected completion"
        case .linkDown: "link down"
        case .dpc: "DPC triggered"
        case .decodeMiss: "decode miss"
        }
    }

    /// The error as a root complex table entry writes it in a chain, e.g. `CA`.
    var tableText: String {
        switch self {
        case .unsupportedRequest: "UR"
        case .completerAbort: "CA"
        case .poisonedCompletion: "poisoned Cpl"
        default: chainText
        }
    }
}

extension Syndrome {
    /// The syndrome as evidence chains write it: `AET=UC`, `IDS=1`, `uncategorized`.
    var chainText: String {
        switch self {
        case .uc: "AET=UC"
        case .ueu: "AET=UEU"
        case .uer: "AET=UER"
        case .ueo: "AET=UEO"
        case .ce: "AET=CE"
        case .implementationDefined: "IDS=1"
        case .uncategorized: "uncategorized"
        }
    }

    /// The name KVM's and the host's outcome rules use, e.g. `UC`.
    var shortName: String {
        switch self {
        case .uc: "UC"
        case .ueu: "UEU"
        case .uer: "UER"
        case .ueo: "UEO"
        case .ce: "CE"
        case .implementationDefined: "IDS"
        case .uncategorized: "uncategorized"
        }
    }
}
