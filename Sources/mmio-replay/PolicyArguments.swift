import ArgumentParser
import ArmMemory
import DeviceModels
import Platforms

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

/// Resolves platform arguments (built-in names or YAML files), with the same exit codes.
func resolvePlatforms(_ arguments: [String]) throws -> [PlatformProfile] {
    var profiles: [PlatformProfile] = []
    for argument in arguments {
        do {
            profiles.append(try PlatformProfile.resolve(argument))
        } catch {
            switch error {
            case .unknownName:
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
    return profiles
}

/// Loads device model files given on the command line.
func resolveDeviceModels(_ paths: [String]) throws -> [DeviceModel] {
    var models: [DeviceModel] = []
    for path in paths {
        do {
            models.append(try DeviceModel.resolve(path))
        } catch {
            switch error {
            case .unknownName:
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
    return models
}
