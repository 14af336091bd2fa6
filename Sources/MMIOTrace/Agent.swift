/// Who performed an event: a guest vCPU, the VMM thread of a VM (through its own mapping of the
/// device), or the host kernel.
///
/// Spelled `vcpuN`, `vmm` and `host` for VM 0, and `vmK.vcpuN`, `vmK.vmm` for other VMs.
public struct Agent: Hashable, Comparable, Sendable, BitwiseCopyable {
    public enum Role: UInt8, Sendable, Comparable, BitwiseCopyable {
        case host, vmm, vcpu
        public static func < (a: Role, b: Role) -> Bool { a.rawValue < b.rawValue }
    }

    public var role: Role
    /// The VM the agent belongs to (0 for the host).
    public var vm: UInt16
    /// The vCPU index (0 unless `role == .vcpu`).
    public var index: UInt16

    public init(role: Role, vm: UInt16 = 0, index: UInt16 = 0) {
        self.role = role
        self.vm = role == .host ? 0 : vm
        self.index = role == .vcpu ? index : 0
    }

    public static let host = Agent(role: .host)
    public static func vcpu(_ index: UInt16, vm: UInt16 = 0) -> Agent { Agent(role: .vcpu, vm: vm, index: index) }
    public static func vmm(vm: UInt16 = 0) -> Agent { Agent(role: .vmm, vm: vm) }

    /// The stage-1 address space this agent's accesses go through.
    public var addressSpace: AddressSpace {
        switch role {
        case .host: .host
        case .vmm: .vmm(vm: vm)
        case .vcpu: .guest(vm: vm)
        }
    }

    public static func < (a: Agent, b: Agent) -> Bool {
        (a.vm, a.role, a.index) < (b.vm, b.role, b.index)
    }
}

extension Agent: CustomStringConvertible {
    public var description: String {
        let prefix = vm == 0 ? "" : "vm\(vm)."
        switch role {
        case .host: return "host"
        case .vmm: return prefix + "vmm"
        case .vcpu: return prefix + "vcpu\(index)"
        }
    }
}

/// A set of stage-1 page tables that maps device regions: a guest kernel's (shared by all the
/// vCPUs of its VM), a VMM's, or the host kernel's.
///
/// Spelled `vmK` for a guest, `vmm`/`vmK.vmm` for a VMM and `host`.
public enum AddressSpace: Hashable, Comparable, Sendable {
    case host
    case vmm(vm: UInt16)
    case guest(vm: UInt16)
}

extension AddressSpace: CustomStringConvertible {
    public var description: String {
        switch self {
        case .host: "host"
        case .vmm(let vm): vm == 0 ? "vmm" : "vm\(vm).vmm"
        case .guest(let vm): "vm\(vm)"
        }
    }
}
