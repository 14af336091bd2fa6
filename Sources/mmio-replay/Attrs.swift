import ArgumentParser
import ArmMemory
import Diagnostics

struct Attrs: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the effective memory type of guest accesses under attribute policies.",
        discussion: """
            With --kernel: what KVM in that Linux version does when a guest maps a region backed
            by a --vma on a CPU with --cpu: the stage-2 type (and its encoding), or the refusal
            (errno), with the rule that decided (docs/policies.md, Kernel policies).
            Without --s1/--s2: the table "guest stage-1 type -> effective type" for each policy
            (all built-in policies side by side when none is given) on one kind of region.
            With --s1 and --s2: combine one cell and print only the effective type's name.
            Types: device-ngnrne, device-ngnre, device-ngre, device-gre, normal-nc, normal-wt,
            normal-wb (case-insensitive). With --fwb, --s2 takes fwb-000 .. fwb-011, fwb-101,
            fwb-110, fwb-111.

            Examples:
              mmio-replay attrs --policy kvm-device --policy kvm-normal-nc
              mmio-replay attrs --region-kind gicv2-vcpu-if --json
              mmio-replay attrs --s1 normal-nc --s2 device-ngnre
              mmio-replay attrs --s1 normal-wb --s2 fwb-111 --fwb
              mmio-replay attrs --kernel 6.17 --vma cacheable --cpu fwb,dic --json
            """
    )

    @Option(name: .long, help: "A policy name or policy YAML file (repeatable; default: every built-in).",
            completion: .custom(policyCompletions))
    var policy: [String] = []

    @Option(name: .long, help: "The kind of region accessed.")
    var regionKind: RegionKind = .bar

    @Option(name: .long, help: "The VMM's own stage-1 type for the region (read by vmm-mirror; values: \(MemoryType.argumentNames.joined(separator: ", "))).",
            completion: .list(MemoryType.argumentNames), transform: MemoryType.parsing)
    var vmmS1: MemoryType = AttributePolicy.defaultVMMStage1

    @Option(name: .long, help: "One cell: the guest's stage-1 type (values: \(MemoryType.argumentNames.joined(separator: ", "))).",
            completion: .list(MemoryType.argumentNames), transform: MemoryType.parsing)
    var s1: MemoryType?

    @Option(name: .long, help: "One cell: the stage-2 attribute (values: \(Self.stage2Names.joined(separator: ", ")), or a MemAttr value like 0b0101).",
            completion: .list(Self.stage2Names))
    var s2: String?

    @Flag(name: .long, help: "One cell: HCR_EL2.FWB = 1 (--s2 is then an fwb-xxx encoding).")
    var fwb = false

    @Option(help: "What KVM in this Linux version does (6.0 on) with a --vma on a --cpu; prints the decision and its rule.")
    var kernel: String?

    @Option(help: "With --kernel: the host VMA behind the region: vfio-pci (VM_ALLOW_ANY_UNCACHED where the kernel has it), device (PFNMAP Device/NC without the flag), cacheable (PFNMAP cacheable device memory), ram (ordinary memory, e.g. ivshmem).")
    var vma: HostMapping = .vfioPCI

    @Option(help: "With --kernel: the CPU's features, a comma-separated subset of fwb,dic,ras,mte,doublefault2 (mte: the VM has MTE enabled), or none.")
    var cpu: String = "none"

    @Flag(help: "With --kernel: the access is an instruction fetch.")
    var fetch = false

    @OptionGroup var output: OutputOptions<DataFormat>

    /// The `--s2` names: the seven types, then the FWB encodings.
    static let stage2Names = Stage2Attribute.allCases.map(\.name)

    func validate() throws {
        if let kernel {
            guard let version = KernelVersion(kernel), version >= .oldest else {
                throw ValidationError("expected a kernel version from \(KernelVersion.oldest) on, like 6.9, found '\(kernel)'")
            }
            guard s1 == nil, policy.isEmpty else { throw ValidationError("--kernel makes no sense with --policy or --s1/--s2") }
        } else if vma != .vfioPCI || cpu != "none" || fetch {
            throw ValidationError("--vma, --cpu and --fetch go with --kernel")
        }
        if case .failure(let error) = CPUFeatures.parse(cpu) { throw ValidationError(error.message) }
        if (s1 == nil) != (s2 == nil) { throw ValidationError("--s1 and --s2 go together") }
        if s1 != nil, !policy.isEmpty { throw ValidationError("--policy makes no sense with --s1/--s2") }
        if s1 == nil, fwb { throw ValidationError("--fwb applies to --s1/--s2 only; a policy carries its own FWB setting") }
        if let s2, Stage2Attribute(spelling: s2, fwb: fwb)?.isFWB != fwb {
            let choices = Stage2Attribute.allCases.filter { $0.isFWB == fwb }.map(\.name)
            throw ValidationError("expected a stage-2 attribute \(fwb ? "with" : "without") --fwb (\(choices.joined(separator: ", "))), found '\(s2)'"
                + (Suggestion.closest(to: s2, among: choices).map { "; did you mean '\($0)'?" } ?? ""))
        }
    }

    func run() throws {
        if let kernel, let version = KernelVersion(kernel), case .success(let features) = CPUFeatures.parse(cpu) {
            let decision = KernelAttrs(version: version, mapping: vma, cpu: features, access: fetch ? .instructionFetch : .data)
            try reportingErrors { try output.print(decision) { decision.text } }
            return
        }
        if let guest = s1, let s2, let stage2 = Stage2Attribute(spelling: s2, fwb: fwb) {
            print(MemoryType.combine(stage1: guest, stage2: stage2).name)
            return
        }
        let policies = try resolvePolicies(policy.isEmpty ? AttributePolicy.builtIns.map(\.name) : policy)
        let table = AttributeTable(policies: policies, region: regionKind, vmmStage1: vmmS1)
        try reportingErrors { try output.print(table) { render(table) } }
    }

    private func render(_ table: AttributeTable) -> String {
        var lines = [["guest stage 1"] + table.columns.map(\.policy), ["stage 2"] + table.columns.map(\.stage2.name)]
        lines += table.rows.map { [$0.guest.name] + $0.effective.map(\.name) }
        let widths = (0..<lines[0].count).map { c in lines.map { $0[c].count }.max()! }
        let text = lines.map { row in
            String(zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .reversed().drop { $0 == " " }.reversed())
        }
        return "Effective type of a guest access to a \(table.region.rawValue) region (VMM stage 1: \(table.vmmStage1.name))\n\n"
            + text.joined(separator: "\n") + "\n"
    }
}

extension RegionKind: ExpressibleByArgument {}

extension HostMapping: ExpressibleByArgument {
    /// Parses a VMA kind case-insensitively (`vfio-pci`).
    public init?(argument: String) { self.init(rawValue: argument.lowercased()) }
}
