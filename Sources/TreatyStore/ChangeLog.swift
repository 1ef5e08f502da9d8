import GRDB
import TreatyModel
import TreatyProtocol

/// Writes and reads the change log. Every write appends to it in its own transaction, so the log and the
/// records never disagree. Each entry carries the clock stamp of the change set that made it (a local write's is
/// set when its change set is stamped, ``ChangeSetWriter``), and history is read in stamp order: the order in
/// which every office that holds the same change sets shows it.
///
/// A creation stores no values (`before` and `after` NULL): they are the record's fields now, with every later
/// change to it undone, newest first (each later entry keeps the values it changed from). So the log holds no
/// second copy of what was imported or merged, and needs nothing but itself and the record to show it; an entry
/// that changed nothing (a delete) undoes nothing.
///
/// An entry names its record by `record_index.seq` and its office by `sync_origin.n` (`v10-lean-history`).
enum ChangeLog {
    /// Appends an entry. `clock`: the stamp of the remote change set merged; a local write's entries get theirs
    /// when its change set is stamped (``stamp(_:after:with:)``). `seq`: the record's `record_index.seq`, when the
    /// caller has it.
    static func append(
        _ db: Database, operation: String, record: Record, seq: Int64? = nil, before: [String: JSONValue],
        after: [String: JSONValue], at: String, office: String, user: String, clock: UInt64? = nil
    ) throws {
        try append(
            db, operation: operation, id: record.id, seq: seq, before: before, after: after, at: at, office: office,
            user: user, clock: clock)
    }

    static func append(
        _ db: Database, operation: String, id: String, seq: Int64? = nil, before: [String: JSONValue],
        after: [String: JSONValue], at: String, office: String, user: String, clock: UInt64? = nil
    ) throws {
        guard let record = try seq ?? RecordRows.indexEntry(of: id, db)?.seq else {
            throw StoreError.database("the change log names \(id), which the record index does not hold")
        }
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO change_log (at, origin, user, record, operation, before, after, clock)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
        let created = operation == ChangeEvent.Operation.created.rawValue
        try statement.execute(
            arguments: [
                at, try SyncTables.originNumber(db, office), user, record, operation,
                created ? nil : JSONCodec.string(.object(before)), created ? nil : JSONCodec.string(.object(after)),
                Int64(bitPattern: clock ?? 0),
            ])
    }

    /// The last entry's number (0 for none).
    static func lastSeq(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(seq) FROM change_log")) ?? 0
    }

    /// Stamps the entries after `seq` (a local write's) with their change set's clock.
    static func stamp(_ db: Database, after seq: Int64, with clock: UInt64) throws {
        try db.cachedStatement(sql: "UPDATE change_log SET clock = ? WHERE seq > ?")
            .execute(arguments: [Int64(bitPattern: clock), seq])
    }

    /// The fields a record was created with: its fields now, with the changes logged after `seq` undone.
    /// `record`: the record's entry in the id index, which the history row names already.
    static func createdFields(_ db: Database, id: String, record: RecordRows.IndexEntry, seq: Int64) throws
        -> [String: JSONValue]
    {
        guard var fields = try RecordRows.fetch(db, kind: record.kind, id: id)?.fields else { return [:] }
        let later = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT before, after FROM change_log
                    WHERE record = ? AND seq > ? AND operation IN ('updated', 'deleted') ORDER BY seq DESC
                    """),
            arguments: [record.seq, seq])
        for entry in later {
            let before = decode(entry["before"])
            for name in decode(entry["after"]).keys {
                if let value = before[name], !value.isNull { fields[name] = value } else { fields.removeValue(forKey: name) }
            }
        }
        return fields
    }

    static func decode(_ text: String?) -> [String: JSONValue] {
        text.flatMap { try? JSONCodec.decode($0) }?.objectValue ?? [:]
    }

    /// The fields whose values differ between two versions of a record.
    static func difference(_ old: [String: JSONValue], _ new: [String: JSONValue]) -> ([String: JSONValue], [String: JSONValue]) {
        var before: [String: JSONValue] = [:]
        var after: [String: JSONValue] = [:]
        for key in Set(old.keys).union(new.keys) where old[key] != new[key] {
            before[key] = old[key] ?? .null
            after[key] = new[key] ?? .null
        }
        return (before, after)
    }
}

extension TreatyStore {
    /// Changes since `since` (a day or a time), in the order of their clock stamps, newest last, optionally only by
    /// an office, a user, or to one record.
    public func changes(
        since: String? = nil, office: String? = nil, user: String? = nil, record: String? = nil, limit: Int = 1000
    ) async throws(StoreError) -> [ChangeEntry] {
        guard (1...100_000).contains(limit) else { throw .invalidArgument("limit must be between 1 and 100000") }
        if let since, Day(String(since.prefix(10))) == nil {
            throw .invalidArgument("since must be a day (YYYY-MM-DD) or a time (YYYY-MM-DDTHH:MM:SS.sssZ), not \"\(since)\"")
        }
        return try await read { db in
            var conditions: [String] = []
            var arguments: [DatabaseValue] = []
            if let since {
                conditions.append("c.at >= ?")
                arguments.append(since.databaseValue)
            }
            if let office {
                // A name, an id or a prefix, resolved as everywhere else: one that names no office is an error.
                conditions.append("c.origin = (SELECT n FROM sync_origin WHERE office = ?)")
                arguments.append(try TreatyStore.resolveOffice(db, office).databaseValue)
            }
            if let user {
                conditions.append("c.user = ?")
                arguments.append(user.databaseValue)
            }
            if let record {
                conditions.append("c.record = (SELECT seq FROM record_index WHERE id = ?)")
                arguments.append(try Resolve.id(db, record).id.databaseValue)
            }
            let clause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT c.seq, c.at, o.office, c.user, c.record, r.id AS record_id, r.kind, c.operation, c.before,
                        c.after
                    FROM change_log c JOIN sync_origin o ON o.n = c.origin JOIN record_index r ON r.seq = c.record
                    \(clause) ORDER BY c.clock DESC, c.seq DESC LIMIT ?
                    """,
                arguments: StatementArguments(arguments + [limit.databaseValue]))
            return try rows.reversed().map { row in
                let id: String = row["record_id"]
                let seq: Int64 = row["seq"]
                let stored: String? = row["after"]
                let record = RecordKind(rawValue: row["kind"]).map { RecordRows.IndexEntry(kind: $0, seq: row["record"]) }
                let after =
                    try stored == nil
                    ? record.map { try ChangeLog.createdFields(db, id: id, record: $0, seq: seq) } ?? [:]
                    : ChangeLog.decode(stored)
                return ChangeEntry(
                    seq: seq, at: row["at"], office: row["office"], user: row["user"], recordId: id,
                    kind: row["kind"], label: try Lookup.ref(db, id)?.label, operation: row["operation"],
                    before: ChangeLog.decode(row["before"]), after: after)
            }
        }
    }
}
