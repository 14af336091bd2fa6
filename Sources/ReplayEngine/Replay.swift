import ArmMemory
import DeviceModels
import Diagnostics
import MMIOTrace
import Platforms

/// Options of a replay that are not the policy or the platform.
public struct ReplayOptions: Hashable, Sendable {
    public var schedule: Schedule
    /// How many device observations the report lists (the rest are counted).
    public var deviceViewLimit: Int
    /// How many hazards the report lists (the rest are counted).
    public var hazardLimit: Int

    public init(schedule: Schedule = .inOrder, deviceViewLimit: Int = 10_000, hazardLimit: Int = 1_000) {
        self.schedule = schedule
        self.deviceViewLimit = deviceViewLimit
        self.hazardLimit = hazardLimit
    }
}

/// A device of the trace names a model that does not exist.
public struct UnknownDeviceModelError: Error, Hashable, Sendable, CustomStringConvertible {
    public var device: String
    public var model: String
    public var suggestion: String?
    public var description: String {
        "device '\(device)' uses model '\(model)', which is neither a built-in device model ("
            + DeviceModel.builtIns.map(\.name).joined(separator: ", ") + ") nor one given with --device-model"
            + (suggestion.map { "; did you mean '\($0)'?" } ?? "")
    }
}

/// Replays traces against the model of the write path, interconnect, root complex, link and
/// devices (docs/schedules.md).
public enum Replay {
    /// Replays every remaining event of `source` under one policy and platform.
    ///
    /// - Parameters:
    ///   - source: The trace; read once, in constant memory.
    ///   - models: Device models by name, consulted before the built-ins.
    /// - Throws: ``InputError`` from the trace, ``UnknownDeviceModelError``.
    public static func run(_ source: some TraceEventSource, policy: AttributePolicy, platform: PlatformProfile,
                           models: [DeviceModel] = [], options: ReplayOptions = ReplayOptions()) throws -> ReplayReport {
        var simulation = try makeSimulation(topology: source.topology, policy: policy, platform: platform, models: models, options: options)
        try simulation.run(source)
        return simulation.report
    }

    static func makeSimulation(topology: Topology, policy: AttributePolicy, platform: PlatformProfile, models: [DeviceModel],
                               options: ReplayOptions) throws -> Simulation {
        var endpoints = ContiguousArray<Endpoint>()
        for device in topology.devices {
            guard let model = models.first(where: { $0.name == device.model }) ?? DeviceModel.builtIn(named: device.model) else {
                throw UnknownDeviceModelError(device: device.name, model: device.model,
                                              suggestion: Suggestion.closest(to: device.model, among: (models + DeviceModel.builtIns).map(\.name)))
            }
            endpoints.append(Endpoint(model: model))
        }
        let setup = SimulationSetup(topology: topology, policy: policy, timing: TransportTiming(platform.transport),
                                    deviceViewLimit: options.deviceViewLimit, hazardLimit: options.hazardLimit)
        return Simulation(setup: setup, schedule: options.schedule, endpoints: endpoints, policyName: policy.name, platformName: platform.name)
    }
}
