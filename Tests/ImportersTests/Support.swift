import Foundation
import Importers
import MMIOTrace

/// The fixtures folder next to this file.
let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
/// The real captures bundled with the project (traces/captures, with their provenance).
let captures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("traces/captures")

/// Every event of a source, and the error that stopped it, if any.
func drain(_ source: any TraceEventSource) -> (events: [TraceEvent], error: (any Error)?) {
    var events: [TraceEvent] = []
    do {
        while let event = try source.next() { events.append(event) }
        return (events, nil)
    } catch {
        return (events, error)
    }
}

/// Reads a source to its end.
func readAll(_ source: any TraceEventSource) throws {
    while try source.next() != nil {}
}

/// The message of the error `body` throws, as printed (`file:line:column: error: message`).
func errorText(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch {
        return "\(error)"
    }
}

/// Writes `text` to a new temporary file and returns its path.
func temporaryFile(_ text: String, suffix: String = ".txt") throws -> String {
    let path = NSTemporaryDirectory() + "importers-\(UUID().uuidString)\(suffix)"
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

extension TraceEvent {
    var isRead: Bool { if case .read = kind { true } else { false } }
    var isWrite: Bool { if case .write = kind { true } else { false } }
    var markText: String? { if case .mark(let mark) = kind { mark.text } else { nil } }
    var access: MemoryAccess? {
        switch kind {
        case .read(let a), .write(let a): a
        default: nil
        }
    }
}
