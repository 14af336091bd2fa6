import ArgumentParser
import ArmMemory

/// Resolves policy arguments (built-in names or YAML files), reporting a bad one with the exit
/// code its kind of failure calls for: 64 unknown name, 66 missing file, 65 bad file.
func resolvePolicies(_ arguments: [String]) throws -> [AttributePolicy] {
    var policies: [AttributePolicy] = []
    for argument in arguments {
        do {
            policies.append(try AttributePolicy.resolve(argument))
        } catch {
            if case .invalidFile(let located) = error {
                printError(located.description)
            } else {
                printError("mmio-replay: error: \(error)")
            }
            switch error {
            case .unknownName: throw ExitCode(64)
            case .missingFile, .unreadableFile: throw ExitCode(66)
            case .invalidFile: throw ExitCode(65)
            }
        }
    }
    return policies
}
