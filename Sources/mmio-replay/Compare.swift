import ArgumentParser
import CampaignStore
import Comparison
import Foundation
import Verdicts

struct Compare: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare campaign results across policies (or platforms), or between two campaigns.",
        discussion: """
            With one database: verdicts per (policy, platform) weighted by pruning class size, the
            transition matrix of every fault site under the baseline and each other policy, with
            examples and their evidence side by side, and each policy's cost from the golden runs
            (docs/compare.md). With two: only the fault sites whose verdict changed.

            Exit status: 1 when --fail-on uncontained is given and a fault site is uncontained.

            Examples:
              mmio-replay compare demo.db
              mmio-replay compare demo.db --format html -o report.html
              mmio-replay compare demo.db --by platform --baseline quiet-pcie --format md
              mmio-replay compare before.db after.db --json
            """
    )

    @Argument(help: "A results database; a second one for the regression view.")
    var databases: [String]

    @Option(help: "What to compare (kernel: the versions of linux-VERSION policies, same CPU and platform).")
    var by: ComparisonDimension = .policy

    @Option(help: "The policy (platform, kernel) the others are compared with (default kvm-device; quiet-pcie with --by platform; the oldest kernel with --by kernel).")
    var baseline: String?

    @OptionGroup var format: OutputOptions<ComparisonFormat>

    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.")
    var output: String?

    @Option(name: .customLong("fail-on"), help: "uncontained: exit 1 if any fault site is uncontained.")
    var failOn: FailureCondition?

    func validate() throws {
        guard (1...2).contains(databases.count) else { throw ValidationError("expected one database, or two to compare, found \(databases.count)") }
    }

    func run() async throws {
        var uncontained = false
        try reportingErrors {
            let first = try ResultStore.openExisting(path: databases[0], readOnly: true)
            let text: String
            if databases.count == 2 {
                let regression = try Regression(first, try ResultStore.openExisting(path: databases[1], readOnly: true))
                text = regression.text(format.chosen)
                uncontained = regression.changes.contains { !$0.to.contained }
            } else {
                let comparison: Comparison
                do {
                    comparison = try Comparison(store: first, dimension: by, baseline: baseline,
                                                sampled: Comparison.isSampled(specText: try first.campaign().0.spec))
                } catch let error as ComparisonError {
                    printError("mmio-replay: error: \(error)")
                    throw ExitCode(64)
                }
                text = comparison.text(format.chosen)
                uncontained = comparison.hasUncontained
            }
            if let output {
                try text.write(toFile: output, atomically: true, encoding: .utf8)
                print("wrote \(output)")
            } else {
                print(text, terminator: "")
            }
        }
        if failOn == .uncontained, uncontained { throw ExitCode(1) }
    }
}

extension ComparisonFormat: OutputFormat {
    static var standard: ComparisonFormat { .table }
}

extension ComparisonDimension: ExpressibleByArgument {}
