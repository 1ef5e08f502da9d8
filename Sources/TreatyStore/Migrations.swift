import GRDB
import TreatyModel

/// The versioned migrations that run when a store opens.
///
/// Migrations only grow: a released one is never edited. `v1` lays out the record tables from
/// ``Schema`` as it stood at version 1; a later change to ``Schema`` comes with a migration of its own
/// (a test checks that the migrated tables and ``Schema`` agree).
enum Migrations {
    static let names = ["v1-records", "v2-search", "v3-change-log", "v4-sync", "v5-sync-held", "v6-lean-storage", "v7-office-admissions",
    ]

    static func migrator(upTo last: String? = nil) -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-records") { db in
            for kind in RecordKind.allCases {
                try db.execute(sql: createTableSQL(for: kind))
                for field in kind.fields where !field.referencedKinds.isEmpty {
                    try db.execute(
                        sql: "CREATE INDEX \"\(kind.rawValue)_\(field.name)\" ON \"\(kind.rawValue)\"(\"\(field.name)\")")
                }
            }
            try db.execute(sql: "CREATE TABLE treaty_meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL)")
        }
        guard last != "v1-records" else { return migrator }
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
            for kind in RecordKind.allCases {
                try db.execute(
                    sql: "INSERT INTO record_index (id, kind) SELECT id, ? FROM \"\(kind.rawValue)\"",
                    arguments: [kind.rawValue])
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
        guard last != "v4-sync" else { return migrator }
        migrator.registerMigration("v5-sync-held") { db in
            // Reads the held rows' small columns only: no envelope is loaded.
            try db.execute(sql: SyncTables.heldMigration)
        }
        guard last != "v5-sync-held" else { return migrator }
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
        return migrator
    }

    static func createTableSQL(for kind: RecordKind) -> String {
        var columns = ["id TEXT PRIMARY KEY NOT NULL"]
        for field in kind.fields {
            var column = "\"\(field.name)\" \(sqlType(field.type))"
            if field.required { column += " NOT NULL" }
            if case .reference(let kinds) = field.type, kinds.count == 1 {
                column += " REFERENCES \"\(kinds[0].rawValue)\"(id) DEFERRABLE INITIALLY DEFERRED"
            }
            columns.append(column)
        }
        columns += [
            "created_at TEXT NOT NULL", "created_office TEXT NOT NULL", "created_user TEXT NOT NULL",
            "updated_at TEXT NOT NULL", "updated_office TEXT NOT NULL", "updated_user TEXT NOT NULL",
            "version INTEGER NOT NULL", "deleted INTEGER NOT NULL DEFAULT 0",
        ]
        return "CREATE TABLE \"\(kind.rawValue)\" (\n    " + columns.joined(separator: ",\n    ") + "\n)"
    }

    static func sqlType(_ type: Field.ValueType) -> String {
        switch type {
        case .integer, .boolean: return "INTEGER"
        case .number: return "REAL"
        case .text, .date, .choice, .reference, .provisionType: return "TEXT"
        }
    }
}
