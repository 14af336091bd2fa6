import Diagnostics
import Testing
import ArmMemory

@Suite struct PolicyYAMLTests {
    @Test func loadsAFullPolicy() throws {
        let policy = try AttributePolicy.load(yaml: """
            name: wc-bars
            summary: "write-combining for BARs only"
            stage2:
              bar: Normal-NC
              gicv2-vcpu-if: device-ngnrne
              platform: 0b0001
            """, file: "wc.yaml")
        #expect(policy.name == "wc-bars")
        #expect(policy.summary == "write-combining for BARs only")
        #expect(policy.source == "file wc.yaml")
        #expect(policy.fwb == false)
        #expect(RegionKind.allCases.map { policy.stage2Choice(for: $0).name } == [
            "normal-nc", "device-ngnre", "device-ngnrne", "device-ngnre",
        ])
    }

    @Test func baseProvidesWhatIsNotOverridden() throws {
        let policy = try AttributePolicy.load(yaml: """
            name: nc-gic
            base: KVM-normal-nc
            stage2:
              gicv2-vcpu-if: normal-nc
              config: vmm-stage1
            """, file: "p.yaml")
        #expect(policy.source == "file p.yaml, based on built-in kvm-normal-nc")
        #expect(policy.summary == "user policy from p.yaml")
        #expect(RegionKind.allCases.map { policy.stage2Choice(for: $0).name } == [
            "normal-nc", "vmm-stage1", "normal-nc", "device-ngnre",
        ])
        #expect(policy.effectiveType(guest: .normalWB, region: .config, vmmStage1: .normalWT) == .normalWT)
    }

    @Test func fwbPolicies() throws {
        let fromBase = try AttributePolicy.load(yaml: "name: f\nbase: fwb-s1-wins\nstage2: {bar: fwb-101}\n", file: "f.yaml")
        #expect(fromBase.fwb)
        #expect(fromBase.effectiveType(guest: .normalWB, region: .bar) == .normalNC)
        #expect(fromBase.stage2Choice(for: .platform) == .fixed(.fwb(.stage1)))
        let fresh = try AttributePolicy.load(yaml: "name: g\nfwb: true\nstage2:\n  bar: 0x6\n", file: "g.yaml")
        #expect(fresh.stage2Choice(for: .bar) == .fixed(.fwb(.forceWriteBack)))
        #expect(fresh.stage2Choice(for: .config) == .fixed(.fwb(.deviceNGnRE)))
    }

    /// Bad files and the exact error each gives.
    @Test(arguments: [
        ("name: p\nstage-2:\n  bar: normal-nc\n",
         "p.yaml:2:1: error: expected a policy key (name, summary, base, fwb, stage2), found 'stage-2'; did you mean 'stage2'?"),
        ("name: p\nstage2:\n  bar: normal-nc\n  gic: device-ngnre\n",
         "p.yaml:4:3: error: expected a region kind (bar, config, gicv2-vcpu-if, platform), found 'gic'"),
        ("name: p\nstage2:\n  bar: normal-cn\n",
         "p.yaml:3:8: error: expected a stage-2 attribute for fwb: false (device-ngnrne, device-ngnre, device-ngre, "
            + "device-gre, normal-nc, normal-wt, normal-wb, vmm-stage1, or MemAttr[3:0] as 0b0101 or 0x5), "
            + "found 'normal-cn'; did you mean 'normal-nc'?"),
        ("name: p\nfwb: true\nstage2:\n  bar: normal-nc\n",
         "p.yaml:4:8: error: expected a stage-2 attribute for fwb: true (fwb-000, fwb-001, fwb-010, fwb-011, fwb-101, "
            + "fwb-110, fwb-111, or MemAttr[2:0] as 0b101 or 0x5), found 'normal-nc', which needs fwb: false"),
        ("stage2:\n  bar: fwb-111\nfwb: yes\n",
         "p.yaml:1:1: error: expected key 'name' (the policy's name), found none"),
        ("name: p\nstage2: [bar, normal-nc]\n",
         "p.yaml:2:9: error: expected a mapping from region kind to stage-2 attribute, found a sequence"),
        ("name: p\nbase: kvm-devise\n",
         "p.yaml:2:7: error: expected a built-in policy (kvm-device, kvm-normal-nc, strict-ngnrne, all-normal-nc, "
            + "vmm-mirror, fwb-s1-wins, fwb-force-wb), found 'kvm-devise'; did you mean 'kvm-device'?"),
        ("name: p\nfwb: maybe\n",
         "p.yaml:2:6: error: expected true or false, found 'maybe'"),
        ("name: p\nbase: kvm-device\nfwb: true\nstage2:\n  bar: fwb-111\n",
         "p.yaml:3:6: error: expected fwb: false like base 'kvm-device', found 'true'; 'config' inherits "
            + "device-ngnre from it, so give every region kind under stage2"),
        ("name: p\nstage2:\n  bar: normal-nc\n  bar: normal-wb\n",
         "p.yaml:3:3: error: expected each key once in a mapping, found 'bar' more than once"),
        ("name: p\nstage2:\n  bar: [normal-nc\n",
         "p.yaml:4:1: error: expected valid YAML, found a syntax error: did not find expected ',' or ']' "
            + "(while parsing a flow sequence at 3:8)"),
        ("- name\n", "p.yaml:1:1: error: expected a mapping of policy keys, found a sequence"),
        ("", "p.yaml:1:1: error: expected a mapping of policy keys, found an empty document"),
        ("name: p\nsummary: «é»\nstage2: {bar: x}\n",
         "p.yaml:3:15: error: expected a stage-2 attribute for fwb: false (device-ngnrne, device-ngnre, device-ngre, "
            + "device-gre, normal-nc, normal-wt, normal-wb, vmm-stage1, or MemAttr[3:0] as 0b0101 or 0x5), found 'x'"),
    ])
    func badFiles(yaml: String, expected: String) {
        #expect {
            try AttributePolicy.load(yaml: yaml, file: "p.yaml")
        } throws: { error in
            (error as? InputError)?.description == expected
        }
    }

    @Test func columnsCountBytes() {
        #expect {
            try AttributePolicy.load(yaml: "name: p\nstage2: {\"bär\": normal-nc}\n", file: "u.yaml")
        } throws: { error in
            (error as? InputError)?.location == SourceLocation(file: "u.yaml", line: 2, column: 10)
        }
    }
}
