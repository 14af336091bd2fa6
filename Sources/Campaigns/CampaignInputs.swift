import ArmMemory
import CampaignStore
import DeviceModels
import Diagnostics
import Foundation
import Importers
import MMIOTrace
import ModelLearning
import Platforms
import ReplayEngine

/// A campaign's inputs, loaded: traces in memory, policies, platforms and device models
/// resolved, each with a fingerprint of its content for ids.
struct CampaignInputs: Sendable {
    struct Trace: Sendable {
        var trace: LoadedTrace
        /// Of the trace's bytes, its side file's and its format.
        var hash: String
        /// The models learned from the trace for its devices with no built-in model.
        var learnedModels: [DeviceModel]
    }

    struct Named<Value: Sendable>: Sendable {
        var value: Value
        /// `builtin:NAME`, or `file:HASH` of the file's content.
        var fingerprint: String
    }

    var traces: [Trace]
    var policies: [Named<AttributePolicy>]
    var platforms: [Named<PlatformProfile>]
    var models: [DeviceModel]
    var modelsFingerprint: String
    /// Executions per experiment under the `explore` schedule.
    var exploreExecutions: Int

    /// Loads everything the spec names.
    /// - Throws: ``InputError``, ``ResolutionError`` or an importer's error, naming the file.
    init(_ spec: CampaignSpec) throws {
        let directory = spec.directory
        traces = try spec.traces.map { entry in
            let path = CampaignSpec.path(entry.path, in: directory)
            let settings = try entry.map.map { try CaptureSettings.resolve(CampaignSpec.path($0, in: directory)) } ?? CaptureSettings()
            let format = try entry.format.flatMap(CaptureFormat.init(name:)) ?? CaptureFormat.detect(path: path)
            let source = try openTrace(path: path, format: format, settings: settings)
            var hash = StableHash([format.name])
            hash.add(bytes: try Data(contentsOf: URL(fileURLWithPath: path)))
            if let map = entry.map { hash.add(bytes: try Data(contentsOf: URL(fileURLWithPath: CampaignSpec.path(map, in: directory)))) }
            let trace = try LoadedTrace(reading: source, name: entry.name)
            let learned = try ModelLearner.learning(topology: trace.topology, events: trace.events).models(source: entry.name)
            return Trace(trace: trace, hash: hash.hex, learnedModels: learned)
        }
        for (i, trace) in traces.enumerated() {
            if let first = traces[..<i].firstIndex(where: { $0.hash == trace.hash }) {
                let a = spec.traces[first], b = spec.traces[i]
                throw InputError(b.location, "expected each trace once, found '\(b.name)' with the same content (and side file) as "
                    + "'\(a.name)' at line \(a.location.line): list it once")
            }
        }
        policies = try spec.policies.map { name in
            try Self.named(name, in: directory, isBuiltIn: AttributePolicy.builtIns.contains { $0.name == name } || KernelPolicy.parse(name) != nil,
                           AttributePolicy.resolve)
        }
        platforms = try spec.platforms.map { name in
            try Self.named(name, in: directory, isBuiltIn: PlatformProfile.builtIns.contains { $0.name == name }, PlatformProfile.resolve)
        }
        let models = try spec.deviceModels.map { try Self.named($0, in: directory, isBuiltIn: false, DeviceModel.resolve) }
        self.models = models.map(\.value)
        exploreExecutions = spec.exploreExecutions
        modelsFingerprint = StableHash(models.map(\.fingerprint)).hex
    }

    private static func named<Value>(_ name: String, in directory: String, isBuiltIn: Bool,
                                     _ resolve: (String) throws(ResolutionError) -> Value) throws -> Named<Value> {
        if isBuiltIn { return Named(value: try resolve(name), fingerprint: "builtin:\(name)") }
        let path = CampaignSpec.path(name, in: directory)
        var hash = StableHash()
        hash.add(bytes: try Data(contentsOf: URL(fileURLWithPath: path)))
        return Named(value: try resolve(path), fingerprint: "file:\(hash.hex)")
    }
}
