import ArgumentParser
import ArmMemory
import DeviceModels
import Diagnostics
import Platforms

/// Resolves name-or-file arguments, reporting a bad one with the exit code its kind of failure
/// calls for: 64 unknown name, 66 missing or unreadable file, 65 bad file.
func resolveAll<Value>(_ arguments: [String], _ resolve: (String) throws(ResolutionError) -> Value) throws -> [Value] {
    var values: [Value] = []
    for argument in arguments {
        do {
            values.append(try resolve(argument))
        } catch {
            switch error.failure {
            case .unknownName, .invalidName:
                printError("mmio-replay: error: \(error)")
                throw ExitCode(64)
            case .missingFile, .unreadableFile:
                printError("mmio-replay: error: \(error)")
                throw ExitCode(66)
            case .invalidFile(let located):
                printError(located.description)
                throw ExitCode(65)
            }
        }
    }
    return values
}

func resolvePolicies(_ arguments: [String]) throws -> [AttributePolicy] { try resolveAll(arguments, AttributePolicy.resolve) }

func resolvePlatforms(_ arguments: [String]) throws -> [PlatformProfile] { try resolveAll(arguments, PlatformProfile.resolve) }

func resolveDeviceModels(_ paths: [String]) throws -> [DeviceModel] { try resolveAll(paths, DeviceModel.resolve) }
