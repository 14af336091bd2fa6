import ArmMemory
import DeviceModels
import Diagnostics
import Faults
import MMIOTrace
import Platforms

/// Options of a replay that are not the policy or the platform.
public struct ReplayOptions: Hashable, Sendable {
    public var schedule: Schedule
    /// How many device observations the report lists (the rest are counted).
    public var deviceViewLimit: Int
    /// How many hazards the report lists (the rest are counted).
    public var hazardLimit: Int
    /// Stage-1 types that replace what the trace declares for guests, by region name: every
    /// guest maps the region with this type (`--s1 REGION=TYPE`).
    public var guestStage1: [String: MemoryType]
    /// The same for the VMMs' own mappings (`--vmm-s1 REGION=TYPE`): what `vmm-mirror` copies.
    public var vmmStage1: [String: MemoryType] = [:]
    /// Faults to inject, in addition to the trace's own `fault` directives.
    public var faults: [Fault]
    /// Whether the trace's own `fault` directives are injected (a campaign's golden run leaves
    /// them out).
    public var traceFaults: Bool

    public init(schedule: Schedule = .inOrder, deviceViewLimit: Int = 10_000, hazardLimit: Int = 1_000,
                guestStage1: [String: MemoryType] = [:], faults: [Fault] = [], traceFaults: Bool = true) {
        self.traceFaults = traceFaults
        self.schedule = schedule
        self.deviceViewLimit = deviceViewLimit
        self.hazardLimit = hazardLimit
        self.guestStage1 = guestStage1
        self.faults = faults
    }
}

/// `--s1` names a region the trace does not declare.
public struct UnknownRegionError: Error, Hashable, Sendable, CustomStringConvertible {
    public var region: String
    public var regions: [String]
    public var description: String {
        "--s1/--vmm-s1 names region '\(region)', which the trace does not declare (regions: \(regions.joined(separator: ", ")))"
            + (Suggestion.closest(to: region, among: regions).map { "; did you mean '\($0)'?" } ?? "")
    }
}

/// A device of the trace names a model that does not exist.
public struct UnknownDeviceModelError: Error, Hashable, Sendable, CustomStringConvertible {
    public var device: String
    public var model: String
    public var suggestion: String?
    /// Where the trace names the model, when it says.
    public var location: SourceLocation?

    public init(device: String, model: String, suggestion: String?, location: SourceLocation? = nil) {
        self.device = device
        self.model = model
        self.suggestion = suggestion
        self.location = location
    }

    /// With its location, as `file:line:column: error: ...` (else the message alone).
    public var located: String { location.map { "\($0): error: \(description)" } ?? "mmio-replay: error: \(description)" }

    public var description: String {
        if model == DeviceModel.learnedName {
            return "device '\(device)' has no built-in model and its model learned from the trace ('\(DeviceModel.learnedName(of: device))') "
                + "was not given (learning reads the trace twice: save standard input to a file)"
        }
        return "device '\(device)' uses model '\(model)', which is neither a built-in device model ("
            + DeviceModel.builtIns.map(\.name).joined(separator: ", ") + ") nor one given with --device-model"
            + (suggestion.map { "; did you mean '\($0)'?" } ?? "")
    }
}

/// Replays traces against the model of the write path, interconnect, root complex, link and
/// devices (docs/schedules.md).
public enum Replay {
    /// The version of the engine's model: part of every campaign experiment's id, so that
    /// results of different models never mix. Bump it with any change that can change a result.
    public static let modelVersion = "4"

    /// Replays every remaining event of `source` under one policy and platform.
    ///
    /// - Parameters:
    ///   - source: The trace; read once, in constant memory.
    ///   - models: Device models by name, consulted before the built-ins.
    /// - Throws: ``InputError`` from the trace, ``UnknownDeviceModelError``.
    ///   - tlpObserver: Receives every TLP on the link (for `--tlp-pcap`).
    ///   - timeline: Receives the replay's spans and instants (for `--timeline`).
    public static func run(_ source: some TraceEventSource, policy: AttributePolicy, platform: PlatformProfile,
                           models: [DeviceModel] = [], options: ReplayOptions = ReplayOptions(),
                           tlpObserver: (any TLPObserver)? = nil, timeline: (any TimelineObserver)? = nil) throws -> ReplayReport {
        var simulation = try makeSimulation(topology: source.topology, policy: policy, platform: platform, models: models, options: options)
        simulation.tlpObserver = tlpObserver
        simulation.timeline = timeline
        try simulation.run(source)
        return simulation.report
    }

    static func makeSimulation(topology declared: Topology, policy: AttributePolicy, platform: PlatformProfile, models: [DeviceModel],
                               options: ReplayOptions) throws -> Simulation {
        let topology = try overriding(overriding(declared, guestStage1: options.guestStage1), vmmStage1: options.vmmStage1)
        var endpoints = ContiguousArray<Endpoint>()
        endpoints.reserveCapacity(topology.devices.count)
        // One powered-up endpoint per model, copied to each of its devices: the copies share the
        // model's tables and their state arrays until a device first changes them.
        var fresh: [String: Endpoint] = [:]
        for (id, device) in topology.devices.enumerated() {
            let name = device.model == DeviceModel.learnedName ? DeviceModel.learnedName(of: device.name) : device.model
            if let endpoint = fresh[name] {
                endpoints.append(endpoint)
                continue
            }
            guard let model = models.first(where: { $0.name == name }) ?? DeviceModel.builtIn(named: name) else {
                throw UnknownDeviceModelError(device: device.name, model: device.model,
                                              suggestion: Suggestion.closest(to: device.model, among: (models + DeviceModel.builtIns).map(\.name)),
                                              location: topology.modelLocations[DeviceID(id)])
            }
            fresh[name] = Endpoint(model: model)
            endpoints.append(fresh[name]!)
        }
        let setup = SimulationSetup(topology: topology, policy: policy, platform: platform, deviceViewLimit: options.deviceViewLimit,
                                    hazardLimit: options.hazardLimit)
        let faults = try topology.directives.filter { options.traceFaults && $0.keyword == "fault" }.map { directive throws(InputError) in
            try Fault.parse(directive.text, location: directive.location)
        } + options.faults
        return Simulation(setup: setup, schedule: options.schedule, endpoints: endpoints, faults: faults, policyName: policy.name,
                          platformName: platform.name)
    }

    /// The topology with every guest mapping of the named regions replaced (and VM 0's added
    /// where the trace declares none).
    static func overriding(_ topology: Topology, guestStage1: [String: MemoryType]) throws -> Topology {
        try overriding(topology, guestStage1, where: { if case .guest = $0 { true } else { false } }, adding: .guest(vm: 0))
    }

    /// The same for the VMMs' own mappings.
    static func overriding(_ topology: Topology, vmmStage1: [String: MemoryType]) throws -> Topology {
        try overriding(topology, vmmStage1, where: { if case .vmm = $0 { true } else { false } }, adding: .vmm(vm: 0))
    }

    private static func overriding(_ topology: Topology, _ types: [String: MemoryType], where matches: (AddressSpace) -> Bool,
                                   adding space: AddressSpace) throws -> Topology {
        var result = topology
        for (name, type) in types.sorted(by: { $0.key < $1.key }) {
            guard let region = topology.regionID(named: name) else {
                throw UnknownRegionError(region: name, regions: topology.regions.map(\.name))
            }
            var replaced = false
            for i in result.mappings.indices where result.mappings[i].region == region && matches(result.mappings[i].addressSpace) {
                result.mappings[i].type = type
                replaced = true
            }
            if !replaced { result.mappings.append(Mapping(addressSpace: space, region: region, type: type)) }
        }
        return result
    }
}
