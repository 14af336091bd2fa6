/// What a region of physical address space is.
public enum RegionKind: String, CaseIterable, Hashable, Sendable, Codable {
    /// A PCIe memory BAR.
    case bar
    /// PCIe configuration space (ECAM window) of a device.
    case config
    /// A GICv2 virtual CPU interface, shared between guests.
    case gicv2VCPUInterface = "gicv2-vcpu-if"
    /// Registers of a platform (non-PCIe) device.
    case platform
}

extension RegionKind: CustomStringConvertible {
    public var description: String { rawValue }
}
