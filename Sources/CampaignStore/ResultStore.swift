import Foundation
internal import GRDB
import Synchronization

/// Results handed to the store together: experiments, and experiments that gave no result.
public struct ResultBatch: Sendable {
    public var experiments: [ExperimentRecord]
    public var failures: [FailedExperimentRecord]

    public init(experiments: [ExperimentRecord], failures: [FailedExperimentRecord]) {
        self.experiments = experiments
        self.failures = failures
    }

    /// Whether it holds no result at all.
    public var isEmpty: Bool { experiments.isEmpty && failures.isEmpty }
}

/// The results database of a campaign, or of one shard of it: SQLite in WAL mode.
///
/// Every write is one transaction, so a killed run loses at most the batch it was writing.
/// Every listing is ordered by id, and nothing wall-clock is stored: identical results give
/// identical contents and exports.
public final class ResultStore: Sendable {
    /// The database file.
    public let path: String
    let pool: any DatabaseWriter
    /// Ids of the evidence steps this store has written (or found written), so that a campaign's
    /// recurring steps cost one insert each; forgotten when it would exceed `storedStepsLimit`.
    private let storedSteps = Mutex(Set<Int64>())
    /// Experiments handed to workers by a run of this process or one that stopped.
    private let journal: InFlightJournal
    private static let storedStepsLimit = 1 << 20

    /// Opens the database at `path`, creating it if missing, and creates or updates its schema.
    public init(path: String) throws {
        self.path = path
        journal = InFlightJournal(databasePath: path)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // WAL with synchronous=NORMAL: a commit survives the process being killed (the WAL is
            // written before it returns); only a power loss can take the last commits back.
            // A page cache large enough for the id index of a big campaign.
            try db.execute(sql: "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536")
        }
        copy = nil
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try Schema.migrator.migrate(pool)
        } catch let error as DatabaseError {
            throw StoreError("\(path): cannot open the database: \(error.message ?? "\(error)")")
        }
    }

    /// A private copy of a database that could not be opened where it is, removed on close.
    private let copy: String?

    /// Opens `path` read-only: for reading an archived database that cannot be written. SQLite
    /// needs to create the WAL index beside a database in WAL mode; where it cannot (a read-only
    /// file or directory), the database (and its WAL, if any) is read from a private copy.
    private init(readingOnly path: String) throws {
        self.path = path
        journal = InFlightJournal(databasePath: path)
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        do {
            if let queue = try? DatabaseQueue(path: path, configuration: configuration), (try? queue.read { try $0.tableExists("campaign") }) == true {
                pool = queue
                copy = nil
            } else {
                let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mmio-replay-\(UUID().uuidString)").path
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                let copied = directory + "/" + (path as NSString).lastPathComponent
                try FileManager.default.copyItem(atPath: path, toPath: copied)
                if FileManager.default.fileExists(atPath: path + "-wal") { try FileManager.default.copyItem(atPath: path + "-wal", toPath: copied + "-wal") }
                copy = directory
                pool = try DatabaseQueue(path: copied, configuration: configuration)
            }
            // A database of an earlier schema reads as it is (what it lacks reads as empty); one
            // of a later schema may hold what this version cannot read.
            guard try pool.read({ db in try Schema.migrator.appliedIdentifiers(db).isSubset(of: Schema.migrator.migrations) }) else {
                throw StoreError("\(path): written by another version of mmio-replay; open it once writable to update it")
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw StoreError("\(path): not a campaign database (expected a database written by a campaign run)")
        } catch let error as DatabaseError {
            throw StoreError("\(path): cannot open the database: \(error.message ?? "\(error)")")
        } catch let error as CocoaError {
            throw StoreError("\(path): cannot read the database: \(error.localizedDescription)")
        }
    }

    deinit {
        if let copy { try? FileManager.default.removeItem(atPath: copy) }
    }

    /// Opens an existing campaign database; fails with "no such database" when `path` names no
    /// file, and with "not a campaign database" when it holds no campaign (leaving it untouched).
    /// - Parameter readOnly: Open without ever writing (`status`, `export`, `compare`), so that
    ///   an archived, read-only database can be read.
    public static func openExisting(path: String, readOnly: Bool = false) throws -> ResultStore {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError("\(path): no such database", isMissing: true)
        }
        let notCampaign = StoreError("\(path): not a campaign database (expected a database written by a campaign run)")
        if readOnly {
            let store = try ResultStore(readingOnly: path)
            guard try store.reading({ db in try Self.holdsCampaign(db) }) else { throw notCampaign }
            return store
        }
        guard try holdsCampaign(path: path) else { throw notCampaign }
        return try ResultStore(path: path)
    }

    /// Whether the file at `path` is an SQLite database with a campaign row; read-only.
    private static func holdsCampaign(path: String) throws -> Bool {
        var configuration = Configuration()
        configuration.readonly = true
        do {
            return try DatabaseQueue(path: path, configuration: configuration).read(holdsCampaign)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            return false
        } catch let error as DatabaseError {
            throw StoreError("\(path): cannot open the database: \(error.message ?? "\(error)")")
        }
    }

    private static func holdsCampaign(_ db: Database) throws -> Bool {
        try db.tableExists("campaign") && (try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM campaign)") ?? false)
    }

    /// Binds the database to `campaign` and `shard`. The first call stores them; later calls
    /// (a resumed run) must give the same spec hash, engine version and shard.
    public func begin(_ campaign: CampaignInfo, shard: Shard) throws {
        guard shard.count >= 1, (1...shard.count).contains(shard.index) else {
            throw StoreError("\(path): invalid shard \(shard): expected I/N with 1 <= I <= N")
        }
        let given = CampaignRow(info: campaign, shard: shard, planned: nil)
        try writing { db in
            guard let stored = try CampaignRow.fetch(db) else {
                return try given.insert(db)
            }
            guard stored.info.isSameCampaign(as: campaign), stored.shard == shard else {
                throw StoreError("\(path) holds \(stored.summary), but this run is \(given.summary): use another --db")
            }
        }
    }

    /// Records how many experiments this database should end with.
    public func setPlanned(_ count: Int) throws {
        guard count >= 0 else {
            throw StoreError("\(path): invalid planned count \(count): expected 0 or more")
        }
        try writing { db in
            try db.execute(sql: "UPDATE campaign SET planned = ?", arguments: [count])
            guard db.changesCount == 1 else { throw notCampaign }
        }
    }

    /// The campaign and shard this database holds.
    public func campaign() throws -> (CampaignInfo, Shard) {
        try reading { db in
            guard let stored = try CampaignRow.fetch(db) else { throw notCampaign }
            return (stored.info, stored.shard)
        }
    }

    /// Ids of the experiments stored, with a result or failed, to skip them when resuming.
    public func experimentIDs() throws -> Set<String> {
        try reading { db in try String.fetchSet(db, sql: "SELECT id FROM experiments UNION SELECT id FROM failed_experiments") }
    }

    /// Notes experiments handed to a worker, before it starts them: a run that stops leaves
    /// them behind as suspects (see `suspects()`). Appended to the in-flight journal beside the
    /// database (`InFlightJournal`): it never waits for a transaction.
    public func markInFlight(_ ids: [String]) throws {
        try journal.append(ids)
    }

    /// Notes experiments whose results a run holds, not stored yet: if it stops before storing
    /// them, they are run again with the others, not as suspects.
    public func markFinished(_ ids: [String]) throws {
        try journal.append(ids, done: true)
    }

    /// Experiments a stopped run left in flight (started and not finished in the journal, or
    /// running alone), with no result stored, sorted by id; each with how many times the
    /// process stopped while it ran alone.
    public func suspects() throws -> [(id: String, aloneRuns: Int)] {
        let journaled = journal.running()
        return try reading { db in
            let alone = try Row.fetchAll(db, sql: "SELECT id, alone_runs FROM in_flight").map { (try $0.decode(atIndex: 0) as String, try $0.decode(atIndex: 1) as Int) }
            var runs = Dictionary(alone, uniquingKeysWith: max)
            for id in journaled where runs[id] == nil { runs[id] = 0 }
            let stored = try db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM experiments WHERE id = ?1) OR EXISTS (SELECT 1 FROM failed_experiments WHERE id = ?1)")
            return try runs.filter { id, _ in try !(Bool.fetchOne(stored, arguments: [id]) ?? false) }
                .map { (id: $0.key, aloneRuns: $0.value) }.sorted { $0.id < $1.id }
        }
    }

    /// Forgets the experiments marked in flight, once a run has stored a result for each.
    public func settleInFlight() throws {
        try journal.remove()
    }

    /// Counts one more run of a suspect alone, before it starts.
    public func markRunningAlone(_ id: String) throws {
        try writing { db in
            try db.execute(sql: """
                INSERT INTO in_flight (id, alone_runs) VALUES (?, 1)
                ON CONFLICT (id) DO UPDATE SET alone_runs = alone_runs + 1
                """, arguments: [id])
        }
    }

    /// Ids of the golden runs stored, to skip them when resuming.
    public func goldenIDs() throws -> Set<String> {
        try reading { db in try String.fetchSet(db, sql: "SELECT id FROM golden_runs") }
    }

    /// Stores golden runs in one transaction; see `insert(experiments:)`.
    public func insert(goldens: [GoldenRecord]) throws {
        try insert(goldens)
    }

    /// Stores experiments in one transaction: all or nothing. A row whose id is already stored
    /// is skipped if identical; if it differs, nothing is stored and a `StoreError` names the
    /// differing columns (the engine changed without a version bump).
    /// Failed experiments are stored in the same transaction; every id stored stops being in
    /// flight.
    public func insert(experiments: [ExperimentRecord], failures: [FailedExperimentRecord] = []) throws {
        try insert(batches: [ResultBatch(experiments: experiments, failures: failures)])
    }

    /// Stores several batches of results in one transaction, as ``insert(experiments:failures:)``
    /// would their concatenation, without copying a record.
    public func insert(batches: [ResultBatch]) throws {
        guard batches.contains(where: { !$0.isEmpty }) else { return }
        let newSteps = try writing { db in
            var newSteps = Set<Int64>()
            for batch in batches { try insertSteps(of: batch.experiments, db, into: &newSteps) }
            for batch in batches {
                try insert(batch.experiments, db)
                try insert(batch.failures, db)
            }
            // Only suspects run alone are in the table (others are in the journal): usually none.
            if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM in_flight)") == true {
                let landed = try db.cachedStatement(sql: "DELETE FROM in_flight WHERE id = ?")
                for batch in batches {
                    for i in batch.experiments.indices { try landed.executeBound(batch.experiments[i].id, in: db) }
                    for i in batch.failures.indices { try landed.executeBound(batch.failures[i].id, in: db) }
                }
            }
            return newSteps
        }
        storedSteps.withLock { stored in
            if stored.count + newSteps.count > Self.storedStepsLimit { stored.removeAll(keepingCapacity: true) }
            stored.formUnion(newSteps)
        }
    }

    /// Stores the evidence steps of `experiments` that this store has not stored yet, and adds
    /// their ids to `new` (to be remembered once the transaction commits). Reads records and
    /// steps in place: a copy would retain every text they hold.
    private func insertSteps(of experiments: [ExperimentRecord], _ db: Database, into new: inout Set<Int64>) throws {
        let stored = storedSteps.withLock { $0 }
        do {
            for e in experiments.indices {
                for s in experiments[e].evidence.indices {
                    let id = experiments[e].evidence[s].id
                    if !stored.contains(id), new.insert(id).inserted { try StoredEvidence.insert(experiments[e].evidence[s], db) }
                }
            }
        } catch let error as StoreError {
            throw StoreError("\(path): \(error.description)")
        }
    }

    /// Experiments that gave no result, sorted by id.
    public func failures() throws -> [FailedExperimentRecord] {
        try reading { db in try db.tableExists(FailedExperimentRecord.table) } ? try fetchAll() : []
    }

    /// Golden runs, sorted by id. Those of a schema-v2 database opened read-only (no `hazards`
    /// column) read as hazard-free, as the migration would make them.
    public func goldens() throws -> [GoldenRecord] {
        try reading { db in
            let hasHazards = try db.columns(in: GoldenRecord.table).contains { $0.name == "hazards" }
            let columns = GoldenRecord.columns.map { $0 == "hazards" && !hasHazards ? "'{}'" : $0 }
            let sql = "SELECT \(columns.joined(separator: ", ")) FROM \(GoldenRecord.table) ORDER BY id"
            let evidence = try EvidenceReader(db)
            return try Array(Row.fetchCursor(db, sql: sql).map { try GoldenRecord(row: $0, evidence: evidence) })
        }
    }

    /// Experiments, sorted by id.
    public func experiments() throws -> [ExperimentRecord] {
        try fetchAll()
    }

    /// The experiment with this id, if stored.
    public func experiment(id: String) throws -> ExperimentRecord? {
        try reading { db in
            let evidence = try EvidenceReader(db)
            return try Row.fetchOne(db, sql: "\(ExperimentRecord.selectSQL) WHERE id = ?", arguments: [id]).map { try ExperimentRecord(row: $0, evidence: evidence) }
        }
    }

    private func insert<Record: StoredRecord>(_ records: [Record]) throws {
        guard !records.isEmpty else { return }
        try writing { db in try insert(records, db) }
    }

    private func insert<Record: StoredRecord>(_ records: [Record], _ db: Database) throws {
        let statement = try db.cachedStatement(sql: Record.insertSQL)
        // Read in place: a record bound to a variable, or read from the array into the binding
        // closure, would be copied, retaining every text it holds.
        try records.withUnsafeBufferPointer { records in
            for i in records.indices {
                do {
                    try statement.executeBound(in: db) { records[i].encode(into: &$0) }
                } catch let error as DatabaseError {
                    throw StoreError("\(path): cannot store \(Record.noun) \(records[i].id): \(error.message ?? "\(error)")")
                }
                if db.changesCount == 0 {
                    try requireStored(records[i], db)
                }
            }
        }
    }

    /// Fails unless the stored row with `record`'s id holds exactly its values.
    private func requireStored<Record: StoredRecord>(_ record: Record, _ db: Database) throws {
        let values = record.databaseValues
        let statement = try db.cachedStatement(sql: "\(Record.selectSQL) WHERE id = ?")
        guard let stored = try Row.fetchOne(statement, arguments: [record.id]) else { return }
        let differing = zip(Record.columns, zip(stored.databaseValues, values)).filter { $1.0 != $1.1 }.map(\.0)
        guard differing.isEmpty else {
            throw StoreError(
                "\(path): \(Record.noun) \(record.id) is already stored with a different \(differing.joined(separator: ", ")): "
                    + "the engine changed without a version bump"
            )
        }
    }

    private func fetchAll<Record: StoredRecord>() throws -> [Record] {
        try reading { db in
            let evidence = try EvidenceReader(db)
            return try Array(Row.fetchCursor(db, sql: "\(Record.selectSQL) ORDER BY id").map { try Record(row: $0, evidence: evidence) })
        }
    }

    var notCampaign: StoreError {
        StoreError("\(path): not a campaign database (no campaign recorded: begin was never called)")
    }

    /// Runs `body` in a read transaction, with database errors as `StoreError`s naming the file.
    func reading<T>(_ body: (Database) throws -> T) throws -> T {
        try translatingErrors { try pool.read(body) }
    }

    /// Runs `body` in a write transaction (rolled back if it throws), with database errors as
    /// `StoreError`s naming the file.
    func writing<T>(_ body: (Database) throws -> T) throws -> T {
        try translatingErrors { try pool.write(body) }
    }

    func translatingErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            throw StoreError("\(path): \(error.message ?? "\(error)")")
        }
    }
}
