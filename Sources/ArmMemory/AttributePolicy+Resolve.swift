import Diagnostics

extension AttributePolicy {
    /// What `resolve` accepts, for messages.
    public static var resourceKind: ResourceKind {
        ResourceKind(noun: "an attribute policy", fileNoun: "policy file", builtInNames: builtIns.map(\.name) + ["linux-VERSION[:cpu=LIST][:kvm-cap=sea-to-user]"])
    }

    /// The built-in policy with this name (case-insensitive), a kernel policy (`linux-6.9`,
    /// ``KernelPolicy/parse(_:)``), else the policy in the file at this path (see
    /// ``Resolution/resolve(_:kind:builtIn:load:)``).
    public static func resolve(_ nameOrPath: String) throws(ResolutionError) -> AttributePolicy {
        switch KernelPolicy.parse(nameOrPath) {
        case .success(let kernel): return .kernel(kernel)
        case .failure(let error): throw ResolutionError(argument: nameOrPath, kind: resourceKind, failure: .invalidName(error.message))
        case nil: break
        }
        return try Resolution.resolve(nameOrPath, kind: resourceKind, builtIn: builtIn(named:)) { text, file throws(InputError) in
            try load(yaml: text, file: file)
        }
    }
}
