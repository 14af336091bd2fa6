import Diagnostics

extension AttributePolicy {
    /// What `resolve` accepts, for messages.
    public static var resourceKind: ResourceKind {
        ResourceKind(noun: "an attribute policy", fileNoun: "policy file", builtInNames: builtIns.map(\.name))
    }

    /// The built-in policy with this name (case-insensitive), else the policy in the file at this
    /// path (see ``Resolution/resolve(_:kind:builtIn:load:)``).
    public static func resolve(_ nameOrPath: String) throws(ResolutionError) -> AttributePolicy {
        try Resolution.resolve(nameOrPath, kind: resourceKind, builtIn: builtIn(named:)) { text, file throws(InputError) in
            try load(yaml: text, file: file)
        }
    }
}
