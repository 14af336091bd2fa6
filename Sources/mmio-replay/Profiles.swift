import ArgumentParser
import ArmMemory
import DeviceModels
import Platforms

struct Profiles: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the built-in attribute policies, platform profiles and device models.",
        subcommands: [List.self, Show.self, Compliance.self],
        defaultSubcommand: List.self
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the built-in attribute policies, platform profiles and device models, one line each.",
            discussion: """
                Example:
                  mmio-replay profiles list
                """
        )

        @Flag(help: "Print JSON: policies, platforms and device models, each with its name and summary.")
        var json = false

        struct Entry: Encodable {
            var name: String
            var summary: String
        }

        func run() throws {
            if json {
                let lists = [
                    "policies": AttributePolicy.builtIns.map { Entry(name: $0.name, summary: $0.summary) },
                    "platforms": PlatformProfile.builtIns.map { Entry(name: $0.name, summary: $0.summary) },
                    "models": DeviceModel.builtIns.map { Entry(name: $0.name, summary: $0.summary) },
                ]
                return try reportingErrors { print(try jsonText(lists)) }
            }
            section("attribute policies (--policy NAME, or a YAML file; see docs/policies.md)",
                    AttributePolicy.builtIns.map { ($0.name, $0.summary) }
                        + [("linux-VERSION[:cpu=LIST][:kvm-cap=sea-to-user]", "what KVM in that Linux version (6.0+) does per region and CPU (--kernel)")])
            section("platform profiles (--platform NAME, or a YAML file; see docs/platforms.md)",
                    PlatformProfile.builtIns.map { ($0.name, $0.summary) })
            section("device models (model= in traces, or --device-model FILE; see docs/device-models.md)",
                    DeviceModel.builtIns.map { ($0.name, $0.summary) })
        }

        private func section(_ title: String, _ rows: [(name: String, summary: String)]) {
            let width = rows.map(\.name.count).max() ?? 0
            print(title)
            for row in rows { print("  \(row.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(row.summary)") }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a platform profile as YAML: every parameter, a user file merged with its base.",
            discussion: """
                Example:
                  mmio-replay profiles show ras-sbsa
                  mmio-replay profiles show my-platform.yaml
                """
        )

        @Argument(help: "A built-in platform profile name or a profile YAML file.")
        var profile: String

        func run() throws {
            print(try resolvePlatforms([profile])[0].yaml, terminator: "")
        }
    }

    struct Compliance: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Which Arm BSA/SBSA compliance rules each platform profile follows, and why (docs/platforms.md, Compliance).",
            discussion: """
                Example:
                  mmio-replay profiles compliance
                  mmio-replay profiles compliance my-platform.yaml --json
                """
        )

        @Argument(help: "Platform profile names or YAML files (default: every built-in).")
        var profiles: [String] = []

        @Flag(help: "Print JSON instead of a Markdown table.")
        var json = false

        struct Row: Encodable {
            var profile: String
            var rule: String
            var follows: Bool
            var reason: String
        }

        func run() throws {
            let chosen = profiles.isEmpty ? PlatformProfile.builtIns : try resolvePlatforms(profiles)
            guard json else { return print(ComplianceRule.markdownTable(chosen), terminator: "") }
            let rows = chosen.flatMap { profile in
                profile.compliance.map { Row(profile: profile.name, rule: $0.rule.rawValue, follows: $0.follows, reason: $0.reason) }
            }
            try reportingErrors { print(try jsonText(rows)) }
        }
    }
}
