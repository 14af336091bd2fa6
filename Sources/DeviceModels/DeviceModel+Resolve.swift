import Diagnostics

extension DeviceModel {
    /// What `resolve` accepts, for messages.
    public static var resourceKind: ResourceKind {
        ResourceKind(noun: "a device model", fileNoun: "model file", builtInNames: builtIns.map(\.name))
    }

    /// The built-in model with this name (case-insensitive), else the model in the file at this
    /// path (see ``Resolution/resolve(_:kind:builtIn:load:)``).
    public static func resolve(_ nameOrPath: String) throws(ResolutionError) -> DeviceModel {
        try Resolution.resolve(nameOrPath, kind: resourceKind, builtIn: builtIn(named:)) { text, file throws(InputError) in
            try load(yaml: text, file: file)
        }
    }
}
