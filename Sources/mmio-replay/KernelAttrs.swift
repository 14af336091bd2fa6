import ArmMemory

/// What `attrs --kernel` prints: one kernel decision for one kind of VMA, as JSON or text.
struct KernelAttrs: Encodable {
    struct Refused: Encodable {
        var errno: String
        var value: Int32
        /// `memslot` or `execute`.
        var at: String
        var rule: String
    }

    var kernel: String
    var vma: String
    var cpu: [String]
    var access: String
    /// The effective stage-2 type (`normal-nc`), when mapped.
    var stage2: String?
    /// The MemAttr spelling in the host's FWB regime (`fwb-101`), when mapped.
    var encoding: String?
    /// Guest stage-1 type → effective type, when mapped.
    var effective: [String: String]?
    var refused: Refused?
    var rule: String
    var reason: String

    init(version: KernelVersion, mapping: HostMapping, cpu: CPUFeatures, access: KernelStage2.Access) {
        let decision = KernelStage2.decide(kernel: version, mapping: mapping, cpu: cpu, access: access)
        kernel = version.description
        vma = mapping.rawValue
        self.cpu = CPUFeatures.spellings.filter { cpu.contains($0.0) }.map(\.1)
        self.access = access.rawValue
        rule = decision.rule
        reason = decision.reason
        switch decision.outcome {
        case .map(let attribute):
            stage2 = Self.type(of: attribute).name
            encoding = attribute.name
            effective = Dictionary(uniqueKeysWithValues: MemoryType.allCases.map { ($0.name, MemoryType.combine(stage1: $0, stage2: attribute).name) })
        case .refuse(let refusal):
            let at = switch refusal {
            case .memslot: "memslot"
            case .execute: "execute"
            }
            refused = Refused(errno: refusal.errno.name, value: refusal.errno.value, at: at, rule: decision.rule)
        }
    }

    /// The type an attribute stands for: the FWB encodings KVM uses name the type they give
    /// a guest Normal mapping (001 Device-nGnRE, 101 Normal-NC, 110 Normal-WB).
    static func type(of attribute: Stage2Attribute) -> MemoryType {
        switch attribute {
        case .type(let type): type
        case .fwb: MemoryType.combine(stage1: .normalWB, stage2: attribute)
        }
    }

    var text: String {
        var out = "Linux \(kernel), CPU \(cpu.isEmpty ? "none" : cpu.joined(separator: ",")), a \(vma) VMA, \(access == "fetch" ? "an instruction fetch" : "a data access"):\n"
        if let refused {
            out += "  refused: -\(refused.errno) (\(refused.value)) at \(refused.at)\n"
        } else if let stage2, let encoding {
            out += "  stage 2: \(stage2)" + (encoding == stage2 ? "" : " (encoded \(encoding))") + "\n"
        }
        out += "  rule: \(rule): \(reason)\n"
        if let effective {
            out += "  effective type by guest stage 1:\n"
            for type in MemoryType.allCases { out += "    \(type.name.padding(toLength: 14, withPad: " ", startingAt: 0)) -> \(effective[type.name]!)\n" }
        }
        return out
    }
}
