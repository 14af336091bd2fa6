import ArgumentParser
import ArmMemory
import DeviceModels
import Foundation
import Platforms
import Yams

struct Profiles: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the built-in attribute policies, platform profiles and device models.",
        discussion: """
            Examples:
              mmio-replay profiles list --json
              mmio-replay profiles show ras-sbsa
              mmio-replay profiles compliance --format json
            """,
        subcommands: [List.self, Show.self, Compliance.self],
        defaultSubcommand: List.self
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the built-in attribute policies, platform profiles and device models, one line each.",
            discussion: """
                JSON (--format json or --json): policies, platforms and device models, each with its name
                and summary.

                Examples:
                  mmio-replay profiles list
                  mmio-replay profiles list --format json
                """
        )

        @OptionGroup var output: OutputOptions<DataFormat>

        struct Entry: Encodable {
            var name: String
            var summary: String
        }

        func run() throws {
            if output.isJSON {
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
                JSON (--format json or --json): the same fields, as an object.

                Examples:
                  mmio-replay profiles show ras-sbsa
                  mmio-replay profiles show my-platform.yaml --json
                """
        )

        /// The formats of a profile.
        enum Format: String, OutputFormat {
            case yaml, json
            static var standard: Format { .yaml }
        }

        @Argument(help: "A built-in platform profile name or a profile YAML file.", completion: .custom(platformCompletions))
        var profile: String

        @OptionGroup var output: OutputOptions<Format>

        func run() throws {
            let yaml = try resolvePlatforms([profile])[0].yaml
            try reportingErrors {
                guard output.isJSON else { return print(yaml, terminator: "") }
                print(try jsonText(try Yams.compose(yaml: yaml).map(YAMLAsJSON.init)))
            }
        }
    }

    struct Compliance: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Which Arm BSA/SBSA compliance rules each platform profile follows, and why (docs/platforms.md, Compliance).",
            discussion: """
                Examples:
                  mmio-replay profiles compliance
                  mmio-replay profiles compliance my-platform.yaml --json
                """
        )

        /// The formats of the compliance table.
        enum Format: String, OutputFormat {
            /// A Markdown table: one row per rule, one column per profile.
            case md
            /// One object per (profile, rule).
            case json
            static var standard: Format { .md }
        }

        @Argument(help: "Platform profile names or YAML files (default: every built-in).", completion: .custom(platformCompletions))
        var profiles: [String] = []

        @OptionGroup var output: OutputOptions<Format>

        struct Row: Encodable {
            var profile: String
            var rule: String
            var follows: Bool
            var reason: String
        }

        func run() throws {
            let chosen = profiles.isEmpty ? PlatformProfile.builtIns : try resolvePlatforms(profiles)
            let rows = chosen.flatMap { profile in
                profile.compliance.map { Row(profile: profile.name, rule: $0.rule.rawValue, follows: $0.follows, reason: $0.reason) }
            }
            try reportingErrors { try output.print(rows) { ComplianceRule.markdownTable(chosen) } }
        }
    }
}

/// A YAML document as JSON: mappings as objects, sequences as arrays, scalars as YAML's core
/// schema resolves them (null, booleans, integers, numbers, else strings).
private struct YAMLAsJSON: Encodable {
    let node: Node

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: any Encoder) throws {
        switch node {
        case .mapping(let mapping):
            var container = encoder.container(keyedBy: Key.self)
            for (key, value) in mapping { try container.encode(YAMLAsJSON(node: value), forKey: Key(stringValue: key.string ?? "")) }
        case .sequence(let sequence):
            var container = encoder.unkeyedContainer()
            for value in sequence { try container.encode(YAMLAsJSON(node: value)) }
        case .scalar, .alias:
            var container = encoder.singleValueContainer()
            switch node.any {
            case let value as Bool: try container.encode(value)
            case let value as Int: try container.encode(value)
            case let value as Double: try container.encode(value)
            case is NSNull: try container.encodeNil()
            default: try container.encode(node.string)
            }
        }
    }
}
