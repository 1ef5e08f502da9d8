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
    /// This office's tables. A change set's columns are named by the layout of the schema it was made with.
    let layout: RecordLayout
    let policy: MergePolicy
    /// This office's wall clock (milliseconds since 1970) and how far ahead of it a change set's stamp may be.
    let now: Int64
    let maxClockSkew: Int64
    private var origins: [Int64: String] = [:]
    private(set) var changed = MergedChanges()
    /// The conflicts this merge kept: (table, id, field, office, seq).
    private var kept: Set<[String]> = []
    /// When the earliest change set held for a stamp too far ahead can be applied (milliseconds since 1970).
    private(set) var nextClockRelease: Int64?
    /// The losing values the change set being applied let go: logged once all its rows are in, with the value kept.
    private var settlements: [(kind: RecordKind, id: String, field: Field, lost: JSONValue)] = []

    init(_ db: Database, layout: RecordLayout, policy: MergePolicy, now: Int64, maxClockSkew: Int64) {
        self.db = db
        self.layout = layout
        self.policy = policy
        self.now = now
        self.maxClockSkew = maxClockSkew
    }

    /// Stores each new change set and applies every stored one whose dependencies are met, in causal order;
    /// the rest stay held with their reason. All in the caller's transaction.
    mutating func receive(_ envelopes: [ChangeSetEnvelope]) throws -> ReceiveSummary {
        var summary = ReceiveSummary()
        for envelope in envelopes { try store(envelope, into: &summary) }
        try finish(&summary)
        return summary
    }

    /// Stores one change set received (or counts it as already had); ``finish(_:)`` applies what can be.
    mutating func store(_ envelope: ChangeSetEnvelope, into summary: inout ReceiveSummary) throws {
        let origin = try SyncTables.originNumber(db, envelope.origin)
        let had = try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT 1 FROM sync_log WHERE origin = ? AND seq = ?"),
            arguments: [origin, Int64(envelope.seq)]) ?? false
        if had {
            summary.alreadyHad += 1
        } else {
            try SyncTables.log(db, envelope, origin: origin, applied: false)
        }
    }

    /// Applies what the stored change sets allow and says what stays held.
    mutating func finish(_ summary: inout ReceiveSummary) throws {
        summary.applied = try applyHeld()
        summary.held = try Self.held(db)
        summary.conflicts = try shownConflicts()
    }

    /// How many of the conflicts kept by this merge `conflicts list` shows: one whose value equals the field's
    /// value now (two offices wrote the same thing) is not shown, nor one a later write in the merge settled.
    func shownConflicts() throws -> Int {
        var count = 0
        for key in kept {
            guard let kind = RecordKind(rawValue: key[0]), kind.field(key[2]) != nil else { continue }
            let differs = try Bool.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT c.value IS NOT t."\(key[2])" FROM sync_conflict c JOIN "\(kind.rawValue)" t ON t.id = c.pk
                        WHERE c.tbl = ? AND c.pk = ? AND c.col = ? AND c.origin = ? AND c.seq = ?
                        """), arguments: [key[0], key[1], key[2], key[3], key[4]])
            if differs == true { count += 1 }
        }
        return count
    }

    /// Applies held change sets until none can be; returns how many were. Reads one change set at a time: the
    /// held ones can be a whole bundle's worth.
    mutating func applyHeld() throws -> Int {
        var vector = try SyncTables.vector(db)
        var applied = 0
        var progress = true
        while progress {
            progress = false
            nextClockRelease = nil
            let keys = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT l.origin, l.seq, l.rowid FROM sync_held h JOIN sync_log l ON l.origin = h.origin AND l.seq = h.seq
                        ORDER BY l.clock, l.origin, l.seq
                        """))
            for key in keys {
                let (origin, seq): (Int64, Int64) = (key[0], key[1])
                let envelope = try SyncTables.envelope(db, rowid: key[2])
                if let reason = try blocker(envelope, vector: vector) ?? apply(envelope, origin: origin) {
                    // Written only when it changed: an office holding many change sets would otherwise rewrite
                    // every one of them at each receive.
                    try db.cachedStatement(
                        sql: "UPDATE sync_held SET reason = ? WHERE origin = ? AND seq = ? AND reason IS NOT ?"
                    ).execute(arguments: [reason, origin, seq, reason])
                    continue
                }
                try db.cachedStatement(sql: "DELETE FROM sync_held WHERE origin = ? AND seq = ?")
                    .execute(arguments: [origin, seq])
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
                SELECT o.office, h.seq, h.reason FROM sync_held h JOIN sync_origin o ON o.n = h.origin
                ORDER BY o.office, h.seq
                """
        ).map { HeldChangeSet(origin: $0[0], seq: UInt64($0[1] as Int64), reason: $0[2] ?? "not yet tried") }
    }

    /// Why a change set cannot be applied yet, or nil when it can.
    private mutating func blocker(_ envelope: ChangeSetEnvelope, vector: VersionVector) throws -> String? {
        if envelope.schemaVersion > UInt32(layout.version) {
            return "made with record schema \(envelope.schemaVersion); this office runs \(layout.version): upgrade Treaty"
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
        // A stamp far ahead would win every concurrent edit until the wall clocks caught up with it (years, for a
        // clock set wrong): wait until this office's clock is within the accepted skew of it.
        let stamped = HybridClock.milliseconds(envelope.clock)
        if stamped - now > maxClockSkew {
            let release = stamped - maxClockSkew
            nextClockRelease = min(nextClockRelease ?? release, release)
            return "stamped \(Self.duration(stamped - now)) ahead of this office's clock, more than the "
                + "\(Self.duration(maxClockSkew)) accepted: held until \(Timestamp.format(millisecondsSince1970: release))"
        }
        return nil
    }

    /// A span of milliseconds in the largest whole unit that fits.
    static func duration(_ ms: Int64) -> String {
        let seconds = ms / 1000
        for (size, unit) in [(86_400 * 365, "years"), (86_400, "days"), (3600, "hours"), (60, "minutes")] where seconds >= 2 * size {
            return "\(seconds / Int64(size)) \(unit)"
        }
        return "\(seconds) seconds"
    }

    private mutating func office(_ n: Int64) throws -> String {
        if let office = origins[n] { return office }
        let office =
            try String.fetchOne(db.cachedStatement(sql: "SELECT office FROM sync_origin WHERE n = ?"), arguments: [n]) ?? ""
        origins[n] = office
        return office
    }

    /// Applies one change set whole, or says why it cannot be applied (then nothing of it is). Its rows are read
    /// one at a time, twice: each is checked and merged, then the references of all are checked.
    private mutating func apply(_ envelope: ChangeSetEnvelope, origin: Int64) throws -> String? {
        guard Changeset.isWellFormed(envelope.changeset) else { return "refused: its changeset does not parse" }
        guard let made = RecordLayout.at(Int(envelope.schemaVersion)) else {
            return "refused: made with record schema \(envelope.schemaVersion), which no Treaty has"
        }
        // A refusal, or what the check cannot foresee (a constraint of the tables), rolls back this change set alone.
        let (changedBefore, keptBefore) = (changed, kept)
        var refusal: String?
        try db.inSavepoint {
            do {
                try SyncTables.setLastClock(db, max(try SyncTables.lastClock(db), envelope.clock))
                let writer = ClockEntry(origin: origin, seq: Int64(envelope.seq), clock: Int64(bitPattern: envelope.clock))
                try Changeset.forEachRow(envelope.changeset) { row in
                    if let reason = try ChangeSetCheck.refusal(row, made: made, db) { throw Refused(reason: reason) }
                    try apply(row, envelope, made: made, writer: writer)
                }
                try Changeset.forEachRow(envelope.changeset) { row in
                    if let reason = try ChangeSetCheck.referenceRefusal(row, made: made, db) {
                        throw Refused(reason: reason)
                    }
                }
                try logSettlements(envelope)
                return .commit
            } catch let refused as Refused {
                refusal = "refused: \(refused.reason)"
            } catch let error as DatabaseError where Self.inputFaults.contains(error.resultCode) {
                refusal = "refused: \(error.message ?? "\(error.resultCode)")"
            } catch let error as StoreError {
                refusal = "refused: \(error)"
            }
            return .rollback
        }
        settlements = []
        if refusal != nil { (changed, kept) = (changedBefore, keptBefore) }
        return refusal
    }

    private struct Refused: Error {
        let reason: String
    }

    /// SQLite's answers that come from what a change set says, not from the machine (a full disk, an I/O error
    /// stop the whole merge instead).
    static let inputFaults: [ResultCode] = [.SQLITE_CONSTRAINT, .SQLITE_MISMATCH, .SQLITE_TOOBIG, .SQLITE_RANGE]

    /// Merges one checked row of a change set, field by field; `made` names its columns.
    private mutating func apply(_ row: RowChange, _ envelope: ChangeSetEnvelope, made: RecordLayout, writer: ClockEntry)
        throws
    {
        if row.table == "sync_conflict" {
            // Settling a conflict deletes its rows; nothing else about conflicts travels.
            if row.operation == .delete { try settle(row.key, envelope) }
            return
        }
        guard let kind = RecordKind(rawValue: row.table), let id = row.key.first?.storage.value as? String,
            row.operation != .delete
        else { return }
        let columns = made.columns(of: kind)
        let before = try RecordRows.fetch(db, kind: kind, id: id)
        // The search documents the row may change come out of the index first (a new record has none yet).
        let ownerColumn = kind == .name ? columns.firstIndex(of: "owner_id") : nil
        let documents =
            before == nil && kind != .name && kind != .person
            ? []
            : try SearchIndex.detach(
                db, kind: kind, id: id,
                owners: [before?.text("owner_id"), ownerColumn.flatMap { row.new[$0]?.storage.value as? String }])
        var seq: Int64?
        if before == nil {
            guard row.operation == .insert else {
                throw StoreError.database(
                    "change set \(envelope.seq) of office \(envelope.origin.prefix(12)) changes \(kind.rawValue) "
                        + "\(id), which this office never had")
            }
            // By name: a change set of an older schema leaves the fields added since empty.
            try db.cachedStatement(sql: made.insertSQL(for: kind))
                .execute(arguments: StatementArguments(columns.indices.map { row.new[$0] ?? .null }))
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO record_index (id, kind) VALUES (?, ?)")
                .execute(arguments: [id, kind.rawValue])
            if db.changesCount == 1 { seq = db.lastInsertedRowID }
            try ClockEntry.set(db, id: id, record: seq, column: "", writer)
        } else {
            // The fields whose values lost to concurrent ones: the value shown, and the one that lost.
            var (shown, lost): ([String: JSONValue], [String: JSONValue]) = ([:], [:])
            for (index, value) in row.new.sorted(by: { $0.key < $1.key }) where index > 0 {
                // A field a concurrent create left empty was not written: it loses to any value, silently.
                let absent = row.operation == .insert && value.isNull
                let stamp = absent ? ClockEntry(origin: writer.origin, seq: writer.seq, clock: 0) : writer
                let column = columns[index]
                if let current = try merge(kind: kind, id: id, column: column, value: value, envelope: envelope, writer: stamp),
                    current != value, let type = kind.field(column)?.type
                {
                    (shown[column], lost[column]) = (RecordRows.json(current, type: type), RecordRows.json(value, type: type))
                }
            }
            if !lost.isEmpty {
                let at = columns.firstIndex(of: "updated_at").flatMap { row.new[$0]?.storage.value as? String }
                try ChangeLog.append(
                    db, operation: "lost", id: id, before: shown, after: lost,
                    at: at ?? Self.time(of: envelope), office: envelope.origin, user: envelope.user, clock: envelope.clock)
            }
        }
        let after = try RecordRows.fetch(db, kind: kind, id: id)
        if before == nil, kind != .name, let after {
            try SearchIndex.add(db, after, seq: seq)
            try SearchIndex.attach(db, documents.filter { $0 != id })  // a new person's statements
        } else {
            try SearchIndex.attach(db, documents)
        }
        guard let after, after != before else { return }
        let operation: ChangeEvent.Operation =
            before == nil ? .created : (after.provenance?.deleted == true && before?.provenance?.deleted != true)
            ? .deleted : .updated
        let (old, new) = ChangeLog.difference(before?.fields ?? [:], after.fields)
        try ChangeLog.append(
            db, operation: operation.rawValue, record: after, seq: seq, before: old, after: new,
            at: after.provenance?.updatedAt ?? "", office: envelope.origin, user: envelope.user, clock: envelope.clock)
        changed.add(ChangeEvent(operation: operation, record: after, summary: nil))
    }

    /// A settlement another office made: the losing value it let go (`key`: table, id, field, office, sequence
    /// number), to note in the change log when this office still listed it (``logSettlements(_:)``).
    private mutating func settle(_ key: [DatabaseValue], _ envelope: ChangeSetEnvelope) throws {
        let settled = try DatabaseValue.fetchOne(
            db.cachedStatement(
                sql: "DELETE FROM sync_conflict WHERE tbl = ? AND pk = ? AND col = ? AND origin = ? AND seq = ? RETURNING value"),
            arguments: StatementArguments(key))
        guard let settled, let kind = RecordKind(rawValue: String.fromDatabaseValue(key[0]) ?? ""),
            let id = String.fromDatabaseValue(key[1]), let field = kind.field(String.fromDatabaseValue(key[2]) ?? "")
        else { return }
        settlements.append((kind, id, field, RecordRows.json(settled, type: field.type)))
    }

    /// Notes the settlements of the change set just applied, each with the value kept (which the same change set
    /// may have written after letting the others go).
    private mutating func logSettlements(_ envelope: ChangeSetEnvelope) throws {
        for settlement in settlements {
            let column = settlement.field.name
            let kept = try DatabaseValue.fetchOne(
                db.cachedStatement(sql: "SELECT \"\(column)\" FROM \"\(settlement.kind.rawValue)\" WHERE id = ?"),
                arguments: [settlement.id]) ?? .null
            try ChangeLog.append(
                db, operation: "settled", id: settlement.id, before: [column: settlement.lost],
                after: [column: RecordRows.json(kept, type: settlement.field.type)], at: Self.time(of: envelope),
                office: envelope.origin, user: envelope.user, clock: envelope.clock)
        }
    }

    /// When a change set was made, by its stamp.
    static func time(of envelope: ChangeSetEnvelope) -> String {
        Timestamp.format(millisecondsSince1970: HybridClock.milliseconds(envelope.clock))
    }

    /// One field: the write wins if it saw the current one, or if neither saw the other and its (clock,
    /// office) is greater; the concurrent loser is kept as a conflict. Conflicts the write saw are settled by it.
    /// Returns the value shown when the write lost and was kept as a conflict.
    private mutating func merge(
        kind: RecordKind, id: String, column: String, value: DatabaseValue, envelope: ChangeSetEnvelope,
        writer: ClockEntry
    ) throws -> DatabaseValue? {
        let table = kind.rawValue
        let update = try db.cachedStatement(sql: "UPDATE \"\(table)\" SET \"\(column)\" = ? WHERE id = ?")
        if policy == .naiveOverwrite {
            try update.execute(arguments: [value, id])
            return nil
        }
        var current = try ClockEntry.get(db, id: id, column: column)
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
            try ClockEntry.set(db, id: id, column: column, writer)
        } else if keepsConflicts, writer.clock != 0 {
            try keepConflict(table, id, column, office: envelope.origin, seq: writer.seq, clock: writer.clock, value: value)
            return old
        }
        return nil
    }

    private mutating func keepConflict(
        _ table: String, _ id: String, _ column: String, office: String, seq: Int64, clock: Int64, value: DatabaseValue
    ) throws {
        try db.cachedStatement(
            sql: "INSERT OR IGNORE INTO sync_conflict (tbl, pk, col, origin, seq, clock, value) VALUES (?, ?, ?, ?, ?, ?, ?)"
        ).execute(arguments: [table, id, column, office, seq, clock, value])
        kept.insert([table, id, column, office, String(seq)])
    }
}

/// What a merge changed, for subscribers: each record while there are at most ``recordLimit`` of them holding at
/// most ``byteLimit`` of text, then only how many (a bundle of 100,000 records, or 700 records of 100 KB each, would
/// otherwise keep every merged record in memory until it commits).
struct MergedChanges: Sendable {
    static let recordLimit = 1000
    static let byteLimit = 4 << 20
    private(set) var events: [ChangeEvent] = []
    private(set) var created = 0
    private(set) var count = 0
    private var bytes = 0
    /// True once there were too many to tell one by one: ``events`` is empty and only the counts stand.
    private(set) var summarized = false

    mutating func add(_ event: ChangeEvent) {
        count += 1
        if event.operation == .created { created += 1 }
        guard !summarized else { return }
        bytes += event.record?.fields.values.reduce(0) { $0 + ($1.stringValue?.utf8.count ?? 8) } ?? 0
        if count <= Self.recordLimit, bytes <= Self.byteLimit {
            events.append(event)
        } else {
            events = []
            summarized = true
        }
    }
}
