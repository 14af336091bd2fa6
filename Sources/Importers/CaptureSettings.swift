import ArmMemory

/// What a capture does not record and a side file (`--map FILE`) supplies: the stage-1 type each
/// region is mapped with, the device model of each device, and which captured agent is which.
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

    public init(stage1: [String: MemoryType] = [:], models: [String: String] = [:], agents: [String: String] = [:],
                defaultAgent: String = "vcpu0") {
        self.stage1 = stage1
        self.models = models
        self.agents = agents
        self.defaultAgent = defaultAgent
    }

    /// The stage-1 type a capture's region gets when the side file says nothing.
    public static let defaultStage1: MemoryType = .deviceNGnRE
    /// The device model a captured device gets when the side file says nothing.
    public static let defaultModel = "generic"
}
