// swift-tools-version:6.1
import PackageDescription

// Benchmarks live in their own package so that the product never carries benchmark dependencies.
// Run with `make bench` (or `swift package benchmark` in this directory).
let package = Package(
    name: "mmio-replay-benchmarks",
    dependencies: [
        .package(name: "mmio-replay", path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "Allocations",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ArmMemory", package: "mmio-replay"),
                .product(name: "MMIOTrace", package: "mmio-replay"),
                .product(name: "Platforms", package: "mmio-replay"),
                .product(name: "ReplayEngine", package: "mmio-replay"),
                .product(name: "Importers", package: "mmio-replay"),
                .product(name: "TraceSynthesis", package: "mmio-replay"),
            ],
            path: "Benchmarks/Allocations",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "TraceParsing",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "MMIOTrace", package: "mmio-replay"),
                .product(name: "TraceSynthesis", package: "mmio-replay"),
                .product(name: "ReplayEngine", package: "mmio-replay"),
                .product(name: "ArmMemory", package: "mmio-replay"),
                .product(name: "Platforms", package: "mmio-replay"),
                .product(name: "Importers", package: "mmio-replay"),
                .product(name: "Pcap", package: "mmio-replay"),
                .product(name: "SeededRandom", package: "mmio-replay"),
            ],
            path: "Benchmarks/TraceParsing",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "Exploration",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ArmMemory", package: "mmio-replay"),
                .product(name: "MMIOTrace", package: "mmio-replay"),
                .product(name: "Platforms", package: "mmio-replay"),
                .product(name: "ReplayEngine", package: "mmio-replay"),
                .product(name: "TraceSynthesis", package: "mmio-replay"),
            ],
            path: "Benchmarks/Exploration",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "CampaignRuns",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "MMIOTrace", package: "mmio-replay"),
                .product(name: "TraceSynthesis", package: "mmio-replay"),
                .product(name: "Campaigns", package: "mmio-replay"),
                .product(name: "CampaignStore", package: "mmio-replay"),
            ],
            path: "Benchmarks/CampaignRuns",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "Scaling",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ArmMemory", package: "mmio-replay"),
                .product(name: "MMIOTrace", package: "mmio-replay"),
                .product(name: "Platforms", package: "mmio-replay"),
                .product(name: "ReplayEngine", package: "mmio-replay"),
                .product(name: "SeededRandom", package: "mmio-replay"),
            ],
            path: "Benchmarks/Scaling",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "TraceShrinking",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ArmMemory", package: "mmio-replay"),
                .product(name: "Diagnostics", package: "mmio-replay"),
                .product(name: "Faults", package: "mmio-replay"),
                .product(name: "Importers", package: "mmio-replay"),
                .product(name: "MMIOTrace", package: "mmio-replay"),
                .product(name: "Platforms", package: "mmio-replay"),
                .product(name: "ReplayEngine", package: "mmio-replay"),
                .product(name: "Shrinking", package: "mmio-replay"),
            ],
            path: "Benchmarks/TraceShrinking",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
