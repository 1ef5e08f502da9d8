import Foundation
import GRDB
import TreatyModel
import TreatySync

/// Turns a local write transaction into this office's next change sets, inside that transaction.
enum LocalChanges {
    /// Runs `body` with capture on and, if it changed synced tables, stamps, numbers, signs and logs the
    /// change set and marks the written columns as this office's latest writes, all before the caller's
    /// transaction commits.
    static func run<T>(
        _ db: Database, office: OfficeIdentity, layout: RecordLayout, user: String, wallClock: Int64,
        _ body: () throws -> T
    ) throws -> T {
        try run(db, office: office, layout: layout, user: user, wallClock: wallClock) { _ in try body() }
    }

    /// Runs `body` with capture on; `body` may cut its write into several change sets (``ChangeSetWriter/cut()``).
    /// All of them are logged in the caller's transaction: they commit together, or none does.
    static func run<T>(
        _ db: Database, office: OfficeIdentity, layout: RecordLayout, user: String, wallClock: Int64,
        _ body: (ChangeSetWriter) throws -> T
    ) throws -> T {
        let writer = try ChangeSetWriter(db, office: office, layout: layout, user: user, wallClock: wallClock)
        let result = try body(writer)
        try writer.finish()
        return result
    }
}

/// The change sets one local write makes: one, or, for a bulk write that cuts itself, a sequence numbered one
/// after the other, each depending on the one before.
final class ChangeSetWriter {
    private let db: Database
    private let office: OfficeIdentity
    /// The tables' layout: its version is the change sets' record schema, its columns name theirs.
    private let layout: RecordLayout
    private let user: String
    private let wallClock: Int64
    /// What this office held when the write began: every change set of the write depends on it.
    private let dependencies: VersionVector
    private var session: CaptureSession?
    /// How many change sets the write has made so far.
    private(set) var made = 0
    /// The change log's last entry before the current change set: the entries after it get its stamp.
    private var logMark: Int64

    init(_ db: Database, office: OfficeIdentity, layout: RecordLayout, user: String, wallClock: Int64) throws {
        self.db = db
        self.office = office
        self.layout = layout
        self.user = user
        self.wallClock = wallClock
        dependencies = try SyncTables.vector(db)
        logMark = try ChangeLog.lastSeq(db)
        session = try CaptureSession(db)
    }

    /// Ends the change set captured so far (when it holds anything) and starts the next. Call it only where what
    /// was written so far refers to nothing written after: a receiver applies the change sets one by one, and
    /// each must stand on those before it.
    func cut() throws {
        try emit()
        session = try CaptureSession(db)
    }

    func finish() throws {
        try emit()
    }

    /// Stamps, numbers, signs and logs what the current session captured, and marks the columns it wrote.
    private func emit() throws {
        guard let current = session else { return }
        let changeset = try current.changeset()
        session = nil
        guard !changeset.isEmpty else { return }
        let seq = dependencies[office.id] + UInt64(made) + 1
        var dependencies = dependencies
        dependencies[office.id] = seq - 1
        let stamp = HybridClock.next(after: try SyncTables.lastClock(db), wallMilliseconds: wallClock)
        let (office, user, schema) = (office, user, UInt32(layout.version))
        let envelope = try LargeStack.run {
            try ChangeSetEnvelope(
                signingKey: office.privateKey, publicKey: office.publicKeyBytes, seq: seq, clock: stamp,
                schemaVersion: schema, user: user, dependencies: dependencies, changeset: changeset)
        }
        made += 1
        let origin = try SyncTables.originNumber(db, office.id)
        try SyncTables.log(db, envelope, origin: origin, applied: true)
        try SyncTables.setLastClock(db, stamp)
        try ChangeLog.stamp(db, after: logMark, with: stamp)
        logMark = try ChangeLog.lastSeq(db)
        let writer = ClockEntry(origin: origin, seq: Int64(seq), clock: Int64(bitPattern: stamp))
        try Changeset.forEachRow(changeset) { row in
            guard let kind = RecordKind(rawValue: row.table), let id = row.key.first?.storage.value as? String else {
                return
            }
            switch row.operation {
            case .insert:
                try ClockEntry.set(db, id: id, column: "", writer)
            case .update:
                let columns = layout.columns(of: kind)
                for index in row.new.keys where index > 0 {
                    try ClockEntry.set(db, id: id, column: columns[index], writer)
                    // This office has seen every conflicting value it holds: a new write settles them all.
                    try db.cachedStatement(sql: "DELETE FROM sync_conflict WHERE tbl = ? AND pk = ? AND col = ?")
                        .execute(arguments: [kind.rawValue, id, columns[index]])
                }
            case .delete:
                return
            }
        }
    }
}

/// The change set that last wrote a row (column `''`) or a column.
struct ClockEntry: Equatable {
    let origin: Int64
    let seq: Int64
    let clock: Int64
    /// True when this is the row's entry (column `''`): the create that made it.
    var isRowEntry = false

    /// Records `entry` as the last writer of the record `id`'s `column`. `record`: its `record_index.seq`, when the
    /// caller has it (entries are keyed by it: `v10-lean-history`).
    static func set(_ db: Database, id: String, record: Int64? = nil, column: String, _ entry: ClockEntry) throws {
        guard let record = try record ?? RecordRows.indexEntry(of: id, db)?.seq else {
            throw StoreError.database("a clock entry names \(id), which the record index does not hold")
        }
        try db.cachedStatement(
            sql: "INSERT OR REPLACE INTO sync_clock (record, col, origin, seq, clock) VALUES (?, ?, ?, ?, ?)"
        ).execute(arguments: [record, column, entry.origin, entry.seq, entry.clock])
    }

    /// The column's own entry, else the row's.
    static func get(_ db: Database, id: String, column: String) throws -> ClockEntry? {
        let row = try Row.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT origin, seq, clock, col FROM sync_clock
                    WHERE record = (SELECT seq FROM record_index WHERE id = ?) AND col IN (?, '') ORDER BY col DESC LIMIT 1
                    """
            ), arguments: [id, column])
        return row.map { ClockEntry(origin: $0[0], seq: $0[1], clock: $0[2], isRowEntry: ($0[3] as String).isEmpty) }
    }
}
