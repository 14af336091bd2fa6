import ArgumentParser
import DeviceModels
import Foundation
import Importers
import MMIOTrace
import ModelLearning

/// How a command reads its trace: any supported format, detected by content unless `--from`
/// names it, with a side file for what captures do not record.
struct TraceInputOptions: ParsableArguments {
    @Option(help: "The input format (auto: detected from the content).")
    var from: InputFormat = .auto

    @Option(name: .customLong("map"), help: "A side file (YAML) with what the capture does not record: stage-1 types, device models, agents.")
    var sideFile: String?

    /// The models learned from the trace at `path`, whose topology is `topology`, for its devices
    /// with no built-in model (none when every device has one, or for standard input, which
    /// cannot be read twice): only then is the trace read once more, to its end.
    func learnedModels(_ path: String, topology: Topology) throws -> [DeviceModel] {
        guard path != "-", topology.devices.contains(where: { $0.model == DeviceModel.learnedName }) else { return [] }
        return try ModelLearner.learning(from: open(path)).models(source: (path as NSString).lastPathComponent)
    }

    /// Opens `path` as a stream of events.
    func open(_ path: String) throws -> any TraceEventSource {
        let settings = try sideFile.map { try resolveAll([$0], CaptureSettings.resolve)[0] } ?? CaptureSettings()
        let resolved = switch from {
        case .auto: path == "-" ? .mtrace : try CaptureFormat.detect(path: path)
        case .named(let format): format
        }
        return try openTrace(path: path, format: resolved, settings: settings)
    }
}

/// `--from`: a trace format, or `auto` to detect it from the content.
enum InputFormat: ExpressibleByArgument, CaseIterable, CustomStringConvertible {
    case auto
    case named(CaptureFormat)

    static var allCases: [InputFormat] { [.auto] + CaptureFormat.allCases.map(InputFormat.named) }

    /// Parses `auto` or a format's name, case-insensitively.
    init?(argument: String) {
        if argument.lowercased() == "auto" {
            self = .auto
        } else if let format = CaptureFormat(name: argument) {
            self = .named(format)
        } else {
            return nil
        }
    }

    var description: String {
        switch self {
        case .auto: "auto"
        case .named(let format): format.name
        }
    }
}
