import Testing
@testable import ReplayEngine

/// Function Level Reset windows (docs/domain.md §3): while the function resets, posted writes are
/// discarded (the model's `discard-posted`), non-posted requests get UR or CRS, and the device
/// is back at reset values once ready.
@Suite struct FLRWindowTests {
    /// The built-in NVMe model: ready 100 ms after the FLR.
    static let trace = Harness.header(guest: "device-ngnre") + """
        10 vcpu0 write bar0+0x24 4 0x1f001f
        20 vcpu0 dsb sy
        1000 host reset flr nvme0
        2000 vmm write bar0+0x1008 4 0x1
        3000 vmm read bar0+0x24 4
        4000 vmm cfg-read nvme0 0x0 4
        200000000 vmm read bar0+0x24 4
        200001000 vmm cfg-read nvme0 0x0 4
        """

    @Test func insideTheWindowWritesAreDiscardedAndRequestsRefused() throws {
        let report = try Harness.replay(text: Self.trace, policy: "kvm-device")
        let flr = try #require(report.observations(.flr).first)
        let ready = try #require(report.observations(.ready).first)
        #expect(ready.timePs - flr.timePs == 100_000_000 * 1000)
        let during = report.deviceView.filter { $0.timePs > flr.timePs && $0.timePs < ready.timePs }
        #expect(during.map(\.kind) == [.memoryWrite, .memoryRead, .configRead])
        #expect(during.map(\.outcome.description) == ["discarded-in-reset", "UR", "CRS"])
        let after = report.deviceView.filter { $0.timePs > ready.timePs }
        #expect(after.map(\.outcome.description) == ["SC", "SC"])
        // Registers are back at their reset values: AQA reads 0, not what the guest wrote.
        #expect(after.first?.value == "0x0")
        #expect(after.last?.value == "0x101b36")
    }

    /// A hot reset acts at the root port at once; a reset-controller write reaches a platform
    /// device after the controller's latency.
    @Test func hotAndControllerResets() throws {
        let trace = Harness.header(guest: "device-ngnre") + "10 host reset hot nvme0\n"
        let hot = try Harness.replay(text: trace)
        #expect(hot.observations(.hotReset).count == 1)
        let platform = """
            mtrace 1
            device wdt model=generic
            region wdt0 device=wdt kind=platform base=0x9030000 size=0x1000
            10 host reset controller wdt
            2000 host write wdt0+0x0 4 0x1
            """
        let report = try Harness.replay(text: platform, platform: "platform-device")
        let reset = try #require(report.observations(.controllerReset).first)
        let latency = Harness.platform("platform-device").transport.latency
        #expect(reset.timePs == UInt64(10 + latency.coreToSerialisationPoint + latency.serialisationPointToPlatformDevice + latency.resetController) * 1000)
        #expect(report.observations(.memoryWrite).first?.outcome.answer == .discardedInReset)
    }
}
