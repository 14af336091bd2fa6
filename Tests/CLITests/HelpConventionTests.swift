import Foundation
import Testing

/// One convention on every subcommand, found from the binary's own description of its commands
/// (ArgumentParser's `--experimental-dump-help`), so that a new subcommand is checked without
/// being listed here: its help has an example, an option that takes one of a fixed set of words
/// lists them, `--from` is the input format where a trace is read, and `--json` is the same as
/// `--format json` where data is printed.
@Suite struct HelpConventionTests {
    /// Every command, the root first, as the binary describes it (ArgumentParser's own `help`
    /// subcommand left out).
    static let commands: [Command] = {
        let dump = try! CLI.run(["--experimental-dump-help"])
        precondition(dump.status == 0, dump.stderr)
        let root = try! JSONDecoder().decode(ToolInfo.self, from: Data(dump.stdout.utf8)).command
        func walk(_ command: CommandInfo, _ path: [String]) -> [Command] {
            [Command(path: path, arguments: command.arguments ?? [])]
                + (command.subcommands ?? []).filter { $0.commandName != "help" }.flatMap { walk($0, path + [$0.commandName]) }
        }
        return walk(root, [])
    }()

    /// A directory for the databases the invocations write.
    static let scratch: String = {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("help-conventions-\(UUID().uuidString)").path
        try! FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }()

    /// How to run each command that reads a trace or prints data; a command missing here fails
    /// the tests that need it, so that it cannot go unchecked.
    static let invocations: [String: [String]] = [
        "attrs": ["attrs"],
        "inspect": ["inspect", "traces/nvme-doorbell.mtrace"],
        "replay": ["replay", "traces/nvme-doorbell.mtrace"],
        "shrink": ["shrink", "traces/scenarios/reclaim-after-writes.mtrace", "--platform", "split-ecam", "--schedule", "adversarial",
                   "--verdict", "post-reclaim-write", "-o", "-"],
        "convert": ["convert", "traces/nvme-doorbell.mtrace", "-o", "-"],
        "profiles list": ["profiles", "list"],
        "profiles show": ["profiles", "show", "ras-sbsa"],
        "profiles compliance": ["profiles", "compliance"],
        // A campaign run again resumes (nothing left to run) and a merge again changes nothing:
        // both print the same thing each time.
        "campaign run": ["campaign", "run", "Tests/CLITests/Fixtures/campaigns/slurm-small.yaml", "--db", scratch + "/run.db", "--quiet"],
        "campaign merge": ["campaign", "merge", CompareCLITests.database, "-o", scratch + "/merged.db"],
        "campaign status": ["campaign", "status", CompareCLITests.database],
        "campaign export": ["campaign", "export", CompareCLITests.database],
        "compare": ["compare", CompareCLITests.database],
    ]

    @Test func theWalkFindsEveryCommand() {
        let names = Set(Self.commands.map(\.name))
        #expect(names.isSuperset(of: ["", "attrs", "replay", "profiles show", "campaign export", "compare"]) && names.count >= 18, "\(names)")
    }

    @Test(arguments: commands)
    func helpHasAnExample(_ command: Command) throws {
        let help = try CLI.run(command.path + ["--help"])
        #expect(help.status == 0, "\(help.stderr)")
        let example = (["mmio-replay"] + command.path).joined(separator: " ") + " "
        let lines = help.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines.contains { $0.hasPrefix(example) }, "no example line starting with '\(example)' in:\n\(help.stdout)")
    }

    /// Values are listed as `values: a, b, c` (ArgumentParser's own listing for an enumeration,
    /// or the help text of an option that parses its values itself).
    @Test(arguments: commands)
    func enumerationsListTheirValues(_ command: Command) throws {
        let help = try CLI.run(command.path + ["--help"]).stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for argument in command.arguments {
            guard let values = argument.values, !values.isEmpty else { continue }
            #expect(help.contains("values: " + values.joined(separator: ", ")), "\(command.name) \(argument.label): \(values) not listed in:\n\(help)")
        }
    }

    @Test func fromIsTheInputFormatWhereATraceIsRead() throws {
        let reading = Self.commands.filter { $0.hasOption("from") }
        #expect(Set(reading.map(\.name)).isSuperset(of: ["inspect", "replay", "shrink", "convert"]))
        for command in reading {
            let arguments = try #require(Self.invocations[command.name], "no invocation of \(command.name)")
            let detected = try CLI.run(arguments)
            let named = try CLI.run(arguments + ["--from", "mtrace"])
            #expect(detected.status == 0 && named.status == 0 && named.stdout == detected.stdout, "\(command.name): \(named.stderr)")
            let wrong = try CLI.run(arguments + ["--from", "pcap"])
            #expect(wrong.status == 65, "\(command.name) --from pcap on a .mtrace: \(wrong.status) \(wrong.stderr)")
        }
        // --format is never an input format.
        #expect(try CLI.run(["inspect", "traces/nvme-doorbell.mtrace", "--format", "mtrace"]).status == 64)
    }

    @Test func jsonIsFormatJSON() throws {
        let printing = Self.commands.filter { $0.hasOption("json") }
        #expect(printing.count >= 11, "\(printing.map(\.name))")
        for command in printing {
            let formats = try #require(command.arguments.first { $0.label == "--format" }?.values, "\(command.name) has --json but no --format")
            #expect(formats.contains("json"), "\(command.name): \(formats)")
            let arguments = try #require(Self.invocations[command.name], "no invocation of \(command.name)")
            let json = try CLI.run(arguments + ["--json"])
            let format = try CLI.run(arguments + ["--format", "json"])
            #expect(json.status == 0 && format.status == 0 && json.stdout == format.stdout, "\(command.name): \(json.stderr)")
            #expect((try? JSONSerialization.jsonObject(with: Data(json.stdout.utf8))) != nil, "\(command.name): not JSON:\n\(json.stdout)")
            let other = try #require(formats.first { $0 != "json" })
            let conflict = try CLI.run(arguments + ["--json", "--format", other])
            #expect(conflict.status == 64 && conflict.stderr.contains("--json is --format json"), "\(command.name): \(conflict.stderr)")
        }
    }

    /// `convert` names its output format `--format`, and keeps `--to` as an alias.
    @Test func convertTakesFormatAndTo() throws {
        let format = try CLI.run(["convert", "traces/nvme-doorbell.mtrace", "-o", "-", "--format", "mtrace"])
        let to = try CLI.run(["convert", "traces/nvme-doorbell.mtrace", "-o", "-", "--to", "mtrace"])
        #expect(format.status == 0 && to.status == 0 && format.stdout == to.stdout && !format.stdout.isEmpty)
        #expect(try CLI.run(["convert", "traces/nvme-doorbell.mtrace", "-o", "-", "--format", "json"]).status == 64)
    }
}

/// A command as the tests see it.
struct Command: CustomTestStringConvertible, Sendable {
    /// The subcommand names after `mmio-replay` (none for the root).
    var path: [String]
    var arguments: [ArgumentInfo]

    var name: String { path.joined(separator: " ") }
    var testDescription: String { "mmio-replay " + name }

    func hasOption(_ long: String) -> Bool { arguments.contains { $0.label == "--" + long } }
}

/// The parts of ArgumentParser's tool info (`--experimental-dump-help`) the tests read.
private struct ToolInfo: Decodable {
    var command: CommandInfo
}

private struct CommandInfo: Decodable {
    var commandName: String
    var subcommands: [CommandInfo]?
    var arguments: [ArgumentInfo]?
}

struct ArgumentInfo: Decodable, Sendable {
    struct Name: Decodable, Sendable {
        var kind: String
        var name: String
    }

    struct Completion: Decodable, Sendable {
        struct List: Decodable, Sendable {
            var values: [String]
        }

        var list: List?
    }

    var names: [Name]?
    var valueName: String?
    var allValues: [String]?
    var completionKind: Completion?

    /// `--name`, or `<value>` for a positional argument.
    var label: String {
        names?.first { $0.kind == "long" }.map { "--" + $0.name } ?? "<\(valueName ?? "")>"
    }

    /// The words the argument takes: an enumeration's values, or those offered to completion.
    var values: [String]? { allValues ?? completionKind?.list?.values }
}
