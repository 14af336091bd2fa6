import ArgumentParser

/// The output formats of a command that prints data: one of them is JSON, one is the default.
protocol OutputFormat: ExpressibleByArgument, CaseIterable, RawRepresentable<String>, Equatable, Sendable {
    /// What `--json` stands for.
    static var json: Self { get }
    /// What the command prints when neither `--format` nor `--json` is given.
    static var standard: Self { get }
}

/// `--format` and its shorthand `--json`, the same on every command that prints data (as
/// `--from` is the input format on every command that reads a trace).
struct OutputOptions<Format: OutputFormat>: ParsableArguments {
    @Option(help: "The output format (default: \(Format.standard.rawValue)).")
    var format: Format?

    @Flag(help: "Print JSON: the same as --format json.")
    var json = false

    func validate() throws {
        if json, let format, format != .json {
            throw ValidationError("--json is --format json: give --format \(format.rawValue) or --json, not both")
        }
    }

    /// The format asked for.
    var chosen: Format { json ? .json : format ?? .standard }

    /// Whether the output is JSON.
    var isJSON: Bool { chosen == .json }

    /// Prints `value` as JSON when that is the format asked for, else `text()` (whose lines end
    /// with their newlines). Only the one printed is built: either may query a whole database.
    func print<Value: Encodable>(_ value: @autoclosure () throws -> Value, orText text: () throws -> String) throws {
        Swift.print(isJSON ? try jsonText(value()) : try text(), terminator: isJSON ? "\n" : "")
    }
}

/// The formats of commands whose data is a text report or JSON.
enum DataFormat: String, OutputFormat {
    /// The text report.
    case table
    case json

    static var standard: DataFormat { .table }
}
