import GRDB
import TreatyModel

/// Moving records between ``Record`` values and table rows.
enum RecordRows {
    static let provenanceColumns = Provenance.keys

    /// All columns of a kind's table, in table order.
    static func columns(of kind: RecordKind) -> [String] { columnTable[kind]! }

    private static let columnTable: [RecordKind: [String]] = Dictionary(
        uniqueKeysWithValues: RecordKind.allCases.map { ($0, ["id"] + $0.fields.map(\.name) + provenanceColumns) })

    static func record(from row: Row, kind: RecordKind) -> Record {
        var fields: [String: JSONValue] = [:]
        for field in kind.fields {
            let value: DatabaseValue = row[field.name]
            guard !value.isNull else { continue }
            fields[field.name] = json(value, type: field.type)
        }
        let provenance = Provenance(
            createdAt: row["created_at"], createdOffice: row["created_office"], createdUser: row["created_user"],
            updatedAt: row["updated_at"], updatedOffice: row["updated_office"], updatedUser: row["updated_user"],
            version: row["version"], deleted: row["deleted"])
        return Record(kind: kind, id: row["id"], fields: fields, provenance: provenance)
    }

    static func json(_ value: DatabaseValue, type: Field.ValueType) -> JSONValue {
        switch value.storage {
        case .null: return .null
        case .int64(let i):
            if case .boolean = type { return .bool(i != 0) }
            if case .number = type { return .double(Double(i)) }
            return .int(i)
        case .double(let d): return .double(d)
        case .string(let s): return .string(s)
        case .blob: return .null
        }
    }

    static func databaseValue(_ value: JSONValue?) -> DatabaseValue {
        switch value {
        case .none, .null?: return .null
        case .bool(let b)?: return (b ? 1 : 0).databaseValue
        case .int(let i)?: return i.databaseValue
        case .double(let d)?: return d.databaseValue
        case .string(let s)?: return s.databaseValue
        case .array?, .object?: return .null  // validation never lets these through
        }
    }

    /// Column values in table order: id, fields, provenance.
    static func values(for record: Record, provenance p: Provenance) -> [DatabaseValue] {
        var values: [DatabaseValue] = [record.id.databaseValue]
        for field in record.kind.fields { values.append(databaseValue(record.fields[field.name])) }
        values += [
            p.createdAt.databaseValue, p.createdOffice.databaseValue, p.createdUser.databaseValue,
            p.updatedAt.databaseValue, p.updatedOffice.databaseValue, p.updatedUser.databaseValue,
            p.version.databaseValue, (p.deleted ? 1 : 0).databaseValue,
        ]
        return values
    }

    /// Made once: building the text for every row of an import cost 3% of it.
    private static let insertSQLs: [RecordKind: String] = Dictionary(
        uniqueKeysWithValues: RecordKind.allCases.map { kind in
            let columns = columns(of: kind)
            return (
                kind,
                "INSERT INTO \"\(kind.rawValue)\" (\(columns.map { "\"\($0)\"" }.joined(separator: ", "))) VALUES ("
                    + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
            )
        })

    private static let updateSQLs: [RecordKind: String] = Dictionary(
        uniqueKeysWithValues: RecordKind.allCases.map { kind in
            let columns = columns(of: kind).dropFirst()
            return (
                kind,
                "UPDATE \"\(kind.rawValue)\" SET \(columns.map { "\"\($0)\" = ?" }.joined(separator: ", ")) WHERE id = ?"
            )
        })

    static func insertSQL(for kind: RecordKind) -> String { insertSQLs[kind]! }

    static func updateSQL(for kind: RecordKind) -> String { updateSQLs[kind]! }

    /// Fetches one row of a known kind by full id.
    ///
    /// Hot lookups use cached statements: compiling one (and GRDB's authorizer pass over it) cost more than
    /// running it.
    static func fetch(_ db: Database, kind: RecordKind, id: String) throws -> Record? {
        let statement = try db.cachedStatement(sql: "SELECT * FROM \"\(kind.rawValue)\" WHERE id = ?")
        return try Row.fetchOne(statement, arguments: [id]).map { record(from: $0, kind: kind) }
    }

    /// The kind of the record with this full id, if it exists.
    static func kind(of id: String, _ db: Database) throws -> RecordKind? {
        try indexEntry(of: id, db)?.kind
    }

    /// A record's row in the id index: its kind, and its `seq` (also its search document's rowid).
    struct IndexEntry {
        let kind: RecordKind
        let seq: Int64
    }

    /// The id index's row for this full id, if the record exists.
    static func indexEntry(of id: String, _ db: Database) throws -> IndexEntry? {
        let statement = try db.cachedStatement(sql: "SELECT kind, seq FROM record_index WHERE id = ?")
        return try Row.fetchOne(statement, arguments: [id]).flatMap { row in
            RecordKind(rawValue: row[0]).map { IndexEntry(kind: $0, seq: row[1]) }
        }
    }
}
