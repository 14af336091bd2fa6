import ArmMemory
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
    /// The device model a captured device gets when the side file says nothing.
    public static let defaultModel = "generic"

    /// The agent spelling for a captured key: the side file's entry, else `derived` (an
    /// importer's own reading of the key, e.g. `CPU 3/KVM` → `vcpu3`), else ``defaultAgent``.
    public func agentSpelling(forKey key: String, derived: String? = nil) -> String {
        agents[key] ?? derived ?? defaultAgent
    }

    /// Applies the side file to an importer's topology: each device's model, and each region's
    /// stage-1 type in every address space the capture's agents use.
    func apply(to topology: inout Topology, spaces: [AddressSpace]) {
        for i in topology.devices.indices {
            topology.devices[i].model = models[topology.devices[i].name] ?? Self.defaultModel
        }
        topology.mappings = spaces.flatMap { space in
            topology.regions.indices.map { i in
                Mapping(addressSpace: space, region: RegionID(i), type: stage1[topology.regions[i].name] ?? Self.defaultStage1)
            }
        }
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
