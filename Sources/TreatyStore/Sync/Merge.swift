import Foundation
import GRDB
import TreatyModel
import TreatySync

/// How remote writes to a field merge. Only tests choose the naive one, to show the convergence test fails.
package enum MergePolicy: Sendable {
    /// Per-field last writer wins by (clock, office id) among concurrent writes; losers kept as conflicts.
    case fieldClock
    /// Every incoming value overwrites (diverges: for tests of the tests).
    case naiveOverwrite
}

/// What receiving change sets did.
public struct ReceiveSummary: Sendable, Equatable {
    /// Change sets applied now (including held ones this made applicable).
    public var applied = 0
    /// Change sets this office had already.
    public var alreadyHad = 0
    /// Change sets stored but waiting, with why (all held ones, not only this call's).
    public var held: [HeldChangeSet] = []
    /// Concurrent values that lost and were kept as conflicts now.
    public var conflicts = 0
}

/// A change set stored but not applied.
public struct HeldChangeSet: Sendable, Equatable {
    public let origin: String
    public let seq: UInt64
    public let reason: String
}

/// Merges remote change sets into the records, on a connection with no capture session.
struct Merge {
    let db: Database
    let policy: MergePolicy
    private var origins: [Int64: String] = [:]
    private(set) var changed = MergedChanges()
    private(set) var conflicts = 0

    init(_ db: Database, policy: MergePolicy) {
        self.db = db
        self.policy = policy
    }

    /// Stores each new change set and applies every stored one whose dependencies are met, in causal order;
    /// the rest stay held with their reason. All in the caller's transaction.
    mutating func receive(_ envelopes: [ChangeSetEnvelope]) throws -> ReceiveSummary {
        var summary = ReceiveSummary()
        for envelope in envelopes {
            let origin = try SyncTables.originNumber(db, envelope.origin)
            let had = try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT 1 FROM sync_log WHERE origin = ? AND seq = ?"),
                arguments: [origin, Int64(envelope.seq)]) ?? false
            if had {
                summary.alreadyHad += 1
                continue
            }
            try SyncTables.log(db, envelope, origin: origin, applied: false)
        }
        summary.applied = try applyHeld()
        summary.held = try Self.held(db)
        summary.conflicts = conflicts
        return summary
    }

    /// Applies held change sets until none can be; returns how many were.
    mutating func applyHeld() throws -> Int {
        var vector = try SyncTables.vector(db)
        var applied = 0
        var progress = true
        while progress {
            progress = false
            let rows = try Row.fetchAll(
                db.cachedStatement(sql: "SELECT origin, seq, envelope FROM sync_log WHERE applied = 0 ORDER BY clock, origin, seq"))
            for row in rows {
                let envelope = try ChangeSetEnvelope(trusted: row["envelope"])
                if let reason = try blocker(envelope, vector: vector) {
                    try db.cachedStatement(sql: "UPDATE sync_log SET held = ? WHERE origin = ? AND seq = ?")
                        .execute(arguments: [reason, row["origin"] as Int64, row["seq"] as Int64])
                    continue
                }
                try apply(envelope, origin: row["origin"])
                try db.cachedStatement(sql: "UPDATE sync_log SET applied = 1, held = NULL WHERE origin = ? AND seq = ?")
                    .execute(arguments: [row["origin"] as Int64, row["seq"] as Int64])
                vector[envelope.origin] = envelope.seq
                applied += 1
                progress = true
            }
        }
        return applied
    }

    static func held(_ db: Database) throws -> [HeldChangeSet] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT o.office, l.seq, l.held FROM sync_log l JOIN sync_origin o ON o.n = l.origin
                WHERE l.applied = 0 ORDER BY o.office, l.seq
                """
        ).map { HeldChangeSet(origin: $0[0], seq: UInt64($0[1] as Int64), reason: $0[2] ?? "not yet tried") }
    }

    /// Why a change set cannot be applied yet, or nil when it can.
    private func blocker(_ envelope: ChangeSetEnvelope, vector: VersionVector) throws -> String? {
        if envelope.schemaVersion > UInt32(Schema.version) {
            return "made with record schema \(envelope.schemaVersion); this office runs \(Schema.version): upgrade Treaty"
        }
        let known = try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT deleted = 0 FROM office WHERE id = ?"), arguments: [envelope.origin])
        if known != true {
            return known == nil
                ? "office \(envelope.origin.prefix(12)) is not in the offices table (treaty office add)"
                : "office \(envelope.origin.prefix(12)) was removed from the offices table"
        }
        if vector[envelope.origin] + 1 < envelope.seq {
            return "waiting for change set \(vector[envelope.origin] + 1) of office \(envelope.origin.prefix(12))"
        }
        for (origin, seq) in envelope.dependencies.entries.sorted(by: { $0.key < $1.key })
        where origin != envelope.origin && vector[origin] < seq {
            return "depends on change set \(seq) of office \(origin.prefix(12)), not yet here"
        }
        return nil
    }

    private mutating func office(_ n: Int64) throws -> String {
        if let office = origins[n] { return office }
        let office =
            try String.fetchOne(db.cachedStatement(sql: "SELECT office FROM sync_origin WHERE n = ?"), arguments: [n]) ?? ""
        origins[n] = office
        return office
    }

    /// Applies one change set, row by row and field by field.
    private mutating func apply(_ envelope: ChangeSetEnvelope, origin: Int64) throws {
        try SyncTables.setLastClock(db, max(try SyncTables.lastClock(db), envelope.clock))
        let writer = ClockEntry(origin: origin, seq: Int64(envelope.seq), clock: Int64(bitPattern: envelope.clock))
        for row in try Changeset.rows(envelope.changeset) {
            if row.table == "sync_conflict" {
                // Settling a conflict deletes its rows; nothing else about conflicts travels.
                if row.operation == .delete {
                    try db.cachedStatement(
                        sql: "DELETE FROM sync_conflict WHERE tbl = ? AND pk = ? AND col = ? AND origin = ? AND seq = ?"
                    ).execute(arguments: StatementArguments(row.key))
                }
                continue
            }
            guard let kind = RecordKind(rawValue: row.table), let id = row.key.first?.storage.value as? String,
                row.operation != .delete
            else { continue }
            let columns = RecordRows.columns(of: kind)
            let before = try RecordRows.fetch(db, kind: kind, id: id)
            if before == nil {
                guard row.operation == .insert else {
                    throw StoreError.database(
                        "change set \(envelope.seq) of office \(envelope.origin.prefix(12)) changes \(kind.rawValue) "
                            + "\(id), which this office never had")
                }
                try db.cachedStatement(sql: RecordRows.insertSQL(for: kind))
                    .execute(arguments: StatementArguments(columns.indices.map { row.new[$0] ?? .null }))
                try ClockEntry.set(db, table: kind.rawValue, id: id, column: "", writer)
                try db.cachedStatement(sql: "INSERT OR IGNORE INTO record_index (id, kind) VALUES (?, ?)")
                    .execute(arguments: [id, kind.rawValue])
            } else {
                for (index, value) in row.new.sorted(by: { $0.key < $1.key }) where index > 0 {
                    // A field a concurrent create left empty was not written: it loses to any value, silently.
                    let absent = row.operation == .insert && value.isNull
                    let stamp = absent ? ClockEntry(origin: writer.origin, seq: writer.seq, clock: 0) : writer
                    try merge(kind: kind, id: id, column: columns[index], value: value, envelope: envelope, writer: stamp)
                }
            }
            guard let after = try RecordRows.fetch(db, kind: kind, id: id), after != before else { continue }
            try SearchIndex.reindex(db, after)
            let operation: ChangeEvent.Operation =
                before == nil ? .created : (after.provenance?.deleted == true && before?.provenance?.deleted != true)
                ? .deleted : .updated
            let (old, new) = ChangeLog.difference(before?.fields ?? [:], after.fields)
            try ChangeLog.append(
                db, operation: operation.rawValue, record: after, before: old, after: new,
                at: after.provenance?.updatedAt ?? "", office: envelope.origin, user: envelope.user)
            changed.add(ChangeEvent(operation: operation, record: after, summary: nil))
        }
    }

    /// One field: the write wins if it saw the current one, or if neither saw the other and its (clock,
    /// office) is greater; the concurrent loser is kept as a conflict. Conflicts the write saw are settled by it.
    private mutating func merge(
        kind: RecordKind, id: String, column: String, value: DatabaseValue, envelope: ChangeSetEnvelope,
        writer: ClockEntry
    ) throws {
        let table = kind.rawValue
        let update = try db.cachedStatement(sql: "UPDATE \"\(table)\" SET \"\(column)\" = ? WHERE id = ?")
        if policy == .naiveOverwrite {
            try update.execute(arguments: [value, id])
            return
        }
        var current = try ClockEntry.get(db, table: table, id: id, column: column)
        let old =
            try DatabaseValue.fetchOne(
                db.cachedStatement(sql: "SELECT \"\(column)\" FROM \"\(table)\" WHERE id = ?"), arguments: [id]) ?? .null
        if let entry = current, entry.isRowEntry, old.isNull {
            // Left empty by the create that made the row: not a write, it loses to any value, silently.
            current = ClockEntry(origin: entry.origin, seq: entry.seq, clock: 0)
        }
        let currentOffice = try current.map { try office($0.origin) } ?? ""
        let sawCurrent = current.map { Int64(envelope.dependencies[currentOffice]) >= $0.seq } ?? true
        let wins =
            sawCurrent
            || (UInt64(bitPattern: writer.clock), envelope.origin)
                > (UInt64(bitPattern: current!.clock), currentOffice)
        let keepsConflicts = !SyncTables.silentColumns.contains(column)
        if keepsConflicts {
            let losers = try Row.fetchAll(
                db.cachedStatement(sql: "SELECT origin, seq FROM sync_conflict WHERE tbl = ? AND pk = ? AND col = ?"),
                arguments: [table, id, column])
            for loser in losers where Int64(envelope.dependencies[loser[0]]) >= loser[1] as Int64 {
                try db.cachedStatement(
                    sql: "DELETE FROM sync_conflict WHERE tbl = ? AND pk = ? AND col = ? AND origin = ? AND seq = ?"
                ).execute(arguments: [table, id, column, loser[0] as String, loser[1] as Int64])
            }
        }
        if wins {
            if !sawCurrent, keepsConflicts, let current, current.clock != 0 {
                try keepConflict(table, id, column, office: currentOffice, seq: current.seq, clock: current.clock, value: old)
            }
            try update.execute(arguments: [value, id])
            try ClockEntry.set(db, table: table, id: id, column: column, writer)
        } else if keepsConflicts, writer.clock != 0 {
            try keepConflict(table, id, column, office: envelope.origin, seq: writer.seq, clock: writer.clock, value: value)
        }
    }

    private mutating func keepConflict(
        _ table: String, _ id: String, _ column: String, office: String, seq: Int64, clock: Int64, value: DatabaseValue
    ) throws {
        try db.cachedStatement(
            sql: "INSERT OR IGNORE INTO sync_conflict (tbl, pk, col, origin, seq, clock, value) VALUES (?, ?, ?, ?, ?, ?, ?)"
        ).execute(arguments: [table, id, column, office, seq, clock, value])
        conflicts += 1
    }
}

/// What a merge changed, for subscribers: each record while there are at most ``recordLimit``, then only how
/// many (a bundle of 100,000 records would otherwise keep every merged record in memory until it commits).
struct MergedChanges: Sendable {
    static let recordLimit = 1000
    private(set) var events: [ChangeEvent] = []
    private(set) var created = 0
    private(set) var count = 0

    mutating func add(_ event: ChangeEvent) {
        count += 1
        if event.operation == .created { created += 1 }
        if count <= Self.recordLimit { events.append(event) } else if !events.isEmpty { events = [] }
    }
}
