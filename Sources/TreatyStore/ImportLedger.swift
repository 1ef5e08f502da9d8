import GRDB
import TreatyModel

/// References an import makes to records it has not reached yet, kept in a temporary table (not in
/// memory, so an import of any size runs in constant memory) and checked when the last line is read.
struct ImportLedger {
    /// The highest `record_index.seq` before the import: a record above it is one the import made.
    let lastSeqBefore: Int64

    static func begin(_ db: Database) throws -> ImportLedger {
        try db.execute(
            sql: """
                CREATE TEMP TABLE IF NOT EXISTS import_refs (
                    line INTEGER NOT NULL, kind TEXT NOT NULL, field TEXT NOT NULL, target TEXT NOT NULL);
                DELETE FROM import_refs;
                CREATE TEMP TABLE IF NOT EXISTS import_ids (id TEXT PRIMARY KEY NOT NULL);
                DELETE FROM import_ids;
                """)
        return ImportLedger(lastSeqBefore: try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) FROM record_index") ?? 0)
    }

    func note(_ db: Database, line: Int, kind: RecordKind, field: String, target: String) throws {
        try db.cachedStatement(sql: "INSERT INTO import_refs (line, kind, field, target) VALUES (?, ?, ?, ?)")
            .execute(arguments: [line, kind.rawValue, field, target])
    }

    /// Notes that the import carries `id`, a record that was here before it; false when it carried it already.
    /// (A record the import made is known by its seq, and needs no note.)
    func claim(_ db: Database, id: String) throws -> Bool {
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO import_ids (id) VALUES (?)").execute(arguments: [id])
        return db.changesCount == 1
    }

    /// Checks every noted reference now that the whole import is in; throws for the first bad one by line.
    func verify(_ db: Database) throws {
        try check(db, sql: "SELECT r.line, r.kind, r.field, r.target, i.kind AS actual FROM import_refs r LEFT JOIN record_index i ON i.id = r.target ORDER BY r.line")
        try db.execute(sql: "DELETE FROM import_refs; DELETE FROM import_ids;")
    }

    /// Checks the noted references whose targets the import has reached by now, and forgets them; true when no
    /// noted reference is still waiting for its target (so what was imported so far refers to nothing later).
    func settle(_ db: Database) throws -> Bool {
        try check(db, sql: "SELECT r.line, r.kind, r.field, r.target, i.kind AS actual FROM import_refs r JOIN record_index i ON i.id = r.target ORDER BY r.line")
        try db.execute(sql: "DELETE FROM import_refs WHERE target IN (SELECT id FROM record_index)")
        return try !(Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM import_refs)") ?? false)
    }

    private func check(_ db: Database, sql: String) throws {
        let rows = try Row.fetchCursor(db, sql: sql)
        while let row = try rows.next() {
            let line: Int = row["line"]
            guard let kind = RecordKind(rawValue: row["kind"]), let field = kind.field(row["field"]) else { continue }
            let target: String = row["target"]
            let actual = (row["actual"] as String?).flatMap(RecordKind.init(rawValue:))
            if case .provisionType = field.type {
                if actual != .provisionType { throw StoreError.unknownProvisionType(target, line: line) }
                continue
            }
            guard let actual else {
                throw StoreError.danglingReference(kind: kind, field: field.name, target: target, line: line)
            }
            if !field.referencedKinds.contains(actual) {
                throw StoreError.wrongReferenceKind(kind: kind, field: field.name, target: target, actual: actual, line: line)
            }
        }
    }
}
