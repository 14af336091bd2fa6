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

extension NonPostedError {
    /// The error as evidence chains write it, e.g. `CA`.
    var chainText: String {
        switch self {
        case .unsupportedRequest: "UR"
        case .completerAbort: "CA"
        case .poisonedCompletion: "poisoned Cpl"
        case .completionTimeout: "completion timeout"
        case .decodeMiss: "decode miss"
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
