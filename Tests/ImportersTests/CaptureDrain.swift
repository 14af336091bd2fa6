import Importers
import MMIOTrace

/// What a consumer sees of a capture read to its end: topology, agent keys and side-file template,
/// events with their lines, warnings and the first error. The parallel tests compare it between
/// one parsing thread and several.
struct CaptureDrain: Equatable {
    var topology: Topology?
    var agentKeys: [String] = []
    var template = ""
    /// Whatever else the test reads from the reader once it is open (`note`).
    var note = ""
    var events: [TraceEvent] = []
    var lines: [Int] = []
    var error: String?
    var warnings: [String] = []
    var lastLine = 0

    init<Source: CaptureSource>(_ open: () throws -> Source, note: (Source) -> String = { _ in "" }) {
        let reader: Source
        do {
            reader = try open()
        } catch {
            self.error = "\(error)"
            return
        }
        topology = reader.topology
        agentKeys = reader.agentKeys
        template = reader.sideFileTemplate()
        self.note = note(reader)
        do {
            while let event = try reader.next() {
                events.append(event)
                lines.append(reader.line)
            }
            lastLine = reader.line
        } catch {
            self.error = "\(error)"
        }
        warnings = reader.warnings.map(\.description)
    }

    /// Where this drain first differs from `other`, for a short failure message; nil when equal.
    func difference(from other: CaptureDrain) -> String? {
        if let i = (0..<min(events.count, other.events.count)).first(where: { events[$0] != other.events[$0] || lines[$0] != other.lines[$0] }) {
            return "event \(i): \(events[i]) line \(lines[i]) vs \(other.events[i]) line \(other.lines[i])"
        }
        if events.count != other.events.count { return "\(events.count) vs \(other.events.count) events" }
        if error != other.error { return "error \(error ?? "none") vs \(other.error ?? "none")" }
        if let i = (0..<min(warnings.count, other.warnings.count)).first(where: { warnings[$0] != other.warnings[$0] }) {
            return "warning \(i): \(warnings[i]) vs \(other.warnings[i])"
        }
        if warnings.count != other.warnings.count { return "\(warnings.count) vs \(other.warnings.count) warnings" }
        if lastLine != other.lastLine { return "last line \(lastLine) vs \(other.lastLine)" }
        if topology != other.topology { return "topology \(String(describing: topology)) vs \(String(describing: other.topology))" }
        if agentKeys != other.agentKeys { return "agent keys \(agentKeys) vs \(other.agentKeys)" }
        if note != other.note { return "\(note) vs \(other.note)" }
        if template != other.template { return "side file templates differ" }
        return nil
    }
}
