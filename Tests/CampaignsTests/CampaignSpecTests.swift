import Diagnostics
import Faults
import Foundation
import PCIeTransport
import Testing
@testable import Campaigns

@Suite struct CampaignSpecTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let file = fixtures.appendingPathComponent("spec.yaml").path

    /// The error of loading `yaml` as if it were a spec in the fixtures directory.
    func error(_ yaml: String) -> String {
        do {
            _ = try CampaignSpec.load(yaml: yaml, file: Self.file)
            return "no error"
        } catch {
            return error.description
        }
    }

    static let base = """
        campaign: t
        traces: [../../../traces/scenarios/wrong-size-read.mtrace]
        faults:
          kinds: [UR]

        """

    @Test func readsEveryKey() throws {
        let spec = try CampaignSpec.load(yaml: """
            campaign: full
            traces:
              - ../../../traces/scenarios/wrong-size-read.mtrace
              - path: ../../../traces/captures/x86-q35-nvme-e1000e.mmiotrace
                map: ../../../traces/captures/x86-q35-nvme-e1000e.yaml
                format: mmiotrace
                name: boot
            policies: [kvm-device, strict-ngnrne]
            platforms: [ras-sbsa]
            schedules: [in-order, random]
            seeds: [3, 4]
            faults:
              kinds: [UR, poisoned-write]
              match: bar0 write
              requests: [write]
              sites: {sample: 10, seed: 9}
            """, file: Self.file)
        #expect(spec.name == "full")
        #expect(spec.traces.map(\.name) == ["wrong-size-read.mtrace", "boot"])
        #expect(spec.traces[1].format == "mmiotrace" && spec.traces[1].map != nil)
        #expect(spec.policies == ["kvm-device", "strict-ngnrne"])
        #expect(spec.schedules == [.inOrder, .random(seed: 3), .random(seed: 4)])
        #expect(spec.faults.kinds == [.ur, .poisonedWrite])
        #expect(spec.faults.match == TLPMatch(.named("bar0"), request: .memoryWrite))
        #expect(spec.faults.requests == [.memoryWrite])
        #expect(spec.faults.sites == .sample(10, seed: 9))
    }

    @Test func defaults() throws {
        let spec = try CampaignSpec.load(yaml: Self.base, file: Self.file)
        #expect(spec.policies == ["kvm-normal-nc"] && spec.platforms == ["quiet-pcie"] && spec.schedules == [.inOrder])
        #expect(spec.faults.sites == .every)
    }

    @Test func siteSelections() throws {
        func sites(_ text: String) throws -> CampaignSpec.Sites {
            try CampaignSpec.load(yaml: Self.base + "  sites: \(text)\n", file: Self.file).faults.sites
        }
        #expect(try sites("every") == .every)
        #expect(try sites("{every: 4}") == .everyNth(4))
        #expect(try sites("{sample: 7}") == .sample(7, seed: 1))
        guard case .list(let faults) = try sites("{list: ['bar0+0x10 read #2', event 3]}") else { Issue.record("not a list"); return }
        #expect(faults.map(\.site) == [.tlp(TLPMatch(.region("bar0", offsets: 0x10...0x10), request: .memoryRead), .nth(2)), .event(3)])
    }

    @Test func locatedErrors() {
        #expect(error(Self.base + "polices: [kvm-device]\n")
                == "\(Self.file):5:1: error: expected a campaign key (campaign, traces, policies, platforms, schedules, seeds, explore-executions, device-models, faults), found 'polices'; did you mean 'policies'?")
        #expect(error(Self.base.replacingOccurrences(of: "[UR]", with: "[UR, CAA]")).hasPrefix("\(Self.file):4:15: error: expected a fault kind ("))
        #expect(error(Self.base + "schedules: [in-ordr]\n")
                == "\(Self.file):5:13: error: expected a schedule (in-order, adversarial, random, explore), found 'in-ordr'; did you mean 'in-order'?")
        #expect(error(Self.base + "policies: [kvm-devise]\n").hasPrefix("\(Self.file):5:12: error: expected an attribute policy ("))
        #expect(error(Self.base + "policies: [kvm-devise]\n").hasSuffix("did you mean 'kvm-device'?"))
        #expect(error(Self.base.replacingOccurrences(of: "wrong-size-read", with: "nope"))
                    .hasPrefix("\(Self.file):2:10: error: expected the path of a trace file, found '../../../traces/scenarios/nope.mtrace', which does not exist"))
        #expect(error(Self.base + "  sites: {every: 0}\n") == "\(Self.file):5:18: error: expected N, every Nth TLP (≥ 1), found '0'")
        #expect(error(Self.base + "  sites: {every: 2, sample: 3}\n") == "\(Self.file):5:10: error: expected exactly one of 'every', 'sample', 'list', found every and sample")
        // An error in a listed site points into the site's own text.
        #expect(error(Self.base + "  sites: {list: ['bar0+0x10 raed']}\n").hasPrefix("\(Self.file):5:29: error: expected "))
        #expect(error("campaign: t\nfaults: {kinds: [UR]}\n") == "\(Self.file):1:1: error: expected key 'traces' (a list of traces), found none")
    }

    @Test func duplicateTraceNames() {
        let yaml = Self.base.replacingOccurrences(of: "traces: [../../../traces/scenarios/wrong-size-read.mtrace]",
                                                  with: "traces: [../../../traces/scenarios/wrong-size-read.mtrace, ../../../traces/scenarios/wrong-size-read.mtrace]")
        #expect(error(yaml).hasPrefix("\(Self.file):2:60: error: expected a distinct name for each trace, found 'wrong-size-read.mtrace' again"))
    }
}
