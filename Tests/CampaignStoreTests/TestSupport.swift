import CampaignStore
import Foundation
import Testing
import Verdicts

/// Runs `body` with a new empty directory, removed afterwards.
func withTemporaryDirectory(_ body: (URL) throws -> Void) throws {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("CampaignStoreTests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try body(directory)
}

extension URL {
    /// The path of `name` in this directory.
    func file(_ name: String) -> String { appendingPathComponent(name).path }
}

let sampleCampaign = CampaignInfo(
    name: "nvme-ur", specHash: "00112233445566ff", spec: "traces: [nvme-boot]\nfaults: [UR]\n", engineVersion: "0.9.0")

/// Verdict counts with these values.
func verdictCounts(_ values: [Verdict: Int]) -> VerdictCounts {
    var counts = VerdictCounts()
    for (verdict, count) in values { counts[verdict] = count }
    return counts
}

func golden(_ id: String, seed: UInt64? = nil) -> GoldenRecord {
    GoldenRecord(
        id: id, trace: "nvme-boot", traceHash: "aa00bb11cc22dd33", policy: "normal-nc", platform: "neoverse-n1",
        schedule: seed == nil ? "in-order" : "random", seed: seed, events: 1200, tlps: 340, linkBytes: 21760,
        simulatedNs: 1_250_000, cpuWrites: 800, writeTransactions: 320, writeCombiningRatio: 2.5,
        verdicts: verdictCounts([.guestAbort: 3, .hostPanic: 1]), hazards: hazardCounts([.outOfOrder: 2]), sites: 40, experiments: 4)
}

/// Hazard counts with these values.
func hazardCounts(_ values: [HazardKind: Int]) -> HazardCounts {
    var counts = HazardCounts()
    for (kind, count) in values { counts[kind] = count }
    return counts
}

/// Evidence steps most sample experiments share.
let urStep = EvidenceStep(rule: "error-origin", inputs: "ur on read", result: "device UR", source: "ErrorIncident")
let panicStep = EvidenceStep(rule: "ur-to-serror", inputs: "UR completion", result: "SError", source: "docs/domain.md §4")

func experiment(
    _ id: String, golden: String = "1000000000000000", verdict: Verdict = .hostPanic, weight: Int = 1,
    seed: UInt64? = nil, chain: String = "UR completion -> SError -> host panic",
    evidence: [EvidenceStep] = [urStep, panicStep]
) -> ExperimentRecord {
    ExperimentRecord(
        id: id, golden: golden, trace: "nvme-boot", policy: "normal-nc", platform: "neoverse-n1",
        schedule: seed == nil ? "in-order" : "random", seed: seed, fault: "UR at bar0+0x44 read #3", kind: "UR",
        verdict: verdict, chain: chain, evidence: evidence, tlps: 120,
        linkBytes: 7680, simulatedNs: 400_000, steps: 950, stoppedEarly: verdict == .hostPanic, weight: weight)
}

/// A database at `path` begun with `campaign` and `shard`, holding `experiments` and their
/// golden runs, with `planned` set when given.
@discardableResult
func makeStore(
    _ path: String, campaign: CampaignInfo = sampleCampaign, shard: Shard = .whole,
    experiments: [ExperimentRecord], planned: Int? = nil
) throws -> ResultStore {
    let store = try ResultStore(path: path)
    try store.begin(campaign, shard: shard)
    if let planned {
        try store.setPlanned(planned)
    }
    try store.insert(goldens: Set(experiments.map(\.golden)).sorted().map { golden($0) })
    try store.insert(experiments: experiments)
    return store
}

/// What `store.export(format, to:)` writes.
func exported(_ store: ResultStore, _ format: ExportFormat, in directory: URL) throws -> String {
    let path = directory.file("export-\(UUID().uuidString).\(format.rawValue)")
    #expect(FileManager.default.createFile(atPath: path, contents: nil))
    let handle = try #require(FileHandle(forWritingAtPath: path))
    try store.export(format, to: handle)
    try handle.close()
    return try String(contentsOfFile: path, encoding: .utf8)
}
