import CSQLite
import Foundation
import GRDB
import TreatyModel
import TreatySync

/// The tables sync keeps beside the records.
///
/// - `sync_origin`: a local number for each office id seen, so the other tables stay small.
/// - `sync_log`: every change set held, this office's and others', exactly as signed. A rowid table with the
///   envelope last: a WITHOUT ROWID table keeps whole rows as B-tree keys, and SQLite read a 60 MB change set
///   (100,000 records imported at once) in full at each seek that passed it, which made every version-vector
///   lookup cost a second. Its rows never change once written: an update rewrites the whole row, envelope
///   included (applying a 70 MB change set cost 130 MB of memory, twice, to flip one flag). Its `applied` and
///   `held` columns are unused since `v5-sync-held` (dropping them would rewrite every row of the log).
/// - `sync_held`: the change sets of the log that are held back, with why (none of an origin's sit below one of
///   its applied ones: an office's change sets apply in order).
/// - `sync_clock`: for each record row (column `''`) and each column written since the row was made, the
///   change set that last wrote it: its origin, sequence number and clock. Keyed by the record's
///   `record_index.seq` since `v10-lean-history` (created here with its table name and text id).
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

    static let heldMigration = """
        CREATE TABLE sync_held (
            origin INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            reason TEXT,
            PRIMARY KEY (origin, seq)
        ) WITHOUT ROWID;
        INSERT INTO sync_held (origin, seq, reason) SELECT origin, seq, held FROM sync_log WHERE applied = 0;
        DROP INDEX sync_log_held;
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

    /// What this office holds from each origin: the highest applied sequence number, the highest in the log below
    /// its lowest held one (a held one can wait for one that is not here at all). Two index lookups per origin.
    static func vector(_ db: Database) throws -> VersionVector {
        var vector = VersionVector()
        let rows = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT o.office, (
                        SELECT MAX(l.seq) FROM sync_log l WHERE l.origin = o.n AND l.seq < COALESCE(
                            (SELECT MIN(h.seq) FROM sync_held h WHERE h.origin = o.n), 9223372036854775807))
                    FROM sync_origin o
                    """))
        for row in rows {
            if let seq = row[1] as Int64?, seq > 0 { vector[row[0] as String] = UInt64(seq) }
        }
        return vector
    }

    /// Appends a change set to the log: this office's own (applied as it is made) or one received (held until
    /// ``Merge`` applies it and ``release(_:origin:seq:)`` says so). One over ``ChangeSetEnvelope/inlineLimit`` (a mapping of a file) is written into its
    /// row a piece at a time: binding it whole would have SQLite copy it into memory.
    /// One up to that size is stored deflated (when that is smaller): the log was a fifth of the database.
    static func log(_ db: Database, _ envelope: ChangeSetEnvelope, origin: Int64, applied: Bool) throws {
        let encoded = envelope.encoded
        let large = encoded.count > ChangeSetEnvelope.inlineLimit
        var deflated: Data?
        if !large {
            let packed = Zlib.deflate(encoded, level: deflateLevel)
            if !packed.isEmpty, packed.count < encoded.count { deflated = packed }
        }
        try db.cachedStatement(
            sql: "INSERT INTO sync_log (origin, seq, clock, user, applied, deflated, envelope) VALUES (?, ?, ?, ?, 1, ?, "
                + (large ? "zeroblob(?))" : "?)")
        ).execute(
            arguments: [
                origin, Int64(envelope.seq), Int64(bitPattern: envelope.clock), envelope.user, deflated != nil,
                large ? encoded.count.databaseValue : (deflated ?? encoded).databaseValue,
            ])
        let rowid = db.lastInsertedRowID
        if !applied {
            try db.cachedStatement(sql: "INSERT INTO sync_held (origin, seq) VALUES (?, ?)")
                .execute(arguments: [origin, Int64(envelope.seq)])
        }
        guard large else { return }
        try withBlob(db, rowid: rowid, writable: true) { blob in
            var start = encoded.startIndex
            while start < encoded.endIndex {
                let end = min(start + blobPiece, encoded.endIndex)
                let rc = encoded[start..<end].withUnsafeBytes {
                    sqlite3_blob_write(blob, $0.baseAddress, Int32($0.count), Int32(start - encoded.startIndex))
                }
                guard rc == SQLITE_OK else { throw StoreError.database("cannot write a change set into the log (SQLite error \(rc))") }
                start = end
            }
        }
    }

    /// The change set in row `rowid` of the log. One over ``ChangeSetEnvelope/inlineLimit`` is copied a piece at a
    /// time into a spool file beside the database and mapped, never read into memory whole.
    static func envelope(_ db: Database, rowid: Int64) throws -> ChangeSetEnvelope {
        let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT length(envelope), deflated FROM sync_log WHERE rowid = ?"), arguments: [rowid])
        guard let row else { throw StoreError.database("no change set at row \(rowid) of the log") }
        let (size, deflated): (Int, Bool) = (row[0], row[1])
        guard size > ChangeSetEnvelope.inlineLimit else {
            var bytes = try Data.fetchOne(
                db.cachedStatement(sql: "SELECT envelope FROM sync_log WHERE rowid = ?"), arguments: [rowid]) ?? Data()
            if deflated { bytes = try Zlib.inflate(bytes, limit: ChangeSetEnvelope.inlineLimit) }
            return try ChangeSetEnvelope(trusted: bytes)
        }
        let directory = URL(fileURLWithPath: String(cString: sqlite3_db_filename(db.sqliteConnection, "main")))
            .deletingLastPathComponent().path
        let spool = try Spool(directory: directory)
        var piece = Data(count: blobPiece)
        try withBlob(db, rowid: rowid, writable: false) { blob in
            var offset = 0
            while offset < size {
                let count = min(blobPiece, size - offset)
                let rc = piece.withUnsafeMutableBytes { sqlite3_blob_read(blob, $0.baseAddress, Int32(count), Int32(offset)) }
                guard rc == SQLITE_OK else { throw StoreError.database("cannot read a change set of the log (SQLite error \(rc))") }
                try spool.append(piece.prefix(count))
                offset += count
            }
        }
        return try ChangeSetEnvelope(trusted: try spool.mapped())
    }

    /// zlib's default: on 100,000 imported statements the log's 54.5 MB of change sets took 7.4 MB at level 6 (1.2 s
    /// of deflating) against 9.5 MB at level 1 (0.4 s), the difference between 3.02 and 2.97 times the input.
    private static let deflateLevel: Int32 = 6

    /// Pieces in which a large change set moves between the log and a file.
    private static let blobPiece = 1 << 20

    private static func withBlob(_ db: Database, rowid: Int64, writable: Bool, _ body: (OpaquePointer) throws -> Void) throws {
        var blob: OpaquePointer?
        let rc = sqlite3_blob_open(db.sqliteConnection, "main", "sync_log", "envelope", rowid, writable ? 1 : 0, &blob)
        defer { sqlite3_blob_close(blob) }
        guard rc == SQLITE_OK, let blob else {
            throw StoreError.database("cannot open the change set at row \(rowid) of the log (SQLite error \(rc))")
        }
        try body(blob)
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
