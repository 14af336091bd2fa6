import Foundation
import Testing

/// Compares `actual` with the golden file `name` under Fixtures; with `RECORD_SNAPSHOTS=1` in the
/// environment, rewrites the golden file instead.
func expectMatchesGolden(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let path = Fixtures.path(name)
    if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] != nil {
        try actual.write(toFile: path, atomically: true, encoding: .utf8)
        return
    }
    let expected = try String(contentsOfFile: path, encoding: .utf8)
    #expect(actual == expected, "differs from \(name); rerun with RECORD_SNAPSHOTS=1 to re-record", sourceLocation: sourceLocation)
}
