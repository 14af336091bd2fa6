/// What backs a device region in the host: the kind of VMA the VMM mapped it through, which
/// decides what a kernel policy puts in stage 2 (docs/policies.md, "Kernel policies").
///
/// Each kind stands for a set of VMA facts (``facts(kernel:)``): `VM_PFNMAP`/`VM_MIXEDMAP`,
/// `VM_ALLOW_ANY_UNCACHED`, `VM_MTE_ALLOWED`, the host's stage-1 type, and whether the pfn is in
/// the kernel's linear map. Built-in (named) policies decide by region kind alone and ignore it.
public enum HostMapping: String, CaseIterable, Hashable, Sendable, Codable {
    /// A vfio-pci BAR: `VM_PFNMAP`, host stage 1 Device (`pgprot_noncached`), with
    /// `VM_ALLOW_ANY_UNCACHED` from Linux 6.9 on.
    case vfioPCI = "vfio-pci"
    /// Device memory without the flag (vfio-platform registers, a GIC interface): `VM_PFNMAP`,
    /// host stage 1 Device or Normal-NC.
    case device
    /// Cacheable device memory (e.g. nvgrace-gpu's GPU memory): `VM_PFNMAP`, host stage 1
    /// Normal-WB, not in the linear map.
    case cacheable
    /// Ordinary memory the VMM backs a region with (e.g. ivshmem's shared-memory BAR, a memfd):
    /// no `VM_PFNMAP`, in the linear map, `VM_MTE_ALLOWED`.
    case ram

    /// Whether the host itself maps the region cacheable: memory meant to be cached, where a
    /// cacheable guest type is no finding.
    public var isCacheableMemory: Bool { self == .cacheable || self == .ram }

    /// What a region of `kind` is backed by when the trace does not say: a BAR by vfio-pci,
    /// everything else by device memory without the flag.
    public static func defaultMapping(for kind: RegionKind) -> HostMapping {
        kind == .bar ? .vfioPCI : .device
    }

    /// The host's stage-1 type for the range, as KVM classifies it.
    public enum HostStage1: String, Hashable, Sendable {
        case device, normalNC = "normal-nc", cacheable
    }

    /// The VMA facts this kind stands for under `kernel`.
    public struct Facts: Hashable, Sendable {
        /// `VM_PFNMAP` or `VM_MIXEDMAP`.
        public var pfnMap: Bool
        /// `VM_ALLOW_ANY_UNCACHED` (exists from 6.9).
        public var allowAnyUncached: Bool
        /// `VM_MTE_ALLOWED`: never on a VFIO or device mapping.
        public var mteAllowed: Bool
        public var hostStage1: HostStage1
        /// Whether the pfn is in the kernel's linear map (ordinary RAM).
        public var inLinearMap: Bool
    }

    public func facts(kernel: KernelVersion) -> Facts {
        switch self {
        case .vfioPCI:
            Facts(pfnMap: true, allowAnyUncached: kernel >= .allowAnyUncached, mteAllowed: false, hostStage1: .device, inLinearMap: false)
        case .device:
            Facts(pfnMap: true, allowAnyUncached: false, mteAllowed: false, hostStage1: .device, inLinearMap: false)
        case .cacheable:
            Facts(pfnMap: true, allowAnyUncached: false, mteAllowed: false, hostStage1: .cacheable, inLinearMap: false)
        case .ram:
            Facts(pfnMap: false, allowAnyUncached: false, mteAllowed: true, hostStage1: .cacheable, inLinearMap: true)
        }
    }
}

extension HostMapping: CustomStringConvertible {
    public var description: String { rawValue }
}
