import ArgumentParser
import DeviceModels
import Foundation
import Diagnostics
import Importers
import MMIOTrace
import ModelLearning

/// How a command reads its trace: any supported format, detected by content unless given, with
/// a side file for what captures do not record.
struct TraceInputOptions: ParsableArguments {
    @Option(name: [.customLong("format"), .customLong("from")],
            help: "The input format: auto, mtrace, mmiotrace, qemu-log, ftrace, pcap (default: detected from the content).")
    var format: String = "auto"

    @Option(name: .customLong("map"), help: "A side file (YAML) with what the capture does not record: stage-1 types, device models, agents.")
    var sideFile: String?

    func validate() throws {
        guard format == "auto" || CaptureFormat(name: format) != nil else {
            let names = ["auto"] + CaptureFormat.allCases.map(\.name)
            throw ValidationError("expected an input format (\(names.joined(separator: ", "))), found '\(format)'"
                + (Suggestion.closest(to: format, among: names).map { "; did you mean '\($0)'?" } ?? ""))
        }
    }

    /// The models learned from the trace at `path` for its devices with no built-in model (none
    /// when every device has one, or for standard input, which cannot be read twice): the trace
    /// is read once more, to its end.
    func learnedModels(_ path: String) throws -> [DeviceModel] {
        guard path != "-" else { return [] }
        return try ModelLearner.learning(from: open(path)).models(source: (path as NSString).lastPathComponent)
    }

    /// Opens `path` as a stream of events.
    func open(_ path: String) throws -> any TraceEventSource {
        let settings = try sideFile.map { try resolveAll([$0], CaptureSettings.resolve)[0] } ?? CaptureSettings()
        let resolved = format == "auto" ? (path == "-" ? .mtrace : try CaptureFormat.detect(path: path)) : CaptureFormat(name: format)!
        return try openTrace(path: path, format: resolved, settings: settings)
    }
}
