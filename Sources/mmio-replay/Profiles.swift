import ArgumentParser
import ArmMemory

struct Profiles: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the built-in attribute policies.",
        subcommands: [List.self],
        defaultSubcommand: List.self
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the built-in attribute policies, one line each.",
            discussion: """
                Example:
                  mmio-replay profiles list
                """
        )

        func run() {
            let width = AttributePolicy.builtIns.map(\.name.count).max() ?? 0
            print("attribute policies (--policy NAME, or a YAML file; see docs/policies.md)")
            for policy in AttributePolicy.builtIns {
                print("  \(policy.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(policy.summary)")
            }
        }
    }
}
