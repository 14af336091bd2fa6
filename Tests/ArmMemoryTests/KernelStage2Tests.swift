import Testing
@testable import ArmMemory

/// The decision tables of docs/policies.md, "Kernel policies", row by row.
@Suite struct KernelStage2Tests {
    struct Row: CustomTestStringConvertible, Sendable {
        var kernel: String
        var mapping: HostMapping
        var cpu: CPUFeatures
        var access: KernelStage2.Access = .data
        /// A stage-2 type name, or `-ERRNO`.
        var expected: String
        var rule: String
        var testDescription: String { "\(kernel) \(mapping) cpu=\(cpu) \(access) → \(expected)" }
    }

    static let rows: [Row] = [
        // vfio-pci BARs: Normal-NC from 6.9 (the flag), Device-nGnRE before.
        Row(kernel: "6.8", mapping: .vfioPCI, cpu: [], expected: "device-ngnre", rule: "kvm-s2-device"),
        Row(kernel: "6.9", mapping: .vfioPCI, cpu: [], expected: "normal-nc", rule: "kvm-s2-allow-any-uncached"),
        Row(kernel: "6.16", mapping: .vfioPCI, cpu: [.fwb, .dic], expected: "fwb-101", rule: "kvm-s2-allow-any-uncached"),
        Row(kernel: "6.19", mapping: .vfioPCI, cpu: [], expected: "normal-nc", rule: "kvm-s2-allow-any-uncached"),
        // Device memory without the flag: Device-nGnRE in every version.
        Row(kernel: "6.8", mapping: .device, cpu: [], expected: "device-ngnre", rule: "kvm-s2-device"),
        Row(kernel: "6.19", mapping: .device, cpu: [.fwb], expected: "fwb-001", rule: "kvm-s2-device"),
        // Cacheable device memory: a mismatch before 6.17; WB with FWB and DIC, refused without.
        Row(kernel: "6.8", mapping: .cacheable, cpu: [.fwb, .dic], expected: "fwb-001", rule: "kvm-s2-cacheable-mismatch"),
        Row(kernel: "6.16", mapping: .cacheable, cpu: [], expected: "device-ngnre", rule: "kvm-s2-cacheable-mismatch"),
        Row(kernel: "6.17", mapping: .cacheable, cpu: [.fwb, .dic], expected: "fwb-110", rule: "kvm-s2-cacheable-pfnmap"),
        Row(kernel: "6.19", mapping: .cacheable, cpu: [.fwb, .dic, .ras], expected: "fwb-110", rule: "kvm-s2-cacheable-pfnmap"),
        Row(kernel: "6.17", mapping: .cacheable, cpu: [.fwb], expected: "-EINVAL", rule: "kvm-memslot-cacheable-pfnmap"),
        Row(kernel: "6.17", mapping: .cacheable, cpu: [.dic], expected: "-EINVAL", rule: "kvm-memslot-cacheable-pfnmap"),
        Row(kernel: "6.17", mapping: .cacheable, cpu: [], expected: "-EINVAL", rule: "kvm-memslot-cacheable-pfnmap"),
        // RAM behind a region (ivshmem): ordinary memory, MTE allowed.
        Row(kernel: "6.9", mapping: .ram, cpu: [.mte], expected: "normal-wb", rule: "kvm-s2-memory"),
        Row(kernel: "6.9", mapping: .ram, cpu: [.fwb], expected: "fwb-110", rule: "kvm-s2-memory"),
        // An MTE VM is refused every VFIO mapping.
        Row(kernel: "6.9", mapping: .vfioPCI, cpu: [.mte], expected: "-EINVAL", rule: "kvm-memslot-mte"),
        Row(kernel: "6.17", mapping: .cacheable, cpu: [.mte, .fwb, .dic], expected: "-EINVAL", rule: "kvm-memslot-mte"),
        // Instruction fetches from device mappings.
        Row(kernel: "6.9", mapping: .vfioPCI, cpu: [], access: .instructionFetch, expected: "-ENOEXEC", rule: "kvm-exec-device"),
        Row(kernel: "6.16", mapping: .cacheable, cpu: [.fwb, .dic], access: .instructionFetch, expected: "-ENOEXEC", rule: "kvm-exec-device"),
    ]

    @Test(arguments: rows)
    func decides(_ row: Row) throws {
        let decision = KernelStage2.decide(kernel: try #require(KernelVersion(row.kernel)), mapping: row.mapping, cpu: row.cpu, access: row.access)
        let outcome = switch decision.outcome {
        case .map(let attribute): attribute.name
        case .refuse(let refusal): "-" + refusal.errno.name
        }
        #expect(outcome == row.expected)
        #expect(decision.rule == row.rule)
    }

    /// `linux-6.9` is `kvm-normal-nc` and `linux-6.8` is `kvm-device` on every region kind and
    /// guest type, so the named policies are aliases of those kernels (without FWB).
    @Test func namedPoliciesAreKernelAliases() throws {
        for (version, named) in [("6.9", AttributePolicy.kvmNormalNC), ("6.16", .kvmNormalNC), ("6.8", .kvmDevice), ("6.0", .kvmDevice)] {
            let kernel = AttributePolicy.kernel(KernelPolicy(version: try #require(KernelVersion(version))))
            for kind in RegionKind.allCases {
                #expect(kernel.stage2Choice(for: kind) == named.stage2Choice(for: kind), "\(version) \(kind)")
                for guest in MemoryType.allCases {
                    #expect(kernel.effectiveType(guest: guest, region: kind) == named.effectiveType(guest: guest, region: kind))
                }
            }
        }
    }

    @Test func namesParseAndRoundTrip() throws {
        for name in ["linux-6.9", "linux-6.17:cpu=fwb,dic", "linux-6.19:cpu=ras:kvm-cap=sea-to-user", "linux-6.19:kvm-cap=sea-to-user"] {
            let parsed = try #require(try KernelPolicy.parse(name)?.get())
            #expect(parsed.name == name)
        }
        #expect(try KernelPolicy.parse("LINUX-6.9.3:CPU=DIC,FWB")?.get().name == "linux-6.9:cpu=fwb,dic")
        #expect(KernelPolicy.parse("kvm-normal-nc") == nil)
        for bad in ["linux-6", "linux-5.15", "linux-6.9:cpu=sve", "linux-6.9:fwb", "linux-x.y"] {
            guard case .failure = KernelPolicy.parse(bad) else { Issue.record("\(bad) parsed"); continue }
        }
        #expect(KernelVersion("v6.17")! > KernelVersion("6.9")!)
        #expect(KernelVersion("6.10")! > KernelVersion("6.9")!)
    }
}
