import ArmMemory
import DeviceModels
import Foundation
import Importers
import MMIOTrace
import PCIeTransport
import Platforms
import ReplayEngine
import Testing
@testable import ModelLearning

/// A learned model answers what the trace recorded: every register offset accessed, at the sizes
/// used, with the value first read.
@Suite struct ModelLearnerTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func trace(_ body: String) throws -> MTraceReader {
        try MTraceReader(text: """
            mtrace 1
            device dev0 bdf=0000:00:01.0 model=learned
            device nvme0 bdf=0000:00:02.0 model=nvme
            region bar0 device=dev0 base=0x10000 size=0x3000 kind=bar
            region cfg device=dev0 base=0x80000 size=0x1000 kind=config
            region nvme-bar device=nvme0 base=0x40000 size=0x4000 kind=bar

            """ + body)
    }

    @Test func learnsRegistersSizesAndFirstReadValues() throws {
        let source = try Self.trace("""
            0 vcpu0 cfg-read dev0 0x0 4 -> 0x10d38086
            1 vcpu0 read cfg+0x8 4 -> 0x02000003
            2 vcpu0 read bar0+0x8 4 -> 0x80283
            3 vcpu0 write bar0+0x0 4 0x1
            4 vcpu0 read bar0+0x0 4 -> 0x5
            5 vcpu0 read bar0+0x10 8 -> 0x1122334455667788
            6 vcpu0 read bar0+0x2000 2 -> 0xbeef
            7 vcpu0 write bar0+0x1003 4 0xffffffff
            8 vcpu0 read nvme-bar+0x0 4 -> 0x7ff

            """)
        let learner = try ModelLearner.learning(from: source)
        let files = learner.yamlFiles(source: "t.mtrace")
        #expect(files.map(\.device) == ["dev0"], "only the device with no model is learned")
        let model = try #require(learner.models(source: "t.mtrace").first)
        #expect(model.name == "learned-dev0")
        #expect(model.pci == PCIIdentity(vendorID: 0x8086, deviceID: 0x10d3, classCode: 0x020000, revision: 3))
        #expect(model.bar(0)?.size == 0x4000, "the region's 0x3000 rounded up to a power of two")
        var device = DeviceState(model: model)
        #expect(device.read(bar: 0, offset: 0x8, size: 4, at: 0).data.low64 == 0x80283)
        #expect(device.read(bar: 0, offset: 0x8, size: 2, at: 0).data.low64 == 0x283, "smaller sizes of a learned register")
        #expect(device.read(bar: 0, offset: 0x0, size: 4, at: 0).data.low64 == 0, "written before read: reset value unknown, 0")
        #expect(device.read(bar: 0, offset: 0x10, size: 8, at: 0).data.low64 == 0x1122_3344_5566_7788)
        #expect(device.read(bar: 0, offset: 0x14, size: 4, at: 0).data.low64 == 0x1122_3344)
        #expect(device.read(bar: 0, offset: 0x2000, size: 2, at: 0).data.low64 == 0xbeef)
        #expect(device.write(bar: 0, offset: 0x1003, size: 4, data: AccessValue(1), at: 0) == .accepted, "misaligned: a memory range")
        #expect(device.read(bar: 0, offset: 0x100, size: 4, at: 0).status == .unsupportedRequest, "never seen: UR")
    }

    @Test func aSavedFileLoadsToTheSameModel() throws {
        let source = try Self.trace("0 vcpu0 read bar0+0xfc 4 -> 0x0\n")
        let learner = try ModelLearner.learning(from: source)
        let file = try #require(learner.yamlFiles(source: "t.mtrace").first)
        #expect(file.yaml.contains("name: learned-dev0"))
        let saved = try DeviceModel.load(yaml: file.yaml, file: "x.yaml")
        let learned = try #require(try learner.models(source: "t.mtrace").first)
        #expect(saved.bars == learned.bars && saved.pci == learned.pci && saved.name == learned.name)
    }

    @Test func aTraceWithEveryModelKnownLearnsNothing() throws {
        let source = try MTraceReader(text: "mtrace 1\ndevice nvme0 model=nvme\nregion b device=nvme0 kind=bar base=0x0 size=0x4000\n0 vcpu0 read b+0x0 4\n")
        #expect(try ModelLearner.learning(from: source).isEmpty)
    }

    /// A capture whose devices have no built-in model replays clean with learned models: the
    /// in-guest mmiotrace with both devices set to `learned` by a side file.
    @Test(arguments: ["ras-sbsa", "quiet-pcie"])
    func aCaptureReplaysCleanWithLearnedModels(platform: String) throws {
        let path = Self.packageRoot.appendingPathComponent("traces/captures/x86-q35-nvme-e1000e.mmiotrace").path
        let settings = try CaptureSettings.load(yaml: "models: {dev-01-00-0: learned, dev-02-00-0: learned}\n", file: "side.yaml")
        func open() throws -> any TraceEventSource { try openTrace(path: path, format: .mmiotrace, settings: settings) }
        #expect(try open().topology.devices.allSatisfy { $0.model == DeviceModel.learnedName })
        let models = try ModelLearner.learning(from: open()).models(source: "capture")
        #expect(models.map(\.name).contains("learned-dev-01-00-0") && models.map(\.name).contains("learned-dev-02-00-0"))
        let report = try Replay.run(open(), policy: AttributePolicy.builtIn(named: "kvm-normal-nc")!,
                                    platform: PlatformProfile.builtIn(named: platform)!, models: models)
        #expect(report.verdicts.isEmpty && report.hazardCounts.total == 0)
    }
}
