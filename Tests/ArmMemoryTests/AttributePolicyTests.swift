import Diagnostics
import Foundation
import Testing
import ArmMemory

@Suite struct AttributePolicyTests {
    @Test func builtInsInDomainOrder() {
        #expect(AttributePolicy.builtIns.map(\.name) == [
            "kvm-device", "kvm-normal-nc", "strict-ngnrne", "all-normal-nc", "vmm-mirror", "fwb-s1-wins", "fwb-force-wb",
        ])
        #expect(AttributePolicy.builtIns.map(\.fwb) == [false, false, false, false, false, true, true])
        #expect(AttributePolicy.kvmNormalNC.source == "KVM 6.9+, vfio-pci with VM_ALLOW_ANY_UNCACHED")
    }

    /// (policy, region, guest stage-1, expected effective type), written out from docs/domain.md §2.
    @Test(arguments: [
        ("kvm-device", RegionKind.bar, MemoryType.normalNC, MemoryType.deviceNGnRE),
        ("kvm-device", .bar, .deviceNGnRnE, .deviceNGnRnE),
        ("kvm-device", .gicv2VCPUInterface, .normalWB, .deviceNGnRE),
        ("kvm-normal-nc", .bar, .normalNC, .normalNC),
        ("kvm-normal-nc", .bar, .normalWB, .normalNC),
        ("kvm-normal-nc", .bar, .deviceGRE, .deviceGRE),
        ("kvm-normal-nc", .gicv2VCPUInterface, .normalNC, .deviceNGnRE),
        ("strict-ngnrne", .bar, .normalNC, .deviceNGnRnE),
        ("strict-ngnrne", .gicv2VCPUInterface, .deviceGRE, .deviceNGnRnE),
        ("all-normal-nc", .bar, .normalWB, .normalNC),
        ("all-normal-nc", .gicv2VCPUInterface, .normalNC, .normalNC),
        ("vmm-mirror", .bar, .normalNC, .deviceNGnRnE),
        ("vmm-mirror", .gicv2VCPUInterface, .normalNC, .deviceNGnRE),
        ("fwb-s1-wins", .bar, .normalWB, .normalWB),
        ("fwb-s1-wins", .gicv2VCPUInterface, .normalWT, .normalWT),
        ("fwb-force-wb", .bar, .deviceNGnRE, .normalWB),
        ("fwb-force-wb", .gicv2VCPUInterface, .deviceNGnRnE, .normalWB),
    ])
    func builtInEffectiveTypes(policy: String, region: RegionKind, guest: MemoryType, expected: MemoryType) throws {
        let policy = try #require(AttributePolicy.builtIn(named: policy))
        #expect(policy.effectiveType(guest: guest, region: region) == expected)
    }

    @Test func vmmMirrorReadsTheVMMType() {
        let policy = AttributePolicy.vmmMirror
        #expect(policy.effectiveType(guest: .normalNC, region: .bar, vmmStage1: .normalNC) == .normalNC)
        #expect(policy.effectiveType(guest: .normalWB, region: .platform, vmmStage1: .deviceGRE) == .deviceGRE)
        #expect(policy.effectiveType(guest: .normalNC, region: .config, vmmStage1: .normalNC) == .deviceNGnRE)
        #expect(policy.stage2Attribute(for: .bar, vmmStage1: .normalWT) == .type(.normalWT))
    }

    /// The documented decisions for the region kinds docs/domain.md leaves open.
    @Test(arguments: [
        ("kvm-device", "device-ngnre", "device-ngnre"),
        ("kvm-normal-nc", "device-ngnre", "device-ngnre"),
        ("strict-ngnrne", "device-ngnrne", "device-ngnrne"),
        ("all-normal-nc", "normal-nc", "normal-nc"),
        ("vmm-mirror", "device-ngnre", "vmm-stage1"),
        ("fwb-s1-wins", "fwb-111", "fwb-111"),
        ("fwb-force-wb", "fwb-110", "fwb-110"),
    ])
    func configAndPlatform(policy: String, config: String, platform: String) throws {
        let policy = try #require(AttributePolicy.builtIn(named: policy))
        #expect(policy.stage2Choice(for: .config).name == config)
        #expect(policy.stage2Choice(for: .platform).name == platform)
    }

    @Test func lookupIsCaseInsensitive() {
        #expect(AttributePolicy.builtIn(named: "KVM-Normal-NC") == .kvmNormalNC)
        #expect(AttributePolicy.builtIn(named: "kvm-normal") == nil)
    }

    @Test func resolveSuggestsTheClosestName() {
        #expect(throws: ResolutionError(argument: "kvm-normal-cn", kind: AttributePolicy.resourceKind, failure: .unknownName(suggestion: "kvm-normal-nc"))) {
            try AttributePolicy.resolve("kvm-normal-cn")
        }
        let error = ResolutionError(argument: "kvm-normal-cn", kind: AttributePolicy.resourceKind, failure: .unknownName(suggestion: "kvm-normal-nc"))
        #expect(error.description == "expected an attribute policy (kvm-device, kvm-normal-nc, strict-ngnrne, "
            + "all-normal-nc, vmm-mirror, fwb-s1-wins, fwb-force-wb, linux-VERSION[:cpu=LIST][:kvm-cap=sea-to-user]) or the path of a policy file, "
            + "found 'kvm-normal-cn'; did you mean 'kvm-normal-nc'?")
        #expect(throws: ResolutionError(argument: "xyzzy", kind: AttributePolicy.resourceKind, failure: .unknownName(suggestion: nil))) { try AttributePolicy.resolve("xyzzy") }
    }

    @Test func resolveTellsAMissingFileApart() throws {
        #expect(throws: ResolutionError(argument: "/nonexistent/p.yaml", kind: AttributePolicy.resourceKind, failure: .missingFile)) {
            try AttributePolicy.resolve("/nonexistent/p.yaml")
        }
        #expect(throws: ResolutionError(argument: "mine.yml", kind: AttributePolicy.resourceKind, failure: .missingFile)) { try AttributePolicy.resolve("mine.yml") }
        #expect(try AttributePolicy.resolve("Strict-nGnRnE") == .strictNGnRnE)
    }

    @Test func resolveLoadsAFileAndLocatesItsErrors() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("arm-memory-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let good = directory.appendingPathComponent("good.yaml")
        try "name: mine\nbase: kvm-device\n".write(to: good, atomically: true, encoding: .utf8)
        #expect(try AttributePolicy.resolve(good.path).name == "mine")
        let bad = directory.appendingPathComponent("bad.yaml")
        try "name: mine\nfwb: 2\n".write(to: bad, atomically: true, encoding: .utf8)
        #expect(throws: ResolutionError(argument: bad.path, kind: AttributePolicy.resourceKind, failure: .invalidFile(InputError(
            SourceLocation(file: bad.path, line: 2, column: 6), "expected true or false, found '2'")))) {
            try AttributePolicy.resolve(bad.path)
        }
    }
}
