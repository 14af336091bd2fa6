import ArgumentParser
import ArmMemory
import DeviceModels
import Diagnostics
import Foundation
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

/// Shell completion of `--policy`: the built-in policies, then YAML files.
@Sendable func policyCompletions(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
    AttributePolicy.builtIns.map(\.name) + yamlPaths(completing: prefix)
}

/// Shell completion of `--platform` and profile arguments: the built-in profiles, then YAML files.
@Sendable func platformCompletions(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
    PlatformProfile.builtIns.map(\.name) + yamlPaths(completing: prefix)
}

/// The YAML files and directories (with a trailing `/`) whose paths start with `prefix`.
private func yamlPaths(completing prefix: String) -> [String] {
    let directory = prefix.lastIndex(of: "/").map { String(prefix[...$0]) } ?? ""
    let name = prefix.dropFirst(directory.count)
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory.isEmpty ? "." : directory)) ?? []
    return entries.sorted().compactMap { entry in
        guard entry.hasPrefix(name), !entry.hasPrefix(".") || name.hasPrefix(".") else { return nil }  // hidden ones when asked for
        let path = directory + entry
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return nil }
        if isDirectory.boolValue { return path + "/" }
        return path.hasSuffix(".yaml") || path.hasSuffix(".yml") ? path : nil
    }
}
