import Diagnostics

extension PlatformProfile {
    /// What `resolve` accepts, for messages.
    public static var resourceKind: ResourceKind {
        ResourceKind(noun: "a platform profile", fileNoun: "profile file", builtInNames: builtIns.map(\.name))
    }

    /// The built-in profile with this name (case-insensitive), else the profile in the file at this
    /// path (see ``Resolution/resolve(_:kind:builtIn:load:)``).
    public static func resolve(_ nameOrPath: String) throws(ResolutionError) -> PlatformProfile {
        try Resolution.resolve(nameOrPath, kind: resourceKind, builtIn: builtIn(named:)) { text, file throws(InputError) in
            try load(yaml: text, file: file)
        }
    }
}
