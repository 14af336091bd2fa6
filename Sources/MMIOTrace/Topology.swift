import ArmMemory
import Diagnostics
import PCIeTransport

/// The index of a device in ``Topology/devices``.
public typealias DeviceID = UInt32
/// The index of a region in ``Topology/regions``.
public typealias RegionID = UInt32

/// A device the trace talks to.
public struct Device: Hashable, Sendable {
    public var name: String
    /// The PCI address, or nil for a platform (non-PCIe) device.
    public var bdf: PCIAddress?
    /// The name of the device model that answers its accesses (e.g. `nvme`, `nic`, `generic`).
    public var model: String

    public init(name: String, bdf: PCIAddress? = nil, model: String = "generic") {
        self.name = name
        self.bdf = bdf
        self.model = model
    }
}

/// A range of physical addresses that belongs to one device.
public struct Region: Hashable, Sendable {
    public var name: String
    public var device: DeviceID
    public var kind: RegionKind
    public var base: UInt64
    public var size: UInt64
    /// Whether the region is prefetchable (memory-like, e.g. a write-combining page).
    public var prefetchable: Bool
    /// The BAR number (0–5) of a `bar` region, when the trace says; device models use it to pick
    /// the register map (undeclared: the region's position among its device's BAR regions).
    public var barIndex: UInt8?
    /// What backs the region in the host, when the trace says (`vma=`); kernel policies read it,
    /// and take ``HostMapping/defaultMapping(for:)`` otherwise.
    public var hostMapping: HostMapping?

    public init(name: String, device: DeviceID, kind: RegionKind, base: UInt64, size: UInt64, prefetchable: Bool = false,
                barIndex: UInt8? = nil, hostMapping: HostMapping? = nil) {
        self.name = name
        self.device = device
        self.kind = kind
        self.base = base
        self.size = size
        self.prefetchable = prefetchable
        self.barIndex = barIndex
        self.hostMapping = hostMapping
    }

    /// What backs the region in the host: as the trace says, else the default for its kind.
    public var effectiveHostMapping: HostMapping { hostMapping ?? .defaultMapping(for: kind) }

    /// Arm's largest physical (and intermediate physical) address space: 52 bits (FEAT_LPA,
    /// FEAT_LPA2). Regions, and so accesses, lie below it: every address stays far from 2^64,
    /// so that the write path adds line, page and TLP offsets to it without overflow.
    public static let addressLimit: UInt64 = 1 << 52

    /// Whether `size` bytes from `base` lie below ``addressLimit``.
    @inlinable
    public static func fits(base: UInt64, size: UInt64) -> Bool {
        base < addressLimit && size <= addressLimit - base
    }

    /// What a reader says of a region that does not fit (see ``fits(base:size:)``).
    public static func addressLimitExpectation(base: UInt64, size: UInt64) -> (expected: String, found: String) {
        ("a region ending below 2^52 (Arm's largest physical address space)",
         "0x\(String(base, radix: 16))+0x\(String(size, radix: 16))")
    }

    /// Whether `address` lies inside the region.
    @inlinable
    public func contains(_ address: UInt64) -> Bool {
        address >= base && address - base < size
    }
}

/// The stage-1 memory type an address space maps a region with.
public struct Mapping: Hashable, Sendable {
    public var addressSpace: AddressSpace
    public var region: RegionID
    public var type: MemoryType

    public init(addressSpace: AddressSpace, region: RegionID, type: MemoryType) {
        self.addressSpace = addressSpace
        self.region = region
        self.type = type
    }
}

/// A header directive the trace reader keeps as text for a higher layer to interpret (`fault`
/// lines, parsed by the fault-injection layer), with where its text starts.
public struct TraceDirective: Hashable, Sendable {
    public var keyword: String
    public var text: String
    public var location: SourceLocation

    public init(keyword: String, text: String, location: SourceLocation) {
        self.keyword = keyword
        self.text = text
        self.location = location
    }
}

/// What a trace declares about the system before its first event: devices, their regions, and
/// how each address space maps each region at stage 1.
public struct Topology: Hashable, Sendable {
    public var devices: [Device] = []
    public var regions: [Region] = []
    public var mappings: [Mapping] = []
    /// Directives for higher layers, in file order (e.g. the faults a scenario needs).
    public var directives: [TraceDirective] = []
    /// Where the trace names each device's model (`model=` of a `.mtrace` device line), by device
    /// id, for errors about a model that does not exist.
    public var modelLocations: [DeviceID: SourceLocation] = [:]

    /// The most devices, and the most regions, a topology can hold: their ids are 32 bits.
    public static let maximumCount = Int(RegionID.max) + 1

    /// Fails with a located error when a capture would need more devices or regions than
    /// ``maximumCount`` (its importer checks before creating them).
    public static func checkCounts(devices: Int, regions: Int, at location: SourceLocation, why: String) throws(InputError) {
        for (count, noun) in [(devices, "devices"), (regions, "regions")] where count > maximumCount {
            throw InputError(location, expected: "at most \(maximumCount) \(noun) (ids are 32 bits; this capture needs \(why))", found: "\(count)")
        }
    }

    /// The stage-1 type an address space uses when the trace declares no mapping: a VMM maps
    /// vfio regions Device-nGnRnE (`pgprot_noncached` in vfio's `mmap`); guest and host kernels
    /// map device memory Device-nGnRE (Linux's `ioremap` on arm64).
    public static func defaultStage1(for space: AddressSpace) -> MemoryType {
        if case .vmm = space { return .deviceNGnRnE }
        return .deviceNGnRE
    }

    /// Equal when they declare the same system: where a file names each model does not count.
    public static func == (a: Topology, b: Topology) -> Bool {
        a.devices == b.devices && a.regions == b.regions && a.mappings == b.mappings && a.directives == b.directives
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(devices)
        hasher.combine(regions)
        hasher.combine(mappings)
        hasher.combine(directives)
    }

    public init(devices: [Device] = [], regions: [Region] = [], mappings: [Mapping] = []) {
        self.devices = devices
        self.regions = regions
        self.mappings = mappings
    }

    public func deviceID(named name: some StringProtocol) -> DeviceID? {
        devices.firstIndex { $0.name == name }.map { DeviceID($0) }
    }

    public func regionID(named name: some StringProtocol) -> RegionID? {
        regions.firstIndex { $0.name == name }.map { RegionID($0) }
    }

    /// The BAR number of every region (for a `bar` region: its declared `bar=` index, else its
    /// position among its device's `bar` regions in declaration order), in one pass.
    public func barIndices() -> [UInt8] {
        var positions: [DeviceID: Int] = [:]
        return regions.map { r in
            let position = positions[r.device, default: 0]
            if r.kind == .bar { positions[r.device] = position + 1 }
            return r.barIndex ?? UInt8(min(position, 5))
        }
    }

    /// Every declared mapping's type by address space and region (the last declaration wins, as
    /// ``stage1Type(of:in:)`` reads them), for lookups in constant time.
    public func stage1Types() -> [AddressSpace: [RegionID: MemoryType]] {
        var types: [AddressSpace: [RegionID: MemoryType]] = [:]
        for mapping in mappings { types[mapping.addressSpace, default: [:]][mapping.region] = mapping.type }
        return types
    }

    /// The stage-1 type `space` maps `region` with (``defaultStage1(for:)`` when undeclared).
    public func stage1Type(of region: RegionID, in space: AddressSpace) -> MemoryType {
        mappings.last { $0.region == region && $0.addressSpace == space }?.type ?? Self.defaultStage1(for: space)
    }
}
