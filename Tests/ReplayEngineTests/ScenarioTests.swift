import Testing
@testable import ReplayEngine

/// docs/domain.md §7 scenarios 3, 4 and 5: what arrives at the device, and in what order.
@Suite struct ScenarioTests {
    static let schedules: [Schedule] = [.inOrder, .adversarial]

    /// Scenario 3: on split-ecam under adversarial the doorbell reaches the device after the
    /// FLR for Device-nGnRE (kvm-device) and Normal-NC (kvm-normal-nc), never for Device-nGnRnE
    /// (strict-ngnrne); on quiet-pcie and ras-sbsa, never.
    @Test(arguments: ["kvm-device", "kvm-normal-nc", "strict-ngnrne"], ["quiet-pcie", "ras-sbsa", "split-ecam"])
    func reclaimAfterWrites(policy: String, platform: String) throws {
        for schedule in Self.schedules {
            let report = try Harness.replay(file: "traces/scenarios/reclaim-after-writes.mtrace", policy: policy, platform: platform, schedule: schedule)
            let doorbell = try #require(report.observations(.memoryWrite).first)
            let flr = try #require(report.observations(.flr).first)
            let expectLate = platform == "split-ecam" && schedule == .adversarial && policy != "strict-ngnrne"
            #expect(doorbell.afterReset == expectLate, "\(policy) \(platform) \(schedule.name)")
            #expect((doorbell.timePs > flr.timePs) == expectLate, "\(policy) \(platform) \(schedule.name)")
            if expectLate {
                let ready = try #require(report.observations(.ready).first)
                #expect(doorbell.timePs >= ready.timePs, "held until the device is ready again: the most damaging moment")
                #expect(doorbell.outcome.answer == .accepted, "lands on the reset device")
            }
        }
    }

    /// Scenario 4: with Device-nGnRE the device sees each write before the read after it,
    /// always; with Normal-NC and no barrier the adversarial schedule lets the read overtake,
    /// and answers a read-back from the write buffer.
    @Test(arguments: [Schedule.inOrder, .adversarial])
    func readPushesWrites(schedule: Schedule) throws {
        let device = try Harness.replay(file: "traces/scenarios/read-pushes-writes.mtrace", policy: "kvm-device", platform: "quiet-pcie", schedule: schedule)
        #expect(device.arrivals == ["MWr bar0+0x1008", "MRd bar0+0x1c", "MWr bar0+0x24", "MRd bar0+0x24"])
        #expect(device.hazards.isEmpty)

        let normal = try Harness.replay(file: "traces/scenarios/read-pushes-writes.mtrace", policy: "kvm-normal-nc", platform: "quiet-pcie", schedule: schedule)
        if schedule == .inOrder {
            #expect(normal.arrivals == device.arrivals)
            #expect(normal.hazards.isEmpty)
        } else {
            // The read overtakes the buffered doorbell, the read-back is answered from the
            // buffer, and the two buffered writes (R type, no barrier between) leave in reverse.
            #expect(normal.arrivals == ["MRd bar0+0x1c", "MWr bar0+0x24", "MWr bar0+0x1008"])
            #expect(normal.hazards.map(\.kind) == [.readFromBuffer, .outOfOrder])
        }
    }

    /// Scenario 5: Normal-NC gives exactly one 64-byte MWr for the eight 8-byte stores;
    /// Device-nGnRE gives eight.
    @Test(arguments: [Schedule.inOrder, .adversarial])
    func writeCombining(schedule: Schedule) throws {
        let normal = try Harness.replay(file: "traces/scenarios/write-combining.mtrace", policy: "kvm-normal-nc", platform: "quiet-pcie", schedule: schedule)
        let pushes = normal.observations(.memoryWrite).filter { $0.region == "wc" }
        #expect(pushes.count == 1)
        #expect(pushes.first?.size == 64 && pushes.first?.accesses == 8)
        let device = try Harness.replay(file: "traces/scenarios/write-combining.mtrace", policy: "kvm-device", platform: "quiet-pcie", schedule: schedule)
        let stores = device.observations(.memoryWrite).filter { $0.region == "wc" }
        #expect(stores.count == 8 && stores.allSatisfy { $0.size == 8 })
        #expect(normal.summary.tlps[.MWr32] == 2 && device.summary.tlps[.MWr32] == 9)
        #expect(normal.summary.linkBytes < device.summary.linkBytes)
        #expect(normal.summary.writeCombiningRatio == 4.5 && device.summary.writeCombiningRatio == 1)
    }
}
