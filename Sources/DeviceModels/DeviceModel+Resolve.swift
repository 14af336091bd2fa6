import Diagnostics
import Foundation

/// Why a model argument could not be turned into a model. The cases map to sysexits as
/// `PolicyResolutionError`'s do: unknown name 64, missing or unreadable file 66, bad file 65.
public enum ModelResolutionError: Error, Hashable, Sendable {
    /// Neither a built-in name nor a path; `suggestion` is the closest built-in name.
    case unknownName(String, suggestion: String?)
    /// A path-like argument naming no file.
    case missingFile(path: String)
    /// A file that exists but cannot be read as UTF-8 text.
    case unreadableFile(path: String, reason: String)
    /// A model file with an error in it.
    case invalidFile(InputError)
}

extension ModelResolutionError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .unknownName(let name, let suggestion):
            let names = DeviceModel.builtIns.map(\.name).joined(separator: ", ")
            return "expected a device model (\(names)) or the path of a model file, found \(InputError.quote(name))"
                + (suggestion.map { "; did you mean '\($0)'?" } ?? "")
        case .missingFile(let path): return "\(path): no such device model file"
        case .unreadableFile(let path, let reason): return "\(path): cannot read device model file: \(reason)"
        case .invalidFile(let error): return error.description
        }
    }
}

extension DeviceModel {
    /// The built-in model with this name (case-insensitive), else the model in the file at this
    /// path.
    ///
    /// An argument that names no built-in and no existing file is a missing file if it looks like
    /// a path (contains `/` or ends in `.yaml` or `.yml`), else an unknown name with the closest
    /// built-in name suggested.
    public static func resolve(_ nameOrPath: String) throws(ModelResolutionError) -> DeviceModel {
        if let model = builtIn(named: nameOrPath) { return model }
        guard FileManager.default.fileExists(atPath: nameOrPath) else {
            if nameOrPath.contains("/") || nameOrPath.hasSuffix(".yaml") || nameOrPath.hasSuffix(".yml") {
                throw .missingFile(path: nameOrPath)
            }
            throw .unknownName(nameOrPath, suggestion: Suggestion.closest(to: nameOrPath, among: builtIns.map(\.name)))
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: nameOrPath))
        } catch {
            throw .unreadableFile(path: nameOrPath, reason: error.localizedDescription)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .unreadableFile(path: nameOrPath, reason: "not UTF-8 text")
        }
        do {
            return try load(yaml: text, file: nameOrPath)
        } catch {
            throw .invalidFile(error)
        }
    }
}
