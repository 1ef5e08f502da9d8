import GRDB
import TreatyModel
import TreatySync

/// The tables sync keeps beside the records.
///
/// - `sync_origin`: a local number for each office id seen, so the other tables stay small.
/// - `sync_log`: every change set held, this office's and others', exactly as signed; `applied` is 0 while
///   one is held back, with the reason in `held`. A rowid table with the envelope last: a WITHOUT ROWID table
///   keeps whole rows as B-tree keys, and SQLite read a 60 MB change set (100,000 records imported at once)
///   in full at each seek that passed it, which made every version-vector lookup cost a second.
/// - `sync_clock`: for each record row (column `''`) and each column written since the row was made, the
///   change set that last wrote it: its origin, sequence number and clock.
/// - `sync_conflict`: concurrent writes to a field that lost, with their value. Captured (it is synced) so
///   that settling a conflict, a delete of its rows, travels like any change.
/// - `sync_peer`: this office's network peers (local, not synced): where each is, the office id its key must
///   hash to, and how the last contact went.
enum SyncTables {
    static let migration = """
        CREATE TABLE sync_origin (n INTEGER PRIMARY KEY, office TEXT NOT NULL UNIQUE);
        CREATE TABLE sync_log (
            origin INTEGER NOT NULL REFERENCES sync_origin(n),
            seq INTEGER NOT NULL,
            clock INTEGER NOT NULL,
            user TEXT NOT NULL,
            applied INTEGER NOT NULL,
            held TEXT,
            envelope BLOB NOT NULL,
            PRIMARY KEY (origin, seq)
        );
        CREATE INDEX sync_log_held ON sync_log(applied) WHERE applied = 0;
        CREATE INDEX sync_log_order ON sync_log(clock, origin, seq);
        CREATE TABLE sync_clock (
            tbl TEXT NOT NULL,
            pk TEXT NOT NULL,
            col TEXT NOT NULL,
            origin INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            clock INTEGER NOT NULL,
            PRIMARY KEY (tbl, pk, col)
        ) WITHOUT ROWID;
        CREATE TABLE sync_conflict (
            tbl TEXT NOT NULL,
            pk TEXT NOT NULL,
            col TEXT NOT NULL,
            origin TEXT NOT NULL,
            seq INTEGER NOT NULL,
            clock INTEGER NOT NULL,
            value,
            PRIMARY KEY (tbl, pk, col, origin, seq)
        );
        CREATE TABLE sync_peer (
            name TEXT PRIMARY KEY NOT NULL,
            address TEXT NOT NULL,
            office TEXT NOT NULL,
            added_at TEXT NOT NULL,
            last_seen TEXT,
            last_sync TEXT,
            last_error TEXT,
            vector TEXT
        );
        """

    /// The tables a change set carries: the records, and conflicts (so settling one syncs).
    static let captured: Set<String> = Set(RecordKind.allCases.map(\.rawValue)).union(["sync_conflict"])

    /// Columns whose concurrent writes merge silently (last writer wins) instead of being kept as conflicts:
    /// provenance changes with every edit.
    static let silentColumns: Set<String> = Set(Provenance.keys)

    /// The number this database uses for an office id, made on first sight.
    static func originNumber(_ db: Database, _ office: String) throws -> Int64 {
        if let n = try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT n FROM sync_origin WHERE office = ?"), arguments: [office])
        {
            return n
        }
        try db.cachedStatement(sql: "INSERT INTO sync_origin (office) VALUES (?)").execute(arguments: [office])
        return db.lastInsertedRowID
    }

    /// What this office holds from each origin: the highest applied sequence number. One index lookup per
    /// origin (applied change sets of an origin are contiguous from 1; held ones sit above them).
    static func vector(_ db: Database) throws -> VersionVector {
        var vector = VersionVector()
        let rows = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT o.office,
                        (SELECT l.seq FROM sync_log l WHERE l.origin = o.n AND l.applied = 1 ORDER BY l.seq DESC LIMIT 1)
                    FROM sync_origin o
                    """))
        for row in rows {
            if let seq = row[1] as Int64? { vector[row[0] as String] = UInt64(seq) }
        }
        return vector
    }

    /// Appends a change set to the log: this office's own (applied as it is made) or one received (held until
    /// ``Merge`` applies it).
    static func log(_ db: Database, _ envelope: ChangeSetEnvelope, origin: Int64, applied: Bool) throws {
        try db.cachedStatement(
            sql: "INSERT INTO sync_log (origin, seq, clock, user, envelope, applied) VALUES (?, ?, ?, ?, ?, ?)"
        ).execute(
            arguments: [
                origin, Int64(envelope.seq), Int64(bitPattern: envelope.clock), envelope.user, envelope.encoded, applied,
            ])
    }

    /// The last clock stamp this office made or saw.
    static func lastClock(_ db: Database) throws -> UInt64 {
        try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM treaty_meta WHERE key = 'hlc'")).flatMap { UInt64($0) } ?? 0
    }

    static func setLastClock(_ db: Database, _ stamp: UInt64) throws {
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO treaty_meta (key, value) VALUES ('hlc', ?)")
            .execute(arguments: [String(stamp)])
    }
}
