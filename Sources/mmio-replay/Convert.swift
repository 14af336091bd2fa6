import ArgumentParser
import Foundation
import MMIOTrace

struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert a trace to another format (for now: .mtrace to canonical .mtrace).",
        discussion: """
            The canonical form has the header in a fixed order (mtrace, devices, regions, maps),
            single spaces, lower-case hex and no comments; converting it again changes nothing.

            Example:
              mmio-replay convert hand-written.mtrace -o canonical.mtrace
            """
    )

    @Argument(help: "The trace to read (.mtrace; - for standard input).")
    var input: String

    @Option(name: .shortAndLong, help: "Where to write the canonical .mtrace (- for standard output).")
    var output: String

    func validate() throws {
        if input != "-", output != "-", sameFile(input, output) {
            throw ValidationError("input and output are the same file: converting in place would destroy the input")
        }
    }

    func run() throws {
        try reportingErrors {
            let reader = try MTraceReader(path: input)
            let writer = try MTraceWriter(path: output, topology: reader.topology)
            while let event = try reader.next() { try writer.write(event) }
            try writer.flush()
        }
    }
}

/// Whether two paths name the same existing file.
private func sameFile(_ a: String, _ b: String) -> Bool {
    let fm = FileManager.default
    guard let ia = try? fm.attributesOfItem(atPath: a), let ib = try? fm.attributesOfItem(atPath: b) else { return false }
    return ia[.systemFileNumber] as? Int == ib[.systemFileNumber] as? Int
        && ia[.systemNumber] as? Int == ib[.systemNumber] as? Int
}
