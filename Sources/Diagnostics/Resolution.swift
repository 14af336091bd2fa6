import Foundation

/// What a command-line argument may name: a built-in by name, or a file. Used in messages.
public struct ResourceKind: Hashable, Sendable {
    /// With its article, e.g. `an attribute policy`.
    public var noun: String
    /// E.g. `policy file`.
    public var fileNoun: String
    /// The built-in names, in the order they are listed.
    public var builtInNames: [String]

    public init(noun: String, fileNoun: String, builtInNames: [String]) {
        self.noun = noun
        self.fileNoun = fileNoun
        self.builtInNames = builtInNames
    }
}

/// An argument that names neither a built-in nor a usable file.
///
/// The failures map to distinct exit codes (sysexits): an unknown name is a usage error (64),
/// a missing or unreadable file is missing input (66), a file with an error in it is bad
/// data (65).
public struct ResolutionError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Failure: Hashable, Sendable {
        /// Neither a built-in name nor a path; `suggestion` is the closest built-in name.
        case unknownName(suggestion: String?)
        /// A path-like argument naming no file.
        case missingFile
        /// A file that exists but cannot be read as UTF-8 text.
        case unreadableFile(reason: String)
        /// A file with an error in it.
        case invalidFile(InputError)
        /// A name of a built-in family (e.g. `linux-6.9`) that is wrong: what was expected.
        case invalidName(String)
    }

    public var argument: String
    public var kind: ResourceKind
    public var failure: Failure

    public init(argument: String, kind: ResourceKind, failure: Failure) {
        self.argument = argument
        self.kind = kind
        self.failure = failure
    }

    public var description: String {
        switch failure {
        case .unknownName(let suggestion):
            return "expected \(kind.noun) (\(kind.builtInNames.joined(separator: ", "))) or the path of a \(kind.fileNoun), found \(InputError.quote(argument))"
                + (suggestion.map { "; did you mean '\($0)'?" } ?? "")
        case .missingFile: return "\(argument): no such \(kind.fileNoun)"
        case .unreadableFile(let reason): return "\(argument): cannot read \(kind.fileNoun): \(reason)"
        case .invalidFile(let error): return error.description
        case .invalidName(let message): return message
        }
    }
}

/// Turns a name-or-path argument into a value: a built-in by name, else the file at that path.
public enum Resolution {
    /// The built-in `builtIn(argument)` returns, else `load` of the file at `argument`.
    ///
    /// An argument that names no built-in and no existing file is a missing file if it looks
    /// like a path (contains `/` or ends in `.yaml` or `.yml`), else an unknown name with the
    /// closest built-in name suggested.
    public static func resolve<Value>(_ argument: String, kind: ResourceKind, builtIn: (String) -> Value?,
                                      load: (_ text: String, _ file: String) throws(InputError) -> Value) throws(ResolutionError) -> Value {
        if let value = builtIn(argument) { return value }
        func failure(_ f: ResolutionError.Failure) -> ResolutionError { ResolutionError(argument: argument, kind: kind, failure: f) }
        guard FileManager.default.fileExists(atPath: argument) else {
            if argument.contains("/") || argument.hasSuffix(".yaml") || argument.hasSuffix(".yml") { throw failure(.missingFile) }
            throw failure(.unknownName(suggestion: Suggestion.closest(to: argument, among: kind.builtInNames)))
        }
        let text: String
        do {
            text = try InputText.read(argument)
        } catch {
            switch error {
            case .unreadable(let reason): throw failure(.unreadableFile(reason: reason))
            case .invalid(let error): throw failure(.invalidFile(error))
            }
        }
        do {
            return try load(text, argument)
        } catch {
            throw failure(.invalidFile(error))
        }
    }

    /// `load` of the file at `path`, for kinds with no built-ins: anything that names no file is
    /// a missing file, never an unknown name.
    public static func resolveFile<Value>(_ path: String, kind: ResourceKind,
                                          load: (_ text: String, _ file: String) throws(InputError) -> Value) throws(ResolutionError) -> Value {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ResolutionError(argument: path, kind: kind, failure: .missingFile)
        }
        return try resolve(path, kind: kind, builtIn: { _ in nil }, load: load)
    }
}
