/// A Linux kernel, on a CPU, with the VMM's opt-ins: what a kernel policy is the logic of.
public struct KernelPolicy: Hashable, Sendable {
    public var version: KernelVersion
    public var cpu: CPUFeatures
    /// The VMM enabled `KVM_CAP_ARM_SEA_TO_USER` (read from 6.19 on).
    public var seaToUser: Bool

    public init(version: KernelVersion, cpu: CPUFeatures = [], seaToUser: Bool = false) {
        self.version = version
        self.cpu = cpu
        self.seaToUser = seaToUser
    }

    /// `linux-6.9`, `linux-6.17:cpu=fwb,dic`, `linux-6.19:cpu=ras:kvm-cap=sea-to-user`: the policy's name.
    public var name: String {
        "linux-\(version)" + (cpu.isEmpty ? "" : ":cpu=\(cpu)") + (seaToUser ? ":kvm-cap=sea-to-user" : "")
    }

    /// Parses a name as ``name`` writes it (`linux-`, then a version, then optional `:cpu=LIST`
    /// and `:kvm-cap=sea-to-user`); nil when it does not start with `linux-`, an error message
    /// when it does but is wrong.
    public static func parse(_ text: String) -> Result<KernelPolicy, KernelPolicyError>? {
        let lowered = text.lowercased()
        guard lowered.hasPrefix("linux-") else { return nil }
        let parts = lowered.split(separator: ":", omittingEmptySubsequences: false)
        guard let version = KernelVersion(String(parts[0])) else {
            return .failure(KernelPolicyError("expected a kernel version like linux-6.9, found '\(parts[0])'"))
        }
        guard version >= .oldest else {
            return .failure(KernelPolicyError("expected a kernel version from \(KernelVersion.oldest) on (older KVM is not modelled), found '\(version)'"))
        }
        var policy = KernelPolicy(version: version)
        for part in parts.dropFirst() {
            if part.hasPrefix("cpu=") {
                switch CPUFeatures.parse(String(part.dropFirst(4))) {
                case .success(let cpu): policy.cpu = cpu
                case .failure(let error): return .failure(KernelPolicyError(error.message))
                }
            } else if part == "kvm-cap=sea-to-user" {
                policy.seaToUser = true
            } else {
                return .failure(KernelPolicyError("expected ':cpu=LIST' or ':kvm-cap=sea-to-user' after the version, found ':\(part)'"))
            }
        }
        return .success(policy)
    }
}

/// A `linux-…` policy name that does not parse.
public struct KernelPolicyError: Error, Hashable, Sendable {
    public var message: String
    init(_ message: String) { self.message = message }
}

extension AttributePolicy {
    /// The policy `kernel` applies: per region, what KVM does for the VMA behind it
    /// (``KernelStage2``); per region kind, the decision for that kind's default mapping
    /// (``HostMapping/defaultMapping(for:)``), with Device-nGnRE standing in where the kernel
    /// refuses (the replay reports the refusal, never that attribute).
    public static func kernel(_ kernel: KernelPolicy) -> AttributePolicy {
        let fwb = kernel.cpu.contains(.fwb)
        let alias = kernel.cpu.subtracting([.fwb, .dic, .ras, .doubleFault2]).isEmpty
            ? (kernel.version >= .allowAnyUncached ? " (kvm-normal-nc)" : " (kvm-device)") : ""
        return AttributePolicy(
            name: kernel.name, summary: "what KVM in Linux \(kernel.version) does on a CPU with \(kernel.cpu)\(alias)",
            source: "arch/arm64/kvm/mmu.c of Linux \(kernel.version) (docs/policies.md, Kernel policies)", fwb: fwb, kernel: kernel
        ) { kind in
            let decision = KernelStage2.decide(kernel: kernel.version, mapping: .defaultMapping(for: kind), cpu: kernel.cpu)
            if case .map(let attribute) = decision.outcome { return .fixed(attribute) }
            return .fixed(KernelStage2.stage2(.deviceNGnRE, fwb: fwb))
        }
    }
}
