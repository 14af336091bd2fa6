import ArgumentParser
import Foundation
import Importers
import MMIOTrace
import Pcap

struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert a trace or capture to .mtrace (canonical) or pcap.",
        discussion: """
            Reads any supported format (detected by content, or --from); writes canonical .mtrace
            (the header in a fixed order, single spaces, lower-case hex, no comments: converting it
            again changes nothing) or pcap (trace events on LINKTYPE_USER0, docs/pcap.md), chosen
            by --format (or its alias --to) or by the output's extension. mtrace -> pcap -> mtrace
            gives the same text.

            Examples:
              mmio-replay convert hand-written.mtrace -o canonical.mtrace
              mmio-replay convert capture.mmiotrace --map capture.yaml -o capture.mtrace
              mmio-replay convert trace.mtrace -o trace.pcap
              mmio-replay convert capture.log --from qemu-log --format pcap -o capture.dump
            """
    )

    /// The trace formats `convert` writes.
    enum TraceFormat: String, ExpressibleByArgument, CaseIterable {
        case mtrace, pcap
    }

    @Argument(help: "The trace or capture to read (- for .mtrace on standard input).")
    var input: String

    @OptionGroup var source: TraceInputOptions

    @Option(name: .shortAndLong, help: "Where to write (- for standard output, .mtrace only).")
    var output: String

    @Option(name: [.customLong("format"), .customLong("to")],
            help: "The output format (default: pcap for a .pcap output, else mtrace; --to is an alias).")
    var format: TraceFormat?

    var outputFormat: TraceFormat { format ?? (output.hasSuffix(".pcap") ? .pcap : .mtrace) }

    func validate() throws {
        if input != "-", output != "-", sameFile(input, output) {
            throw ValidationError("input and output are the same file: converting in place would destroy the input")
        }
        if outputFormat == .pcap, output == "-" { throw ValidationError("pcap output needs a file, not standard output") }
    }

    func run() throws {
        try reportingErrors {
            let reader = try source.open(input)
            switch outputFormat {
            case .mtrace:
                let writer = try MTraceWriter(path: output, topology: reader.topology)
                while let event = try reader.next() { try writer.write(event) }
                try writer.flush()
            case .pcap:
                let writer = try PcapTraceWriter(path: output, topology: reader.topology)
                try writer.write(contentsOf: reader)
                try writer.flush()
            }
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
