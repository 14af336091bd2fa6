/// A Linux kernel version, `major.minor` (a stable release's third number changes no KVM rule
/// modelled here). Spelled `6.9`, `v6.9`, `linux-6.9` or `6.9.3`.
public struct KernelVersion: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var major: Int
    public var minor: Int

    public init(_ major: Int, _ minor: Int) {
        self.major = major
        self.minor = minor
    }

    /// The oldest version modelled: the rules of docs/policies.md are stated from here on.
    public static let oldest = KernelVersion(6, 0)
    /// `VM_ALLOW_ANY_UNCACHED`: vfio-pci BARs may be Normal-NC at stage 2 (5c656fcdd6c6, a39d3a966a09).
    public static let allowAnyUncached = KernelVersion(6, 9)
    /// Cacheable PFNMAP device memory: Normal-WB at stage 2 with FWB and DIC, refused otherwise;
    /// implementation-defined syndrome on injected SErrors; SEAs to the SError vector with
    /// FEAT_DoubleFault2 (8cc9dc1ae4fb, 216887f79d98, 2a8dfab26677, 0c67288e0c8b, f55ce5a6cd33, fff97df2a0bd).
    public static let cacheablePFNMap = KernelVersion(6, 17)
    /// `KVM_CAP_ARM_SEA_TO_USER`: SEAs the host does not own exit to the VMM (ad9c62bd8946).
    public static let seaToUser = KernelVersion(6, 19)

    /// Parses `6.9`, `v6.9`, `linux-6.9`, `6.9.3`; nil for anything else.
    public init?(_ text: String) {
        var rest = Substring(text.lowercased())
        for prefix in ["linux-", "v"] where rest.hasPrefix(prefix) { rest = rest.dropFirst(prefix.count) }
        let parts = rest.split(separator: ".", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.count <= 4 && $0.allSatisfy(\.isASCIIDigit) }),
              let major = Int(parts[0]), let minor = Int(parts[1]) else { return nil }
        self.init(major, minor)
    }

    public var description: String { "\(major).\(minor)" }

    public static func < (lhs: KernelVersion, rhs: KernelVersion) -> Bool {
        (lhs.major, lhs.minor) < (rhs.major, rhs.minor)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

/// The CPU features (and the VM's MTE setting) that KVM's stage-2 and external-abort rules read.
public struct CPUFeatures: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// FEAT_S2FWB: stage 2 can force the write-back attribute; KVM then runs with HCR_EL2.FWB = 1.
    public static let fwb = CPUFeatures(rawValue: 1 << 0)
    /// CTR_EL0.DIC: instruction-cache invalidation not needed for coherence.
    public static let dic = CPUFeatures(rawValue: 1 << 1)
    /// FEAT_RAS: errors come with a syndrome the host can classify.
    public static let ras = CPUFeatures(rawValue: 1 << 2)
    /// The VM has MTE enabled (KVM_CAP_ARM_MTE), on a CPU with FEAT_MTE2.
    public static let mte = CPUFeatures(rawValue: 1 << 3)
    /// FEAT_DoubleFault2, with SCTLR2_EL1.EASE set by the host.
    public static let doubleFault2 = CPUFeatures(rawValue: 1 << 4)

    /// Each feature with its spelling, in the order they are printed.
    public static let spellings: [(CPUFeatures, String)] = [(.fwb, "fwb"), (.dic, "dic"), (.ras, "ras"), (.mte, "mte"), (.doubleFault2, "doublefault2")]

    /// Parses a comma-separated list of spellings, or `none`; nil names the first bad item.
    public static func parse(_ list: String) -> Result<CPUFeatures, UnknownFeature> {
        var features = CPUFeatures()
        guard list.lowercased() != "none" else { return .success(features) }
        for item in list.split(separator: ",", omittingEmptySubsequences: false) {
            let name = String(item.filter { $0 != " " }).lowercased()
            guard let feature = spellings.first(where: { $0.1 == name })?.0 else { return .failure(UnknownFeature(name: String(item))) }
            features.insert(feature)
        }
        return .success(features)
    }

    /// A list item that names no feature.
    public struct UnknownFeature: Error, Hashable, Sendable {
        public var name: String
        public var message: String {
            "expected a comma-separated list of \(CPUFeatures.spellings.map(\.1).joined(separator: ", ")), or none; found '\(name)'"
        }
    }

    /// `fwb,dic`, or `none`.
    public var description: String {
        let names = Self.spellings.filter { contains($0.0) }.map(\.1)
        return names.isEmpty ? "none" : names.joined(separator: ",")
    }
}
