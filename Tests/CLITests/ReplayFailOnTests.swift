import Testing

/// `replay --fail-on uncontained` gates CI: exit 1 when a pair has an uncontained verdict (under
/// `explore`, a possible one), 0 otherwise, and the output is the same either way.
@Suite struct ReplayFailOnTests {
    static let cases: [(arguments: [String], status: Int32)] = [
        (["traces/scenarios/wrong-size-read.mtrace", "--platform", "ras-sbsa"], 1),
        (["traces/scenarios/wrong-size-read.mtrace", "--platform", "quiet-pcie"], 0),
        (["traces/scenarios/reclaim-after-writes.mtrace", "--policy", "kvm-device", "--platform", "split-ecam", "--schedule", "explore"], 1),
        (["traces/scenarios/reclaim-after-writes.mtrace", "--policy", "strict-ngnrne", "--platform", "split-ecam", "--schedule", "explore"], 0),
    ]

    @Test(arguments: cases.indices)
    func exitStatus(_ index: Int) throws {
        let (arguments, status) = Self.cases[index]
        let gated = try CLI.run(["replay"] + arguments + ["--fail-on", "uncontained"])
        #expect(gated.status == status, "\(gated.stderr)")
        let plain = try CLI.run(["replay"] + arguments)
        #expect(plain.status == 0 && plain.stdout == gated.stdout)
    }

    @Test func onlyUncontainedIsAccepted() throws {
        let result = try CLI.run(["replay", "traces/nvme-doorbell.mtrace", "--fail-on", "anything"])
        #expect(result.status == 64 && result.stderr.contains("The value 'anything' is invalid for '--fail-on <fail-on>'. Please provide one of 'uncontained'."))
    }
}
