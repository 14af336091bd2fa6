import Foundation
internal import GRDB
import Verdicts

/// A record type stored one per row, keyed by `id`: how its fields map to columns.
protocol StoredRecord: Hashable {
    /// The table, e.g. `experiments`.
    static var table: String { get }
    /// What one row is called in messages, e.g. `experiment`.
    static var noun: String { get }
    /// The columns, in the order of `encode(into:)`; `id` first.
    static var columns: [String] { get }
    var id: String { get }
    /// Gives the column values to `columns`, in the order of `columns`.
    func encode(into columns: inout some ColumnSink)
    /// Decodes a row whose columns are `columns`, in order; `evidence` reads evidence steps.
    init(row: Row, evidence: EvidenceReader) throws
}

extension StoredRecord {
    static var columnList: String { columns.joined(separator: ", ") }

    /// Inserts one row, doing nothing when its id is already stored.
    static var insertSQL: String {
        let placeholders = Array(repeating: "?", count: columns.count).joined(separator: ", ")
        return "INSERT INTO \(table) (\(columnList)) VALUES (\(placeholders)) ON CONFLICT (id) DO NOTHING"
    }

    static var selectSQL: String { "SELECT \(columnList) FROM \(table)" }

    /// The column values, in the order of `columns`.
    var databaseValues: [DatabaseValue] {
        var values = ValueList()
        encode(into: &values)
        return values.values
    }
}

/// Takes a record's column values one after the other: bound to a statement when stored
/// (``StatementBinder``), collected when compared (``ValueList``).
protocol ColumnSink {
    mutating func add(_ value: Int64)
    mutating func add(_ value: Double)
    mutating func add(_ value: String)
    mutating func addNull()
}

extension ColumnSink {
    mutating func add(_ value: Int) { add(Int64(value)) }
    mutating func add(_ value: Bool) { add(Int64(value ? 1 : 0)) }
    /// A `UInt64` as its 64-bit pattern, which SQLite's signed INTEGER holds exactly.
    mutating func add(bits value: UInt64) { add(Int64(bitPattern: value)) }
    mutating func add(bits value: UInt64?) {
        if let value { add(bits: value) } else { addNull() }
    }
}

/// Column values collected as `DatabaseValue`s.
struct ValueList: ColumnSink {
    var values: [DatabaseValue] = []
    mutating func add(_ value: Int64) { values.append(value.databaseValue) }
    mutating func add(_ value: Double) { values.append(value.databaseValue) }
    mutating func add(_ value: String) { values.append(value.databaseValue) }
    mutating func addNull() { values.append(.null) }
}

/// Decodes a row's columns one after the other, from the first.
struct ColumnReader {
    let row: Row
    private var index = 0

    init(_ row: Row) {
        self.row = row
    }

    mutating func next<Value: DatabaseValueConvertible>(_: Value.Type = Value.self) throws -> Value {
        defer { index += 1 }
        return try row.decode(atIndex: index)
    }

    /// The next column after passing over `count` columns.
    mutating func next<Value: DatabaseValueConvertible>(skipping count: Int) throws -> Value {
        index += count
        return try next()
    }
}

/// Verdicts as the database stores them: the `verdict` columns hold a verdict's name, the golden
/// runs' `verdicts` and `hazards` columns a JSON object from name to count (keys sorted). Written
/// and read back here only; a stored name that is no verdict (or hazard) is an error.
enum StoredVerdict {
    static func decode(_ name: String) throws -> Verdict {
        try StoredCounts.kind(named: name)
    }
}

/// Counts of verdicts or hazards as the golden runs' JSON columns store them.
enum StoredCounts {
    static func encode<Kind>(_ counts: KindCounts<Kind>) -> String {
        "{" + counts.nonZero.sorted { $0.kind.countName < $1.kind.countName }.map { "\"\($0.kind.countName)\":\($0.count)" }
            .joined(separator: ",") + "}"
    }

    static func decode<Kind>(_ text: String) throws -> KindCounts<Kind> {
        guard let object = try? JSONDecoder().decode([String: Int].self, from: Data(text.utf8)) else {
            throw StoreError("stored counts '\(text)' are not a JSON object of counts")
        }
        var counts = KindCounts<Kind>()
        for (name, count) in object { counts[try kind(named: name)] = count }
        return counts
    }

    static func kind<Kind: CountedKind>(named name: String) throws -> Kind {
        guard let kind = Kind.allCases.first(where: { $0.countName == name }) else {
            let noun = Kind.self == Verdict.self ? "verdict" : "hazard"
            throw StoreError("stored \(noun) '\(name)' is not a \(noun) (\(Kind.allCases.map(\.countName).joined(separator: ", ")))")
        }
        return kind
    }
}

extension GoldenRecord: StoredRecord {
    static let table = "golden_runs"
    static let noun = "golden run"
    static let columns = [
        "id", "trace", "trace_hash", "policy", "platform", "schedule", "seed", "events", "tlps", "link_bytes",
        "simulated_ns", "cpu_writes", "write_transactions", "write_combining_ratio", "verdicts", "hazards",
        "sites", "experiments",
    ]

    func encode(into c: inout some ColumnSink) {
        c.add(id)
        c.add(trace)
        c.add(traceHash)
        c.add(policy)
        c.add(platform)
        c.add(schedule)
        c.add(bits: seed)
        c.add(events)
        c.add(tlps)
        c.add(linkBytes)
        c.add(bits: simulatedNs)
        c.add(cpuWrites)
        c.add(writeTransactions)
        c.add(writeCombiningRatio)
        c.add(StoredCounts.encode(verdicts))
        c.add(StoredCounts.encode(hazards))
        c.add(sites)
        c.add(experiments)
    }

    init(row: Row, evidence _: EvidenceReader) throws {
        var reader = ColumnReader(row)
        self.init(
            id: try reader.next(),
            trace: try reader.next(),
            traceHash: try reader.next(),
            policy: try reader.next(),
            platform: try reader.next(),
            schedule: try reader.next(),
            seed: try reader.next(Int64?.self).map(UInt64.init(bitPattern:)),
            events: try reader.next(),
            tlps: try reader.next(),
            linkBytes: try reader.next(),
            simulatedNs: UInt64(bitPattern: try reader.next(Int64.self)),
            cpuWrites: try reader.next(),
            writeTransactions: try reader.next(),
            writeCombiningRatio: try reader.next(),
            verdicts: try StoredCounts.decode(reader.next()),
            hazards: try StoredCounts.decode(reader.next()),
            sites: try reader.next(),
            experiments: try reader.next()
        )
    }
}

extension ExperimentRecord: StoredRecord {
    static let table = "experiments"
    static let noun = "experiment"
    static let columns = [
        "id", "golden", "trace", "policy", "platform", "schedule", "seed", "fault", "kind", "verdict",
        "contained", "chain", "evidence", "tlps", "link_bytes", "simulated_ns", "steps", "stopped_early",
        "weight", "members",
    ]

    func encode(into c: inout some ColumnSink) {
        c.add(id)
        c.add(golden)
        c.add(trace)
        c.add(policy)
        c.add(platform)
        c.add(schedule)
        c.add(bits: seed)
        c.add(fault)
        c.add(kind)
        c.add(verdict.name)
        c.add(contained)
        c.add(chain)
        c.add(evidence.idList)
        c.add(tlps)
        c.add(linkBytes)
        c.add(bits: simulatedNs)
        c.add(steps)
        c.add(stoppedEarly)
        c.add(weight)
        c.add(members)
    }

    init(row: Row, evidence: EvidenceReader) throws {
        var reader = ColumnReader(row)
        self.init(
            id: try reader.next(),
            golden: try reader.next(),
            trace: try reader.next(),
            policy: try reader.next(),
            platform: try reader.next(),
            schedule: try reader.next(),
            seed: try reader.next(Int64?.self).map(UInt64.init(bitPattern:)),
            fault: try reader.next(),
            kind: try reader.next(),
            verdict: try StoredVerdict.decode(reader.next()),
            chain: try reader.next(skipping: 1),  // `contained`: derived from the verdict
            evidence: try evidence.steps(reader.next()),
            tlps: try reader.next(),
            linkBytes: try reader.next(),
            simulatedNs: UInt64(bitPattern: try reader.next(Int64.self)),
            steps: try reader.next(),
            stoppedEarly: try reader.next(),
            weight: try reader.next(),
            members: try reader.next()
        )
    }
}

extension FailedExperimentRecord: StoredRecord {
    static let table = "failed_experiments"
    static let noun = "failed experiment"
    static let columns = ["id", "golden", "fault", "kind", "error"]

    func encode(into c: inout some ColumnSink) {
        c.add(id)
        c.add(golden)
        c.add(fault)
        c.add(kind)
        c.add(error)
    }

    init(row: Row, evidence _: EvidenceReader) throws {
        var reader = ColumnReader(row)
        self.init(id: try reader.next(), golden: try reader.next(), fault: try reader.next(), kind: try reader.next(), error: try reader.next())
    }
}

/// The `campaign` table's one row.
struct CampaignRow {
    var info: CampaignInfo
    var shard: Shard
    var planned: Int?

    static func fetch(_ db: Database) throws -> CampaignRow? {
        let sql = "SELECT name, spec_hash, spec, engine_version, shard_index, shard_count, planned FROM campaign"
        return try Row.fetchOne(db, sql: sql).map { row in
            CampaignRow(
                info: CampaignInfo(
                    name: try row.decode(forColumn: "name"),
                    specHash: try row.decode(forColumn: "spec_hash"),
                    spec: try row.decode(forColumn: "spec"),
                    engineVersion: try row.decode(forColumn: "engine_version")
                ),
                shard: Shard(index: try row.decode(forColumn: "shard_index"), count: try row.decode(forColumn: "shard_count")),
                planned: try row.decode(forColumn: "planned")
            )
        }
    }

    func insert(_ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO campaign (id, name, spec_hash, spec, engine_version, shard_index, shard_count, planned)
                VALUES (1, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [info.name, info.specHash, info.spec, info.engineVersion, shard.index, shard.count, planned]
        )
    }

    /// `campaign 'name' (spec hash H, engine V, shard I/N)`, for messages.
    var summary: String {
        "campaign '\(info.name)' (spec hash \(info.specHash), engine \(info.engineVersion), shard \(shard))"
    }
}
