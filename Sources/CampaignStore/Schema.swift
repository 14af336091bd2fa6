internal import GRDB

/// The database schema, as GRDB migrations.
///
/// Column names are snake_case. `UInt64` values (seeds, simulated nanoseconds) are stored as
/// their 64-bit pattern in an INTEGER column, so values of 2^63 and above read as negative in
/// `sqlite3` but round-trip exactly. Nothing wall-clock is stored.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: campaign, golden runs, experiments, merged shards") { db in
            // One row: the campaign and shard this database holds, and how many experiments
            // it should end with once known.
            try db.execute(sql: """
                CREATE TABLE campaign (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    name TEXT NOT NULL,
                    spec_hash TEXT NOT NULL,
                    spec TEXT NOT NULL,
                    engine_version TEXT NOT NULL,
                    shard_index INTEGER NOT NULL,
                    shard_count INTEGER NOT NULL,
                    planned INTEGER
                ) STRICT;

                CREATE TABLE golden_runs (
                    id TEXT PRIMARY KEY NOT NULL,
                    trace TEXT NOT NULL,
                    trace_hash TEXT NOT NULL,
                    policy TEXT NOT NULL,
                    platform TEXT NOT NULL,
                    schedule TEXT NOT NULL,
                    seed INTEGER,
                    events INTEGER NOT NULL,
                    tlps INTEGER NOT NULL,
                    link_bytes INTEGER NOT NULL,
                    simulated_ns INTEGER NOT NULL,
                    cpu_writes INTEGER NOT NULL,
                    write_transactions INTEGER NOT NULL,
                    write_combining_ratio REAL NOT NULL,
                    verdicts TEXT NOT NULL,
                    sites INTEGER NOT NULL,
                    experiments INTEGER NOT NULL
                ) STRICT;

                CREATE TABLE experiments (
                    id TEXT PRIMARY KEY NOT NULL,
                    golden TEXT NOT NULL,
                    trace TEXT NOT NULL,
                    policy TEXT NOT NULL,
                    platform TEXT NOT NULL,
                    schedule TEXT NOT NULL,
                    seed INTEGER,
                    fault TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    verdict TEXT NOT NULL,
                    contained INTEGER NOT NULL,
                    chain TEXT NOT NULL,
                    evidence TEXT NOT NULL CONSTRAINT evidence_is_json CHECK (json_valid(evidence)),
                    tlps INTEGER NOT NULL,
                    link_bytes INTEGER NOT NULL,
                    simulated_ns INTEGER NOT NULL,
                    steps INTEGER NOT NULL,
                    stopped_early INTEGER NOT NULL,
                    weight INTEGER NOT NULL,
                    members TEXT NOT NULL
                ) STRICT;
                CREATE INDEX experiments_golden ON experiments (golden);
                CREATE INDEX experiments_verdict ON experiments (verdict);

                -- In a merged database: every shard merged into it, with its planned count, so
                -- that merging more shards later still decides the campaign's planned count.
                CREATE TABLE merged_shards (
                    shard_index INTEGER NOT NULL,
                    shard_count INTEGER NOT NULL,
                    planned INTEGER,
                    PRIMARY KEY (shard_index, shard_count)
                ) STRICT;
                """)
        }
        migrator.registerMigration("v2: failed experiments, experiments in flight") { db in
            // Experiments that gave no result (see FailedExperimentRecord).
            try db.execute(sql: """
                CREATE TABLE failed_experiments (
                    id TEXT PRIMARY KEY NOT NULL,
                    golden TEXT NOT NULL,
                    fault TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    error TEXT NOT NULL
                ) STRICT;

                -- Suspects run alone, with the times the process stopped while one did
                -- (`alone_runs`); a row leaves with the suspect's result. (Experiments handed to
                -- workers are in the in-flight journal beside the database; rows that earlier
                -- versions left here for them are suspects all the same.)
                CREATE TABLE in_flight (
                    id TEXT PRIMARY KEY NOT NULL,
                    alone_runs INTEGER NOT NULL DEFAULT 0
                ) STRICT;
                """)
        }
        migrator.registerMigration("v3: golden runs' hazards") { db in
            // A JSON object from hazard kind to count, like `verdicts`; '{}' in rows written
            // before (their runs' hazards were not kept).
            try db.execute(sql: "ALTER TABLE golden_runs ADD COLUMN hazards TEXT NOT NULL DEFAULT '{}'")
        }
        migrator.registerMigration("v4: evidence steps stored once") { db in
            // `experiments.evidence` lists ids of `evidence_steps` (see StoredEvidence).
            try StoredEvidence.migrate(db)
        }
        return migrator
    }
}
