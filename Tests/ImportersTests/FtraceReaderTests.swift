import Importers
import MMIOTrace
import Testing

@Suite struct FtraceReaderTests {
    static let ftrace = fixtures.appendingPathComponent("ftrace/kvm-mmio.ftrace").path
    static let traceCmd = fixtures.appendingPathComponent("ftrace/kvm-mmio.trace-cmd").path

    @Test func ftraceFormWithSpacesTgidAndFlags() throws {
        let reader = try FtraceReader(path: Self.ftrace)
        #expect(reader.skippedEvents == 1)
        #expect(reader.agentKeys == ["CPU 0/KVM", "CPU 1/KVM", "kvm", "notdxvm", "qemu-system-x86"])
        // Contiguous touched pages form one region each.
        #expect(reader.topology.regions.map(\.name) == ["gpa-c0004000", "gpa-fee00000"])
        #expect(reader.topology.regions.map(\.size) == [0x2000, 0x1000])
        let (events, error) = drain(reader)
        #expect(error == nil)
        #expect(events.map(\.agent) == [.vcpu(0), .vcpu(0), .vcpu(0), .vcpu(1), .vcpu(0), .vcpu(0)])
        #expect(events.map(\.time.nanoseconds) == [11_906_220_183_000, 14_915_616_719_000, 14_915_616_801_000, 14_915_616_900_000,
                                                   14_915_617_000_000, 14_915_617_100_000])
        let accesses = events.compactMap(\.access)
        #expect(events.map(\.isWrite) == [true, true, false, false, false, false])
        #expect(accesses.map(\.address) == [0xfee0_00b0, 0xc000_4014, 0xc000_4018, 0xc000_5000])
        #expect(accesses.map(\.region) == [1, 0, 0, 0])
        #expect(accesses.map(\.size) == [4, 4, 4, 8])
        #expect(accesses.map(\.hasValue) == [true, true, true, false])
        #expect(accesses[2].value.low64 == 0x1f)
        #expect(events.compactMap(\.markText) == [
            "kvm_unmap_hva_range 0x7f1234000000 -- 0x7f1234001000", "kvm_unmap_hva_range 0x7f5500000000 -- 0x7f5500001000",
        ])
        #expect(reader.warnings.isEmpty)
    }

    @Test func sideFileRegionsAgentsAndUnmaps() throws {
        let settings = CaptureSettings(
            agents: ["kvm": "vm1.vcpu3", "qemu-system-x86": "vm1.vmm"],
            regions: [CaptureRegion(name: "nic-bar0", device: "nic", base: 0xc000_4000, size: 0x1000, hva: 0x7f12_3400_0800)])
        let reader = try FtraceReader(path: Self.ftrace, settings: settings)
        #expect(reader.topology.regions.map(\.name) == ["nic-bar0", "gpa-c0005000", "gpa-fee00000"])
        #expect(Set(reader.topology.mappings.map(\.addressSpace)) == [.guest(vm: 0), .guest(vm: 1), .vmm(vm: 1)])
        let (events, error) = drain(reader)
        #expect(error == nil)
        #expect(events.first?.agent == .vcpu(3, vm: 1))
        #expect(events.compactMap(\.access).map(\.region) == [2, 0, 0, 1])
        #expect(events[4] == TraceEvent(time: TraceTime(nanoseconds: 14_915_617_000_000), agent: .host, kind: .unmap(region: 0, vm: 1)))
        #expect(events[5].markText == "kvm_unmap_hva_range 0x7f5500000000 -- 0x7f5500001000")
    }

    @Test func traceCmdReportForm() throws {
        let reader = try FtraceReader(path: Self.traceCmd)
        #expect(reader.skippedEvents == 1)
        let (events, error) = drain(reader)
        #expect(error == nil)
        #expect(events.map(\.agent) == [.vcpu(0), .vcpu(3)])
        #expect(events.compactMap(\.access).map { $0.value.low64 } == [0xbeef, 0x5])
        #expect(events.compactMap(\.access).map(\.size) == [2, 1])
    }

    @Test func backwardsTimeWarns() throws {
        let text = "  CPU 0/KVM-1 [000] 2.000000: kvm_mmio: mmio write len 4 gpa 0x1000 val 0x1\n"
            + "  CPU 0/KVM-1 [000] 1.000000: kvm_mmio: mmio write len 4 gpa 0x1000 val 0x2\n"
        let reader = try FtraceReader(text: text, fileName: "f")
        #expect(drain(reader).events.count == 2)
        #expect(reader.warnings.map(\.description) == ["f:2:21: warning: time goes back from 2.000000 to 1.000000; event kept"])
    }

    @Test(arguments: [
        ("garbage line", "f:1:1: error: expected an ftrace line (COMM-PID [CPU] secs.usecs: event: …), found 'garbage line'"),
        ("kvm-1 [000] d..1.. 1.0: kvm_mmio: mmio write len 4 gpa 0x0 val 0x0", "f:1:13: error: expected irq flags (4 or 5 characters, as d..1.) or a timestamp, found 'd..1..'"),
        ("kvm-1 [000] 1.0 kvm_mmio: mmio write len 4 gpa 0x0 val 0x0", "f:1:13: error: expected a timestamp (secs.usecs:), found '1.0'"),
        ("kvm-1 [000] 1.0: kvm_mmio: mmio wrte len 4 gpa 0x0 val 0x0", "f:1:33: error: expected write, read or unsatisfied-read, found 'wrte'; did you mean 'write'?"),
        ("kvm-1 [000] 1.0: kvm_mmio: mmio write len 3 gpa 0x0 val 0x0", "f:1:43: error: expected an access length (1, 2, 4 or 8), found '3'"),
        ("kvm-1 [000] 1.0: kvm_mmio: mmio write len 1 gpa 0x0 val 0x100", "f:1:57: error: expected a value of at most 1 bytes, found '0x100'"),
        ("kvm-1 [000] 1.0: kvm_mmio: mmio write len 4 gpa 0x0", "f:1:52: error: expected 'val', found end of line"),
        ("kvm-1 [000] 1.0: kvm_unmap_hva_range: mmu notifier unmap range: 0x0 - 0x1", "f:1:69: error: expected '--', found '-'"),
    ])
    func malformedLines(line: String, message: String) {
        #expect(errorText { try readAll(FtraceReader(text: line + "\n", fileName: "f")) } == message)
    }
}
