import Foundation

/// Reads a small text input (a YAML file, a fault file, a witness): any readable stream, pipes and
/// process substitution included, at most ``limit`` bytes of UTF-8.
public enum InputText {
    /// The largest input read (16 MiB): far beyond any profile, model, side file or spec, and
    /// small enough that parsing it stays fast.
    public static let limit = 16 << 20

    public enum Failure: Error {
        /// The file cannot be opened or read.
        case unreadable(String)
        /// The bytes are not UTF-8, or there are too many: located where it goes wrong.
        case invalid(InputError)
    }

    /// The text of the file at `path`.
    public static func read(_ path: String) throws(Failure) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            let manager = FileManager.default
            throw .unreadable(!manager.fileExists(atPath: path) ? "no such file" : manager.isReadableFile(atPath: path) ? "cannot be opened" : "permission denied")
        }
        defer { try? handle.close() }
        var data = Data()
        do {
            while data.count <= limit, let chunk = try handle.read(upToCount: 1 << 16), !chunk.isEmpty { data.append(chunk) }
        } catch {
            throw .unreadable(error.localizedDescription)
        }
        if data.count > limit {
            throw .invalid(InputError(location(of: limit, in: data, file: path),
                                      "expected at most \(limit >> 20) MiB of text, found more (the file is cut here)"))
        }
        return try text(data, file: path)
    }

    /// `data` as UTF-8 text; an invalid byte is an error at its line and column.
    public static func text(_ data: Data, file: String) throws(Failure) -> String {
        if let text = String(validating: data, as: UTF8.self) { return text }
        let bytes = [UInt8](data)
        var index = 0
        while index < bytes.count {
            let length = sequenceLength(bytes, at: index)
            guard length > 0 else {
                throw .invalid(InputError(location(of: index, in: data, file: file), expected: "UTF-8 text",
                                          found: "byte 0x\(String(bytes[index], radix: 16))"))
            }
            index += length
        }
        throw .invalid(InputError(SourceLocation(file: file, line: 1, column: 1), expected: "UTF-8 text", found: "invalid UTF-8"))
    }

    /// The length of the valid UTF-8 sequence at `i`, or 0.
    private static func sequenceLength(_ b: [UInt8], at i: Int) -> Int {
        let lead = b[i]
        let (length, low, high): (Int, UInt8, UInt8) = switch lead {
        case 0x00...0x7f: (1, 0x80, 0xbf)
        case 0xc2...0xdf: (2, 0x80, 0xbf)
        case 0xe0: (3, 0xa0, 0xbf)
        case 0xe1...0xec, 0xee...0xef: (3, 0x80, 0xbf)
        case 0xed: (3, 0x80, 0x9f)
        case 0xf0: (4, 0x90, 0xbf)
        case 0xf1...0xf3: (4, 0x80, 0xbf)
        case 0xf4: (4, 0x80, 0x8f)
        default: (0, 0, 0)
        }
        guard length > 0, i + length <= b.count else { return 0 }
        for k in 1..<length {
            let (lo, hi) = k == 1 ? (low, high) : (UInt8(0x80), UInt8(0xbf))
            guard (lo...hi).contains(b[i + k]) else { return 0 }
        }
        return length
    }

    /// The line and column (in bytes, 1-based) of byte `offset`.
    private static func location(of offset: Int, in data: Data, file: String) -> SourceLocation {
        var line = 1
        var lineStart = 0
        for (i, byte) in data.prefix(offset).enumerated() where byte == 0x0a {
            line += 1
            lineStart = i + 1
        }
        return SourceLocation(file: file, line: line, column: offset - lineStart + 1)
    }
}
