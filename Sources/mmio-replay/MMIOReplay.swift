import ArgumentParser
import Pcap

@main
struct MMIOReplay: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "mmio-replay",
        abstract: "Replay MMIO traces of assigned devices under Arm memory-attribute policies.",
        discussion: """
            Exit status: 0 success, 64 usage error, 65 bad input data, 66 missing input, 70 internal error.
            """,
        version: "mmio-replay \(version) (\(PcapLibrary.version))",
        subcommands: [Attrs.self, Inspect.self, ReplayCommand.self, Shrink.self, Generate.self, Convert.self, Profiles.self, Campaign.self, Compare.self]
    )
}
