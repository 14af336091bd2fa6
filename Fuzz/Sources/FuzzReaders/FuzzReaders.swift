import ArmMemory
import Campaigns
import DeviceModels
import Diagnostics
import Faults
import Foundation
import Importers
import MMIOTrace
import ModelLearning
import PCIeTransport
import Pcap
import Platforms
import ReplayEngine

/// One libFuzzer harness per reader, chosen by `FUZZ_TARGET` (docs/reliability.md). Every input
/// must give a value or a thrown error: a trap, a hang or a sanitizer report is a finding. A
/// trace that reads is also replayed (in-order and adversarial, on `ras-sbsa`), so that the
/// engine sees what the readers let through.
enum Harness: String, CaseIterable {
    case mtrace, mmiotrace, qemuLog = "qemu-log", ftrace, pcap, sideFile = "side-file", deviceModel = "device-model"
    case platform, policy, fault, faultFile = "fault-file", aerInject = "aer-inject", campaignSpec = "campaign-spec"

    static let selected: Harness = {
        let name = ProcessInfo.processInfo.environment["FUZZ_TARGET"] ?? ""
        guard let harness = Harness(rawValue: name) else {
            FileHandle.standardError.write(Data("set FUZZ_TARGET to one of: \(allCases.map(\.rawValue).joined(separator: ", "))\n".utf8))
            exit(64)
        }
        return harness
    }()

    /// A scratch file for the readers that take a path (pcap).
    static let scratch = NSTemporaryDirectory() + "mmio-replay-fuzz-\(getpid()).bin"

    func run(_ data: Data) {
        let text = String(decoding: data, as: UTF8.self)
        do {
            switch self {
            case .mtrace: try replay(MTraceReader(bytes: [UInt8](data), fileName: "f.mtrace"))
            case .mmiotrace: try replay(MmiotraceReader(text: text, fileName: "f.mmiotrace"))
            case .qemuLog: try replay(QEMULogReader(text: text, fileName: "f.log"))
            case .ftrace: try replay(FtraceReader(text: text, fileName: "f.ftrace"))
            case .pcap:
                FileManager.default.createFile(atPath: Self.scratch, contents: data)
                try replay(PcapTraceReader(path: Self.scratch))
            case .sideFile: _ = try CaptureSettings.load(yaml: text, file: "f.yaml")
            case .deviceModel:
                var device = DeviceState(model: try DeviceModel.load(yaml: text, file: "f.yaml"))
                _ = device.read(bar: 0, offset: 0, size: 4, at: 0)
                _ = device.write(bar: 0, offset: 0, size: 4, data: AccessValue(UInt64.max), at: 1)
            case .platform: _ = try PlatformProfile.load(yaml: text, file: "f.yaml")
            case .policy: _ = try AttributePolicy.load(yaml: text, file: "f.yaml")
            case .fault: _ = try Fault.parse(text, location: SourceLocation(file: "--fault", line: 1, column: 1))
            case .faultFile: _ = try FaultSet.load(text: text, file: "f.yaml")
            case .aerInject: _ = try AERInjectFile.parse(text: text, file: "f.aer")
            case .campaignSpec: _ = try CampaignSpec.load(yaml: text, file: NSTemporaryDirectory() + "f.yaml")
            }
        } catch {
            _ = "\(error)"  // every error must render
        }
    }

    private func replay(_ source: some TraceEventSource) throws {
        let trace = try LoadedTrace(reading: source, name: "fuzz")
        let models = try ModelLearner.learning(topology: trace.topology, events: trace.events).models(source: "fuzz")
        for schedule in [Schedule.inOrder, .adversarial] {
            _ = try Replay.run(LoadedTraceSource(trace), policy: AttributePolicy.builtIn(named: "kvm-normal-nc")!,
                               platform: PlatformProfile.builtIn(named: "ras-sbsa")!, models: models,
                               options: ReplayOptions(schedule: schedule, deviceViewLimit: 16, hazardLimit: 16))
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    Harness.selected.run(Data(bytes: bytes, count: count))
    return 0
}

/// libFuzzer's driver, called from our own `main` (SwiftPM gives an executable its own entry
/// point, so libFuzzer's `main` is not the one linked).
@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
               _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

@main
enum FuzzMain {
    static func main() {
        _ = Harness.selected
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(runDriver(&argc, &argv) { bytes, count in fuzzOne(bytes, count) })
    }
}
