// swift-tools-version:6.1
import PackageDescription

// libFuzzer harnesses for every reader (docs/reliability.md). A separate package, so that the
// product never carries them: `make fuzz` builds it with `-sanitize=fuzzer,address`, which links
// libFuzzer's own `main`.
let package = Package(
    name: "mmio-replay-fuzz",
    dependencies: [.package(name: "mmio-replay", path: "../")],
    targets: [
        .executableTarget(
            name: "FuzzReaders",
            dependencies: [
                .product(name: "ArmMemory", package: "mmio-replay"),
                .product(name: "Campaigns", package: "mmio-replay"),
                .product(name: "DeviceModels", package: "mmio-replay"),
                .product(name: "Diagnostics", package: "mmio-replay"),
                .product(name: "PCIeTransport", package: "mmio-replay"),
                .product(name: "Faults", package: "mmio-replay"),
                .product(name: "Importers", package: "mmio-replay"),
                .product(name: "MMIOTrace", package: "mmio-replay"),
                .product(name: "ModelLearning", package: "mmio-replay"),
                .product(name: "Pcap", package: "mmio-replay"),
                .product(name: "Platforms", package: "mmio-replay"),
                .product(name: "ReplayEngine", package: "mmio-replay"),
            ],
            path: "Sources/FuzzReaders",
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
    ]
)
