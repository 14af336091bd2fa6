import Foundation
internal import GRDB

extension ResultStore {
    /// Writes every experiment, sorted by id, to `output` in `format`, streaming; identical
    /// data gives identical bytes. See `ExportFormat` for the layouts.
    public func export(_ format: ExportFormat, to output: FileHandle) throws {
        let sql = "\(ExperimentRecord.selectSQL) ORDER BY id"
        var buffer = ""
        func emit(_ text: String) throws {
            buffer += text
            if buffer.utf8.count >= 1 << 16 {
                try output.write(contentsOf: Data(buffer.utf8))
                buffer = ""
            }
        }
        try reading { db in
            let evidence = try EvidenceReader(db)
            let rows = try Row.fetchCursor(db, sql: sql).map { row in
                let id: String = (try? row.decode(atIndex: 0)) ?? "?"
                do {
                    return try ExperimentRecord(row: row, evidence: evidence)
                } catch {
                    throw StoreError("\(self.path): experiment \(id): \(error) (campaign status --check lists every damaged row)")
                }
            }
            switch format {
            case .csv:
                try emit(ExportText.csvHeader + "\n")
                while let experiment = try rows.next() {
                    try emit(ExportText.csvLine(experiment) + "\n")
                }
            case .json:
                // Most rows share most of their steps: each step's JSON is rendered once.
                var rendered: [Int64: String] = [:]
                var written = 0
                while let experiment = try rows.next() {
                    let evidence = experiment.evidence.map { step in
                        if let json = rendered[step.id] { return json }
                        if rendered.count >= 1 << 16 { rendered.removeAll(keepingCapacity: true) }
                        let json = step.jsonObject
                        rendered[step.id] = json
                        return json
                    }
                    try emit((written == 0 ? "[\n" : ",\n") + ExportText.jsonObject(experiment, evidence: "[" + evidence.joined(separator: ",") + "]"))
                    written += 1
                }
                try emit(written == 0 ? "[]\n" : "\n]\n")
            }
        }
        try output.write(contentsOf: Data(buffer.utf8))
    }
}
