import Diagnostics
import Importers
import MMIOTrace
import Testing

@Suite struct CaptureSettingsTests {
    @Test func goodSideFile() throws {
        let yaml = """
            # mmio-replay side file: what the capture does not record.
            stage1:            # region name → memory type (default device-ngnre, as ioremap)
              nvme0-bar0: Device-nGnRnE
            models:            # device name → device model (default: the built-in its PCI IDs name, else generic)
              nvme0: nvme
            agents:            # captured key → agent (vcpu0, vcpu1, vmm, host, vm1.vcpu0)
              "0": vcpu0
              CPU 1/KVM: vm1.vcpu1
            default-agent: vmm
            regions:
              - {name: nvme0-bar0, device: nvme0, base: 0xfe400000, size: 16384, hva: 0x7f0000000000}
              - {name: gic, device: gic, base: 0x8000000, size: 0x10000, kind: platform}
            """
        let settings = try CaptureSettings.load(yaml: yaml, file: "s.yaml")
        #expect(settings == CaptureSettings(
            stage1: ["nvme0-bar0": .deviceNGnRnE], models: ["nvme0": "nvme"], agents: ["0": "vcpu0", "CPU 1/KVM": "vm1.vcpu1"],
            defaultAgent: "vmm",
            regions: [CaptureRegion(name: "nvme0-bar0", device: "nvme0", base: 0xfe40_0000, size: 0x4000, hva: 0x7f00_0000_0000),
                      CaptureRegion(name: "gic", device: "gic", base: 0x800_0000, size: 0x10000, kind: .platform)]))
        #expect(try CaptureSettings.load(yaml: "# nothing\n", file: "e.yaml") == CaptureSettings())
        #expect(try CaptureSettings.load(yaml: "stage1:\nmodels:\n", file: "e.yaml") == CaptureSettings())
    }

    @Test(arguments: [
        ("stage-1: {}", "b:1:1: error: expected a side-file key (stage1, vma, models, agents, default-agent, regions), found 'stage-1'; did you mean 'stage1'?"),
        ("stage1:\n  r: device-ngrne", "b:2:6: error: expected a memory type (device-ngnrne, device-ngnre, device-ngre, device-gre, normal-nc, normal-wt, normal-wb), found 'device-ngrne'; did you mean 'device-ngnrne'?"),
        ("agents:\n  \"0\": cpu0", "b:2:8: error: expected an agent (host, vmm, vcpuN, vmK.vmm, vmK.vcpuN), found 'cpu0'; did you mean 'vcpu0'?"),
        ("default-agent: vm1.vcpu", "b:1:16: error: expected an agent (host, vmm, vcpuN, vmK.vmm, vmK.vcpuN), found 'vm1.vcpu'"),
        ("models:\n  0nvme: nvme", "b:2:3: error: expected a device name (a letter or '_', then letters, digits, '_' or '-'), found '0nvme'"),
        ("regions:\n  - {name: r, device: d, base: 0x1000}", "b:2:5: error: expected key 'size' in the region, found none"),
        ("regions:\n  - {name: r, device: d, base: 0x1000, size: 0x100, knd: bar}", "b:2:53: error: expected a region key (name, device, base, size, kind, hva), found 'knd'; did you mean 'kind'?"),
        ("regions:\n  - {name: r, device: d, base: 0x1000, size: 0x100, kind: mmio}", "b:2:59: error: expected a region kind (bar, config, gicv2-vcpu-if, platform), found 'mmio'"),
        ("regions:\n  - {name: r, device: d, base: 0x1000, size: 0x100}\n  - {name: s, device: d, base: 0x10ff, size: 1}", "b:3:5: error: expected regions that do not overlap, found 's' overlapping 'r'"),
        // Out of base order: found at the end, reported at the first region that overlaps an
        // earlier one, named with the first earlier one it overlaps, and before a later mistake.
        ("regions:\n  - {name: c, device: d, base: 0x3000, size: 0x100}\n  - {name: a, device: d, base: 0x1000, size: 0x100}\n"
            + "  - {name: b, device: d, base: 0x0, size: 0x4000}\n  - {name: e, device: d, base: 0x8000, size: 0x10}",
         "b:4:5: error: expected regions that do not overlap, found 'b' overlapping 'c'"),
        ("regions:\n  - {name: c, device: d, base: 0x3000, size: 0x100}\n  - {name: a, device: d, base: 0x30f0, size: 0x100}\n"
            + "  - {name: c, device: d, base: 0x8000, size: 0x10}",
         "b:3:5: error: expected regions that do not overlap, found 'a' overlapping 'c'"),
        ("regions:\n  - {name: c, device: d, base: 0x3000, size: 0x100}\n  - {name: a, device: d, base: 0x2ff0, size: 0x100}\n"
            + "  - {name: c, device: d, base: 0x8000, size: 0x10}",
         "b:3:5: error: expected regions that do not overlap, found 'a' overlapping 'c'"),
        ("regions:\n  - {name: r, device: d, base: 0x1000, size: 0}", "b:2:46: error: expected a size that is not zero and a region that ends below 2^52 (Arm's largest physical address space), found '0'"),
        ("regions:\n  - {name: r, device: d, base: 12g, size: 1}", "b:2:32: error: expected a base address (0x… or decimal), found '12g'"),
        ("stage1: [a]", "b:1:9: error: expected a mapping from region name to memory type, found a sequence"),
        ("stage1:\n  a: b\n c: d", "b:3:2: error: expected valid YAML, found a syntax error: did not find expected key (while parsing a block mapping at 1:1)"),
    ])
    func badSideFiles(yaml: String, message: String) {
        #expect(errorText { _ = try CaptureSettings.load(yaml: yaml, file: "b") } == message)
    }

    @Test func resolveNamesMissingFiles() throws {
        #expect(errorText { _ = try CaptureSettings.resolve("/nonexistent/side.yaml") } == "/nonexistent/side.yaml: no such side file")
        let path = try temporaryFile("models: {d: nvme}\n", suffix: ".yaml")
        #expect(try CaptureSettings.resolve(path).models == ["d": "nvme"])
    }

    @Test func mmiotraceTemplateRoundTrips() throws {
        let reader = try MmiotraceReader(path: MmiotraceReaderTests.sample, settings: CaptureSettings(models: ["dev-01-00-0": "nvme"]))
        let template = reader.sideFileTemplate()
        #expect(template.contains("  dev-01-00-0-bar0: device-ngnre\n"))
        #expect(template.contains("  dev-01-00-0: nvme   # from the side file\n"))
        #expect(template.contains("  dev-02-00-0: e1000e   # PCI IDs 8086:10d3\n"), "the model its PCI IDs name, and why")
        #expect(template.contains("agents:            # captured key → agent (vcpu0, vcpu1, vmm, host, vm1.vcpu0)\n  \"0\": vcpu0\n"))
        #expect(!template.contains("regions:"))
        let loaded = try CaptureSettings.load(yaml: template, file: "template")
        #expect(loaded.stage1.count == 7 && loaded.models.count == 8 && loaded.models["dev-01-00-0"] == "nvme")
        #expect(loaded.models["dev-02-00-0"] == "e1000e")
        #expect(loaded.agents == ["0": "vcpu0"] && loaded.defaultAgent == "vcpu0")
    }

    @Test func ftraceTemplateListsRegionsAndRoundTrips() throws {
        let reader = try FtraceReader(path: FtraceReaderTests.ftrace)
        let template = reader.sideFileTemplate()
        #expect(template.contains("  - {name: gpa-c0004000, device: gpa-c0004000, base: 0xc0004000, size: 0x2000, kind: bar}\n"))
        #expect(template.contains("  \"CPU 1/KVM\": vcpu1\n"))
        let loaded = try CaptureSettings.load(yaml: template, file: "template")
        #expect(loaded.regions.map(\.name) == ["gpa-c0004000", "gpa-fee00000"])
        #expect(loaded.agents["CPU 1/KVM"] == "vcpu1" && loaded.agents["kvm"] == "vcpu0")
        #expect(try FtraceReader(path: FtraceReaderTests.ftrace, settings: loaded).topology == reader.topology)
    }
}
