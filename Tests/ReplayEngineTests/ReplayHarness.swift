import ArmMemory
import Foundation
import MMIOTrace
import Platforms
@testable import ReplayEngine

/// Replays traces given as text or as bundled files, for tests.
enum Harness {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func policy(_ name: String) -> AttributePolicy { try! AttributePolicy.resolve(name) }
    static func platform(_ name: String) -> PlatformProfile { PlatformProfile.builtIn(named: name)! }

    static func replay(text: String, policy: String = "kvm-normal-nc", platform: String = "quiet-pcie",
                       schedule: Schedule = .inOrder) throws -> ReplayReport {
        try Replay.run(MTraceReader(text: text), policy: Self.policy(policy), platform: Self.platform(platform),
                       options: ReplayOptions(schedule: schedule))
    }

    static func replay(file: String, policy: String, platform: String, schedule: Schedule) throws -> ReplayReport {
        try Replay.run(MTraceReader(path: packageRoot.appendingPathComponent(file).path), policy: Self.policy(policy),
                       platform: Self.platform(platform), options: ReplayOptions(schedule: schedule))
    }

    /// A one-device trace header: an NVMe controller's BAR0 (a second device `nic0` too).
    static let header = """
        mtrace 1
        device nvme0 bdf=0000:01:00.0 model=nvme
        device nic0 bdf=0000:02:00.0 model=nic
        region bar0 device=nvme0 kind=bar base=0xfe400000 size=0x4000 bar=0
        region nicregs device=nic0 kind=bar base=0xfe200000 size=0x20000 bar=0
        region wc device=nic0 kind=bar base=0xfe300000 size=0x10000 prefetchable=yes bar=2

        """

    static func header(guest type: String) -> String {
        header + "map vm0 bar0 \(type)\nmap vm0 nicregs \(type)\nmap vm0 wc \(type)\n"
    }
}

extension ReplayReport {
    /// Memory writes and reads that reached devices, in arrival order, as `device:offset`.
    var arrivals: [String] {
        deviceView.filter { $0.kind == .memoryWrite || $0.kind == .memoryRead }.map { "\($0.kind.rawValue) \($0.region ?? "-")+0x\(String($0.offset, radix: 16))" }
    }

    func observations(_ kind: ObservationKind) -> [DeviceObservation] { deviceView.filter { $0.kind == kind } }
}
