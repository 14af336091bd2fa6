import ArmMemory
import DeviceModels
import Diagnostics
import MMIOTrace

/// What a capture does not record and a side file (`--map FILE`) supplies: the stage-1 type each
/// region is mapped with, the device model of each device, which captured agent is which, and
/// (for captures that only see guest physical addresses) the regions themselves.
///
/// Defaults: stage 1 Device-nGnRE (what Linux's `ioremap` gives), device model `generic`, every
/// captured access made by `vcpu0`.
public struct CaptureSettings: Hashable, Sendable {
    /// Stage-1 type by region name (as the importer names regions).
    public var stage1: [String: MemoryType]
    /// What backs each region in the host, by region name (`vma:`; kernel policies read it).
    public var hostMappings: [String: HostMapping] = [:]
    /// Device model by device name.
    public var models: [String: String]
    /// Agent spelling (`vcpu0`, `vmm`, `host`, ...) by captured thread, CPU or process key, as the
    /// importer documents it (e.g. a QEMU thread id, an ftrace CPU number); unlisted keys map
    /// to ``defaultAgent``.
    public var agents: [String: String]
    /// The agent for accesses no entry of ``agents`` names.
    public var defaultAgent: String
    /// Regions the capture cannot declare (ftrace sees guest physical addresses only), in
    /// side-file order.
    public var regions: [CaptureRegion]

    public init(stage1: [String: MemoryType] = [:], models: [String: String] = [:], agents: [String: String] = [:],
                defaultAgent: String = "vcpu0", regions: [CaptureRegion] = []) {
        self.stage1 = stage1
        self.models = models
        self.agents = agents
        self.defaultAgent = defaultAgent
        self.regions = regions
    }

    /// The stage-1 type a capture's region gets when the side file says nothing.
    public static let defaultStage1: MemoryType = .deviceNGnRE
    /// The device model a captured device with no built-in model gets when the side file says
    /// nothing: one learned from the capture's own accesses.
    public static let defaultModel = DeviceModel.learnedName

    /// The agent spelling for a captured key: the side file's entry, else `derived` (an
    /// importer's own reading of the key, e.g. `CPU 3/KVM` → `vcpu3`), else ``defaultAgent``.
    public func agentSpelling(forKey key: String, derived: String? = nil) -> String {
        agents[key] ?? derived ?? defaultAgent
    }

    /// Applies the side file to an importer's topology: each device's model (the side file's,
    /// else the one `identified` chose from what the capture says of the device, else
    /// ``defaultModel``), and the stage-1 type of each region the capture maps (or the side file
    /// names) in every address space the capture's agents use.
    ///
    /// - Parameter identified: by device name, the built-in model the capture's own description
    ///   of the device names, and why (e.g. `PCI IDs 1b36:0010`).
    /// - Returns: by device name, why it got its model (for the side-file template).
    @discardableResult
    func apply(to topology: inout Topology, spaces: [AddressSpace], identified: [String: (model: String, reason: String)] = [:],
               mapped: (RegionID) -> Bool) -> [String: String] {
        var reasons: [String: String] = [:]
        for i in topology.devices.indices {
            let name = topology.devices[i].name
            if let model = models[name] {
                (topology.devices[i].model, reasons[name]) = (model, "from the side file")
            } else if let chosen = identified[name] {
                (topology.devices[i].model, reasons[name]) = (chosen.model, chosen.reason)
            } else {
                (topology.devices[i].model, reasons[name]) = (Self.defaultModel, "no built-in model for this device: learned from the capture (inspect --learn-models DIR writes it)")
            }
        }
        for i in topology.regions.indices {
            if let mapping = hostMappings[topology.regions[i].name] { topology.regions[i].hostMapping = mapping }
        }
        let regions = topology.regions.indices.filter { mapped(RegionID($0)) || stage1[topology.regions[$0].name] != nil }
        topology.mappings = spaces.flatMap { space in
            regions.map { i in
                Mapping(addressSpace: space, region: RegionID(i), type: stage1[topology.regions[i].name] ?? Self.defaultStage1)
            }
        }
        return reasons
    }
}

/// A region a side file declares: `{name, device, base, size, kind, hva}`.
public struct CaptureRegion: Hashable, Sendable {
    public var name: String
    /// The device's name; devices are created in order of first mention.
    public var device: String
    public var base: UInt64
    public var size: UInt64
    public var kind: RegionKind
    /// Where the VMM maps the region in its own address space, so that a host `kvm_unmap_hva_range`
    /// over it becomes an `unmap` of the region.
    public var hva: UInt64?

    public init(name: String, device: String, base: UInt64, size: UInt64, kind: RegionKind = .bar, hva: UInt64? = nil) {
        self.name = name
        self.device = device
        self.base = base
        self.size = size
        self.kind = kind
        self.hva = hva
    }
}

extension CaptureSettings {
    /// ``agents`` and ``defaultAgent`` parsed; a settings value built in code may hold a spelling
    /// no side file would pass.
    /// - Throws: ``InputError`` (located at the start of `file`) naming the bad spelling.
    func parsedAgents(file: String = "side file") throws(InputError) -> (byKey: [String: Agent], fallback: Agent) {
        func parse(_ spelling: String) throws(InputError) -> Agent {
            guard let agent = Agent(spelling: spelling) else {
                throw InputError(SourceLocation(file: file, line: 1, column: 1),
                                 expected: "an agent (host, vmm, vcpuN, vmK.vmm, vmK.vcpuN)", found: spelling)
            }
            return agent
        }
        var byKey: [String: Agent] = [:]
        for (key, spelling) in agents { byKey[key] = try parse(spelling) }
        return (byKey, try parse(defaultAgent))
    }
}
