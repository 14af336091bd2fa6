import ArgumentParser
import MMIOTrace

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Summarise a trace: topology, events per kind and agent, time span, warnings.",
        discussion: """
            Warnings: time going backwards for an agent, accesses outside every declared region,
            sizes the architecture does not have, unaligned accesses, and vCPU accesses between a
            guest exit and the next entry. The first \(TraceSummarizer.examplesPerCode) of each kind are listed.

            Example:
              mmio-replay inspect traces/nvme-doorbell.mtrace --json
            """
    )

    @Argument(help: "The trace to inspect (.mtrace; - for standard input).")
    var trace: String

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        try reportingErrors {
            let summary = try TraceSummary.of(MTraceReader(path: trace))
            print(json ? try jsonText(summary) : summary.text, terminator: json ? "\n" : "")
        }
    }
}
