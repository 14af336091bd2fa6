import ArgumentParser
import Pcap

@main
struct MMIOReplay: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "mmio-replay",
        abstract: "Replay MMIO traces of assigned devices under Arm memory-attribute policies.",
        discussion: """
            Every command that reads a trace takes its format as --from (detected from the content by
            default); every command that prints data takes --format, and --json for --format json.
            Exit status: 0 success, 64 usage error, 65 bad input data, 66 missing input, 70 internal error.

            Examples:
              mmio-replay replay traces/nvme-doorbell.mtrace --platform ras-sbsa --json
              mmio-replay --generate-completion-script zsh > ~/.zfunc/_mmio-replay
            """,
        version: "mmio-replay \(version) (\(PcapLibrary.version))",
        subcommands: [Attrs.self, Inspect.self, ReplayCommand.self, Shrink.self, Generate.self, Convert.self, Profiles.self, Campaign.self, Compare.self]
    )
}
