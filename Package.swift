// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "mmio-replay",
    products: [
        .executable(name: "mmio-replay", targets: ["mmio-replay"]),
        .library(name: "ArmMemory", targets: ["ArmMemory"]),
        .library(name: "MMIOTrace", targets: ["MMIOTrace"]),
        .library(name: "TraceSynthesis", targets: ["TraceSynthesis"]),
        .library(name: "ReplayEngine", targets: ["ReplayEngine"]),
        .library(name: "Importers", targets: ["Importers"]),
        .library(name: "Pcap", targets: ["Pcap"]),
        .library(name: "Platforms", targets: ["Platforms"]),
        .library(name: "DeviceModels", targets: ["DeviceModels"]),
        .library(name: "PCIeTransport", targets: ["PCIeTransport"]),
        .library(name: "Verdicts", targets: ["Verdicts"]),
        .library(name: "Faults", targets: ["Faults"]),
        .library(name: "Campaigns", targets: ["Campaigns"]),
        .library(name: "CampaignStore", targets: ["CampaignStore"]),
        .library(name: "SeededRandom", targets: ["SeededRandom"]),
        .library(name: "ModelLearning", targets: ["ModelLearning"]),
        .library(name: "Shrinking", targets: ["Shrinking"]),
        .library(name: "Diagnostics", targets: ["Diagnostics"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
    ],
    targets: [
        // Located input errors and did-you-mean suggestions, shared by every reader.
        .target(name: "Diagnostics"),
        // YAML input with located errors, shared by every YAML reader.
        .target(name: "YAMLInput", dependencies: ["Diagnostics", .product(name: "Yams", package: "Yams")]),
        // Arm memory types, stage-1/stage-2 encodings and combining, attribute policies.
        .target(name: "ArmMemory", dependencies: ["YAMLInput", "Diagnostics", .product(name: "Yams", package: "Yams")]),
        // The trace model (topology + event stream) and the native `.mtrace` text codec.
        .target(name: "MMIOTrace", dependencies: ["Diagnostics", "ArmMemory", "PCIeTransport"]),
        // Seeded synthetic traces of realistic guest-driver workloads, for benchmarks and sizing.
        .target(name: "TraceSynthesis", dependencies: ["ArmMemory", "MMIOTrace", "PCIeTransport", "SeededRandom"]),
        // Seeded pseudo-random numbers: one seed, one sequence, on every machine and toolchain.
        .target(name: "SeededRandom"),
        // Platform profiles: every modelling choice of the CPU-to-device transport as a named parameter.
        .target(name: "Platforms", dependencies: ["YAMLInput", "Diagnostics", "PCIeTransport", .product(name: "Yams", package: "Yams")]),
        // Device models as data (YAML): register maps, config space, FLR and AER, as value-type state.
        .target(name: "DeviceModels", dependencies: ["YAMLInput", "Diagnostics", "PCIeTransport", .product(name: "Yams", package: "Yams")]),
        // Injected PCIe errors: the fault model, its command-line grammar, YAML fault files, aer-inject files.
        .target(name: "Faults", dependencies: ["YAMLInput", "Diagnostics", "MMIOTrace", "PCIeTransport", .product(name: "Yams", package: "Yams")]),
        // The PCIe vocabulary (requests, errors, AER severity, bus/device/function, access data) and
        // TLPs as pure data: byte-exact headers, request splitting, ordering rules, link timing.
        .target(name: "PCIeTransport"),
        // The replay engine: a deterministic discrete-event model of the write path, interconnect,
        // root complex, link and devices.
        .target(
            name: "ReplayEngine",
            dependencies: [
                "Diagnostics", "ArmMemory", "MMIOTrace", "PCIeTransport", "DeviceModels", "Platforms", "Faults", "Verdicts", "SeededRandom",
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        // From an error or hazard to a verdict: named rules, each application recorded as evidence.
        .target(name: "Verdicts", dependencies: ["ArmMemory", "PCIeTransport", "Platforms"]),
        // Importers of captured formats (Linux mmiotrace, QEMU trace logs, ftrace kvm_mmio) into
        // the trace model, with a side file for what captures do not record.
        .target(name: "Importers", dependencies: ["YAMLInput", "Diagnostics", "ArmMemory", "DeviceModels", "MMIOTrace", "PCIeTransport", "Pcap", .product(name: "Yams", package: "Yams")]),
        // libpcap, wrapped so that no C type escapes.
        .systemLibrary(name: "CPcap", pkgConfig: "libpcap", providers: [.apt(["libpcap-dev"])]),
        .target(name: "Pcap", dependencies: ["CPcap", "MMIOTrace", "PCIeTransport"]),
        // The results database of campaigns (SQLite through GRDB).
        .target(name: "CampaignStore", dependencies: ["Verdicts", .product(name: "GRDB", package: "GRDB.swift"),
                                                    .product(name: "GRDBSQLite", package: "GRDB.swift")]),
        // Fault-injection campaigns: specs, golden runs, experiments forked from snapshots, pruning.
        .target(
            name: "Campaigns",
            dependencies: ["Diagnostics", "YAMLInput", "ArmMemory", "MMIOTrace", "DeviceModels", "PCIeTransport", "Platforms", "Faults", "Verdicts",
                           "ReplayEngine", "Importers", "CampaignStore", "ModelLearning", "SeededRandom", "Shrinking", .product(name: "Yams", package: "Yams")]
        ),
        // Campaign results compared across policies or platforms, and between campaigns: tables and HTML.
        .target(name: "Comparison", dependencies: ["ArmMemory", "CampaignStore", "Diagnostics", "Faults", "Verdicts", .product(name: "Yams", package: "Yams")]),
        // Device models learned from a trace's recorded accesses, for devices with no built-in model.
        .target(name: "ModelLearning", dependencies: ["ArmMemory", "DeviceModels", "Diagnostics", "MMIOTrace", "PCIeTransport"]),
        // Delta debugging of a trace down to the events a verdict needs.
        .target(name: "Shrinking", dependencies: ["ArmMemory", "DeviceModels", "MMIOTrace", "ModelLearning", "Platforms", "ReplayEngine", "Verdicts"]),
        // A replay's timeline as Chrome trace-event JSON (Perfetto, chrome://tracing).
        .target(name: "Timeline", dependencies: ["MMIOTrace", "ReplayEngine"]),
        .executableTarget(
            name: "mmio-replay",
            dependencies: [
                "Diagnostics", "ArmMemory", "MMIOTrace", "TraceSynthesis", "DeviceModels", "Platforms", "ReplayEngine", "Pcap", "PCIeTransport",
                "Faults", "Importers", "Timeline", "Campaigns", "CampaignStore", "Comparison", "Verdicts", "ModelLearning", "Shrinking",
                .product(name: "Yams", package: "Yams"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Helpers shared by the test targets (golden files).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "DiagnosticsTests", dependencies: ["Diagnostics"]),
        .testTarget(name: "ArmMemoryTests", dependencies: ["ArmMemory", "Diagnostics"]),
        .testTarget(name: "MMIOTraceTests", dependencies: ["MMIOTrace", "Diagnostics", "PCIeTransport", "SeededRandom", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "TraceSynthesisTests", dependencies: ["TraceSynthesis", "SeededRandom"]),
        .testTarget(name: "PlatformsTests", dependencies: ["Platforms", "Diagnostics", "PCIeTransport"]),
        .testTarget(name: "DeviceModelsTests", dependencies: ["DeviceModels", "Diagnostics", "PCIeTransport", "SeededRandom"]),
        .testTarget(name: "ModelLearningTests", dependencies: ["ModelLearning", "DeviceModels", "Importers", "MMIOTrace", "ReplayEngine", "Platforms"], exclude: []),
        .testTarget(name: "PcapTests", dependencies: ["Pcap", "MMIOTrace", "PCIeTransport"]),
        .testTarget(name: "ImportersTests", dependencies: ["Importers", "MMIOTrace", "Diagnostics", "PCIeTransport"], exclude: ["Fixtures"]),
        .testTarget(
            name: "ReplayEngineTests",
            dependencies: ["ReplayEngine", "MMIOTrace", "ArmMemory", "Platforms", "TraceSynthesis", "Faults", "Verdicts", "SeededRandom",
                           "Importers", "PCIeTransport", "Diagnostics", "ModelLearning", "DeviceModels",
                           .product(name: "Yams", package: "Yams")]
        ),
        .testTarget(name: "PCIeTransportTests", dependencies: ["PCIeTransport", "SeededRandom"]),
        .testTarget(name: "TimelineTests", dependencies: ["Timeline", "ReplayEngine", "MMIOTrace", "ArmMemory", "Platforms", "Faults", "Diagnostics"]),
        .testTarget(name: "VerdictsTests", dependencies: ["Verdicts", "ArmMemory", "Platforms", "PCIeTransport"]),
        .testTarget(name: "ShrinkingTests", dependencies: ["Shrinking", "ReplayEngine", "MMIOTrace", "ArmMemory", "Platforms", "Faults", "Importers", "Verdicts", "Diagnostics"]),
        .testTarget(name: "ComparisonTests", dependencies: ["Comparison", "CampaignStore", "Verdicts"]),
        .testTarget(name: "CampaignStoreTests", dependencies: ["CampaignStore", "SeededRandom", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "CampaignsTests", dependencies: ["Campaigns", "CampaignStore", "ReplayEngine", "Faults", "Diagnostics", "MMIOTrace", "PCIeTransport", "ArmMemory", "Platforms", "Verdicts"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "FaultsTests", dependencies: ["Faults", "Diagnostics", "MMIOTrace", "PCIeTransport", "SeededRandom"]),
        // End-to-end: runs the built binary and compares with golden files.
        .testTarget(name: "CLITests", dependencies: ["mmio-replay", "TestSupport"], exclude: ["Fixtures"]),
    ]
)
