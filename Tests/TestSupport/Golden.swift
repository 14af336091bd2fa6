import Foundation
import Testing

/// Golden files: the one way tests compare output with a file kept in the repository.
public enum Golden {
    /// Whether this run re-records golden files (`RECORD_SNAPSHOTS=1` in the environment).
    public static var recording: Bool { ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] != nil }

    /// Compares `actual` with the golden file at `path`. When recording, writes `actual` there
    /// instead and fails the test, so that a recording run never passes by itself (as
    /// swift-argument-parser's own golden helper does): rerun without `RECORD_SNAPSHOTS` to check.
    public static func expect(_ actual: String, matches path: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let name = URL(fileURLWithPath: path).lastPathComponent
        if recording {
            try actual.write(toFile: path, atomically: true, encoding: .utf8)
            Issue.record("recorded \(name); rerun without RECORD_SNAPSHOTS to check it", sourceLocation: sourceLocation)
            return
        }
        guard let expected = try? String(contentsOfFile: path, encoding: .utf8) else {
            Issue.record("golden file \(name) is missing; run with RECORD_SNAPSHOTS=1 to record it", sourceLocation: sourceLocation)
            return
        }
        #expect(actual == expected, "differs from \(name); rerun with RECORD_SNAPSHOTS=1 to re-record", sourceLocation: sourceLocation)
    }
}
