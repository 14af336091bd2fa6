import MMIOTrace
import PCIeTransport
import Testing
@testable import ReplayEngine

/// Every TLP the engine puts on the link is a valid PCIe TLP, and the observer sees exactly what
/// the summary counts.
@Suite struct TLPObserverTests {
    final class Recorder: TLPObserver {
        var tlps: [(tlp: TLP, downstream: Bool, timePs: UInt64)] = []
        func observe(_ tlp: TLP, downstream: Bool, timePs: UInt64) { tlps.append((tlp, downstream, timePs)) }
    }

    @Test(arguments: ["traces/nvme-doorbell.mtrace", "traces/nic-write-combining.mtrace", "traces/scenarios/wrong-size-read.mtrace",
                      "traces/scenarios/posted-write-ur.mtrace"])
    func observedTLPsAreValidAndCounted(trace: String) throws {
        let recorder = Recorder()
        let report = try Replay.run(MTraceReader(path: Harness.packageRoot.appendingPathComponent(trace).path),
                                    policy: Harness.policy("kvm-normal-nc"), platform: Harness.platform("ras-sbsa"), tlpObserver: recorder)
        var counts: [String: Int] = [:]
        for (tlp, _, _) in recorder.tlps {
            try tlp.validate()
            #expect(try TLP(decoding: tlp.bytes) == tlp)
            let name = switch tlp.kind {
            case .memoryWrite32: "MWr32"
            case .memoryWrite64: "MWr64"
            case .memoryRead32: "MRd32"
            case .memoryRead64: "MRd64"
            case .configRead0: "CfgRd0"
            case .configWrite0: "CfgWr0"
            case .completion: "Cpl"
            case .completionWithData: "CplD"
            case .message, .messageWithData: "Msg"
            }
            counts[name, default: 0] += 1
        }
        #expect(counts == Dictionary(uniqueKeysWithValues: report.summary.tlps.nonZero.map { ($0.kind.name, $0.count) }), "\(trace)")
        let downstream = recorder.tlps.filter(\.downstream).map(\.timePs)
        #expect(downstream == downstream.sorted(), "downstream TLPs leave in link order")
        // Every non-posted request has a completion with its tag.
        let requests = recorder.tlps.filter { $0.downstream && $0.tlp.category == .nonPosted }.map(\.tlp.tag)
        let completions = recorder.tlps.filter { $0.tlp.category == .completion }.map(\.tlp.tag)
        #expect(requests.sorted() == completions.sorted())
    }
}
