import GRDB
import TreatyModel

/// The versioned migrations that run when a store opens.
///
/// Migrations only grow, and a released one is never edited: each is SQL text that no later change to ``Schema``
/// alters. A record schema version (``Schema/version``) is the migrations up to its last one
/// (``lastMigration``); a test checks that the migrated tables and ``RecordLayout`` agree at every version.
enum Migrations {
    static let names = [
        "v1-records", "v2-search", "v3-change-log", "v4-sync", "v5-sync-held", "v6-lean-storage", "v7-office-admissions",
        "v8-change-clock", "v9-schema-2", "v10-lean-history",
    ]

    /// The migrations that lay out the record tables of a record schema version after 1 (which `v1-records` lays
    /// out): a database of an older version runs every other migration, so this build's local tables (history,
    /// sync bookkeeping) are the same at every version, and only the records differ.
    static let recordSchemaMigrations = [2: "v9-schema-2"]

    /// The migrations of a database of record schema `version`. GRDB runs what is not applied yet in the order
    /// registered, so one upgraded to a later version later runs that version's migration then.
    static func migrator(schema version: Int) -> DatabaseMigrator {
        migrator(skipping: Set(recordSchemaMigrations.filter { $0.key > version }.values))
    }

    /// The migrations up to `last` (all of them by default), as a build that ended there ran them.
    static func migrator(upTo last: String? = nil, skipping: Set<String> = []) -> DatabaseMigrator {
        var migrator = Registry(skipping: skipping)
        migrator.registerMigration("v1-records") { db in
            try db.execute(sql: v1Records)
        }
        guard last != "v1-records" else { return migrator.migrator }
        migrator.registerMigration("v2-search") { db in
            // Local and derived: every record's id and kind (for short ids and prefixes) and the search index.
            try db.execute(
                sql: """
                    CREATE TABLE record_index (
                        seq INTEGER PRIMARY KEY,
                        id TEXT NOT NULL UNIQUE,
                        kind TEXT NOT NULL
                    );
                    CREATE VIRTUAL TABLE search_fts USING fts5(
                        kind UNINDEXED, id UNINDEXED, text, phonetic,
                        tokenize = 'unicode61 remove_diacritics 2'
                    );
                    """)
            // The kinds of record schema 1, in its order.
            let kinds = [
                "office", "actor", "person", "name", "membership", "agreement", "party", "provision_type", "provision",
                "lifecycle_event", "relation", "event", "source", "statement", "about", "prediction",
                "prediction_party", "prediction_provision",
            ]
            for kind in kinds {
                try db.execute(sql: "INSERT INTO record_index (id, kind) SELECT id, ? FROM \"\(kind)\"", arguments: [kind])
            }
            // The index is filled by v6-lean-storage, which lays it out anew.
        }
        migrator.registerMigration("v3-change-log") { db in
            // Local history: each change with who, when, from which office, and the fields before and after.
            try db.execute(
                sql: """
                    CREATE TABLE change_log (
                        seq INTEGER PRIMARY KEY,
                        at TEXT NOT NULL,
                        office TEXT NOT NULL,
                        user TEXT NOT NULL,
                        record_id TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        operation TEXT NOT NULL,
                        before TEXT,
                        after TEXT
                    );
                    CREATE INDEX change_log_at ON change_log(at);
                    CREATE INDEX change_log_record ON change_log(record_id);
                    """)
        }
        migrator.registerMigration("v4-sync") { db in
            try db.execute(sql: SyncTables.migration)
        }
        guard last != "v4-sync" else { return migrator.migrator }
        migrator.registerMigration("v5-sync-held") { db in
            // Reads the held rows' small columns only: no envelope is loaded.
            try db.execute(sql: SyncTables.heldMigration)
        }
        guard last != "v5-sync-held" else { return migrator.migrator }
        migrator.registerMigration("v6-lean-storage") { db in
            // One copy of each text: a search index that keeps no copy of its documents, a change log whose
            // creations keep no copy of the record (see SearchIndex and ChangeLog), and change sets deflated.
            try db.execute(sql: "DROP TABLE search_fts")
            try db.execute(
                sql: """
                    CREATE VIRTUAL TABLE search_fts USING fts5(
                        text, phonetic, content = '', tokenize = 'unicode61 remove_diacritics 2'
                    )
                    """)
            try SearchIndex.rebuild(db)
            try db.execute(sql: "UPDATE change_log SET before = NULL, after = NULL WHERE operation = 'created'")
            // Change sets logged from now on are stored deflated when that is smaller (adding a column rewrites no row).
            try db.execute(sql: "ALTER TABLE sync_log ADD COLUMN deflated INTEGER NOT NULL DEFAULT 0")
        }
        migrator.registerMigration("v7-office-admissions") { db in
            // Offices admitted here by their id alone, until their first change set brings the key (this office's
            // own decision: not synced).
            try db.execute(
                sql: """
                    CREATE TABLE office_admission (
                        office TEXT PRIMARY KEY NOT NULL, name TEXT, user TEXT NOT NULL, at TEXT NOT NULL
                    )
                    """)
        }
        migrator.registerMigration("v8-change-clock") { db in
            // Each change's clock stamp (its change set's), so history reads in the order offices agree on; entries
            // from before have 0 and come first. The index answers "the newest N" without sorting the log.
            try db.execute(
                sql: """
                    ALTER TABLE change_log ADD COLUMN clock INTEGER NOT NULL DEFAULT 0;
                    CREATE INDEX change_log_clock ON change_log(clock);
                    """)
        }
        guard last != "v8-change-clock" else { return migrator.migrator }
        migrator.registerMigration("v9-schema-2") { db in
            // Record schema 2: where each step of an agreement's life happened. Appended after the provenance
            // columns (RecordLayout); old rows have none.
            try db.execute(sql: "ALTER TABLE lifecycle_event ADD COLUMN \"place\" TEXT")
            // The search index anew: words with ə also under their spelling with e, statements under their speaker's
            // name (SearchIndex).
            try SearchIndex.rebuild(db)
        }
        guard last != "v9-schema-2" else { return migrator.migrator }
        migrator.registerMigration("v10-lean-history") { db in
            // The history names an entry's office by its local number (`sync_origin.n`) and its record by its
            // `record_index.seq`, instead of a 64-digit office id and a text id (and kind) in every entry and in the
            // record index's keys: the entries were a sixth of a large database, and the index on text ids took each
            // entry of a bulk load at a random place (numbers in the order records were made take it at the end).
            // The last writer of each record and column (`sync_clock`) is keyed by the same number, for the same
            // reasons. And `treaty_meta`, whose clock every write sets, keeps its rows in its key (a rowid table with a
            // text key is two B-trees: two pages of each write's commit). Table rebuilds, as SQLite changes columns.
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO sync_origin (office) SELECT DISTINCT office FROM change_log;
                    INSERT OR IGNORE INTO record_index (id, kind) SELECT DISTINCT record_id, kind FROM change_log;
                    CREATE TABLE change_log_new (
                        seq INTEGER PRIMARY KEY,
                        at TEXT NOT NULL,
                        origin INTEGER NOT NULL REFERENCES sync_origin(n),
                        user TEXT NOT NULL,
                        record INTEGER NOT NULL REFERENCES record_index(seq),
                        operation TEXT NOT NULL,
                        clock INTEGER NOT NULL DEFAULT 0,
                        before TEXT,
                        after TEXT
                    );
                    INSERT INTO change_log_new (seq, at, origin, user, record, operation, clock, before, after)
                        SELECT c.seq, c.at, o.n, c.user, r.seq, c.operation, c.clock, c.before, c.after
                        FROM change_log c JOIN sync_origin o ON o.office = c.office JOIN record_index r ON r.id = c.record_id
                        ORDER BY c.seq;
                    DROP TABLE change_log;
                    ALTER TABLE change_log_new RENAME TO change_log;
                    CREATE INDEX change_log_at ON change_log(at);
                    CREATE INDEX change_log_record ON change_log(record);
                    CREATE INDEX change_log_clock ON change_log(clock);
                    INSERT OR IGNORE INTO record_index (id, kind) SELECT DISTINCT pk, tbl FROM sync_clock;
                    CREATE TABLE sync_clock_new (
                        record INTEGER NOT NULL,
                        col TEXT NOT NULL,
                        origin INTEGER NOT NULL,
                        seq INTEGER NOT NULL,
                        clock INTEGER NOT NULL,
                        PRIMARY KEY (record, col)
                    ) WITHOUT ROWID;
                    INSERT INTO sync_clock_new (record, col, origin, seq, clock)
                        SELECT r.seq, c.col, c.origin, c.seq, c.clock FROM sync_clock c JOIN record_index r ON r.id = c.pk;
                    DROP TABLE sync_clock;
                    ALTER TABLE sync_clock_new RENAME TO sync_clock;
                    CREATE TABLE treaty_meta_new (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID;
                    INSERT INTO treaty_meta_new (key, value) SELECT key, value FROM treaty_meta;
                    DROP TABLE treaty_meta;
                    ALTER TABLE treaty_meta_new RENAME TO treaty_meta;
                    """)
        }
        return migrator.migrator
    }

    /// A `DatabaseMigrator` that leaves out the migrations named in `skipping`.
    struct Registry {
        var migrator = DatabaseMigrator()
        let skipping: Set<String>

        init(skipping: Set<String>) { self.skipping = skipping }

        mutating func registerMigration(_ name: String, migrate: @escaping @Sendable (Database) throws -> Void) {
            guard !skipping.contains(name) else { return }
            migrator.registerMigration(name, migrate: migrate)
        }
    }
}
