import ArgumentParser
import DeviceModels
import Foundation
import Importers
import MMIOTrace
import ModelLearning

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Summarise a trace: topology, events per kind and agent, time span, warnings.",
        discussion: """
            Warnings: time going backwards for an agent, accesses outside every declared region,
            sizes the architecture does not have, unaligned accesses, and vCPU accesses between a
            guest exit and the next entry. The first \(TraceSummarizer.examplesPerCode) of each kind are listed.

            Captures (Linux mmiotrace, QEMU trace logs, ftrace kvm_mmio, pcap) are read directly;
            for them inspect also prints the capture's warnings and a ready-to-edit side file
            (--map) with what the capture does not record; --side-file prints that side file alone,
            as YAML to save and edit.

            Examples:
              mmio-replay inspect traces/nvme-doorbell.mtrace --json
              mmio-replay inspect capture.mmiotrace --side-file > capture.yaml   # then edit, and use --map capture.yaml
            """
    )

    @Argument(help: "The trace or capture to inspect (- for .mtrace on standard input).")
    var trace: String

    @OptionGroup var input: TraceInputOptions

    @OptionGroup var output: OutputOptions<DataFormat>

    @Flag(help: "Print only the capture's side file (YAML for --map), nothing else.")
    var sideFile = false

    @Option(help: ArgumentHelp("Write the model learned for each device with no built-in model to DIR/learned-DEVICE.yaml.",
                               discussion: "Replays learn the same models by themselves; save them to edit, then pass them with --device-model.",
                               valueName: "DIR"))
    var learnModels: String?

    func validate() throws {
        if output.isJSON && sideFile { throw ValidationError("--side-file prints YAML: give it without --json or --format json") }
    }

    func run() throws {
        try reportingErrors {
            let source = try input.open(trace)
            let capture = source as? any CaptureSource
            if sideFile {
                guard let capture else {
                    throw ValidationError("'\(trace)' is a .mtrace trace, which declares everything itself: --side-file is for captures")
                }
                return print(capture.sideFileTemplate(), terminator: "")
            }
            if let learnModels { try writeLearnedModels(to: learnModels) }
            let summary = try TraceSummary.of(ReadAheadSource.wrapping(source))
            let json = InspectJSON(summary: summary, captureWarnings: capture?.warnings.map(\.description), sideFile: capture?.sideFileTemplate())
            try output.print(json) {
                guard let capture else { return summary.text }
                return summary.text + "capture warnings \(capture.warnings.count)\n"
                    + capture.warnings.map { "  \($0)\n" }.joined()
                    + "side file (edit and pass with --map):\n" + capture.sideFileTemplate()
            }
        }
    }
}

extension Inspect {
    /// Writes the learned models of the trace's devices that have no built-in model.
    func writeLearnedModels(to directory: String) throws {
        guard trace != "-" else { throw ValidationError("--learn-models reads the trace twice: save standard input to a file first") }
        let files = try ModelLearner.learning(from: input.open(trace)).yamlFiles(source: (trace as NSString).lastPathComponent)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for file in files {
            let path = (directory as NSString).appendingPathComponent(DeviceModel.learnedName(of: file.device) + ".yaml")
            try file.yaml.write(toFile: path, atomically: true, encoding: .utf8)
            printError("wrote \(path)")
        }
        if files.isEmpty { printError("every device has a built-in model: nothing to learn") }
    }
}

/// `inspect --json`: the summary's fields, plus for captures their warnings and side file.
private struct InspectJSON: Encodable {
    var summary: TraceSummary
    var captureWarnings: [String]?
    var sideFile: String?

    func encode(to encoder: any Encoder) throws {
        try summary.encode(to: encoder)
        enum Keys: String, CodingKey { case captureWarnings, sideFile }
        var container = encoder.container(keyedBy: Keys.self)
        try container.encodeIfPresent(captureWarnings, forKey: .captureWarnings)
        try container.encodeIfPresent(sideFile, forKey: .sideFile)
    }
}
