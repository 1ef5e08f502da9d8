import GRDB
import TreatyModel

/// The record tables as one record schema version lays them out. A table's columns are `id`, the fields of
/// schema 1, the provenance columns, then the fields each later version added, in the order added (a migration's
/// `ALTER TABLE ADD COLUMN` appends them): so a version's layout is also the column order of every change set made
/// with it, and capture and merge map a change set's columns to names through the layout of its version.
struct RecordLayout: Sendable {
    let version: Int
    private let tables: [RecordKind: Table]

    private struct Table: Sendable {
        let columns: [String]
        let insertSQL: String
        let updateSQL: String
    }

    /// The layout of record schema `version`, or nil when no Treaty has it.
    static func at(_ version: Int) -> RecordLayout? { all[version] }

    /// The layout this build writes.
    static let current = all[Schema.version]!

    /// Made once: building the SQL text for every row of an import cost 3% of it.
    private static let all: [Int: RecordLayout] = Dictionary(
        uniqueKeysWithValues: (1...Schema.version).map { ($0, RecordLayout(version: $0)) })

    private init(version: Int) {
        self.version = version
        tables = Dictionary(
            uniqueKeysWithValues: RecordKind.allCases.map { kind in
                let fields = kind.fields(inSchema: version)
                // Appended version by version; within a version, in the order its migration adds them.
                let added = (2...max(2, version)).flatMap { step in fields.filter { $0.since == step } }
                let columns =
                    ["id"] + fields.filter { $0.since == 1 }.map(\.name) + Provenance.keys + added.map(\.name)
                let quoted = columns.map { "\"\($0)\"" }
                return (
                    kind,
                    Table(
                        columns: columns,
                        insertSQL: "INSERT INTO \"\(kind.rawValue)\" (\(quoted.joined(separator: ", "))) VALUES ("
                            + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")",
                        updateSQL: "UPDATE \"\(kind.rawValue)\" SET "
                            + quoted.dropFirst().map { "\($0) = ?" }.joined(separator: ", ") + " WHERE id = ?")
                )
            })
    }

    /// All columns of a kind's table, in table order.
    func columns(of kind: RecordKind) -> [String] { tables[kind]!.columns }

    /// Inserts a whole row: its values in table order (``values(for:provenance:)``).
    func insertSQL(for kind: RecordKind) -> String { tables[kind]!.insertSQL }

    /// Rewrites a row but its id: the values in table order without the id, then the id.
    func updateSQL(for kind: RecordKind) -> String { tables[kind]!.updateSQL }

    /// Column values in table order.
    func values(for record: Record, provenance p: Provenance) -> [DatabaseValue] {
        columns(of: record.kind).map { column in
            switch column {
            case "id": return record.id.databaseValue
            case "created_at": return p.createdAt.databaseValue
            case "created_office": return p.createdOffice.databaseValue
            case "created_user": return p.createdUser.databaseValue
            case "updated_at": return p.updatedAt.databaseValue
            case "updated_office": return p.updatedOffice.databaseValue
            case "updated_user": return p.updatedUser.databaseValue
            case "version": return p.version.databaseValue
            case "deleted": return (p.deleted ? 1 : 0).databaseValue
            default: return RecordRows.databaseValue(record.fields[column])
            }
        }
    }

    /// Refuses a field this version does not have (a newer Treaty's), as an unknown one.
    func check(_ fields: some Sequence<String>, of kind: RecordKind) throws(RecordError) {
        for name in fields where kind.field(name).map({ $0.since > version }) ?? false {
            throw .unknownField(kind: kind, field: name)
        }
    }
}

/// Moving records between ``Record`` values and table rows.
enum RecordRows {
    /// The record a row of its table holds (`SELECT *`; a column no field has is passed over). One pass over the
    /// columns: looking each field up by name (GRDB folds the name's case at each lookup) was most of reading a
    /// record. A table of an older record schema has no column for a later field, and the record none of it.
    static func record(from row: Row, kind: RecordKind) -> Record {
        var id = ""
        var fields = [String: JSONValue](minimumCapacity: kind.fields.count)
        var p = Provenance(
            createdAt: "", createdOffice: "", createdUser: "", updatedAt: "", updatedOffice: "", updatedUser: "",
            version: 0, deleted: false)
        for (column, value) in row {
            switch column {
            case "id": id = String.fromDatabaseValue(value) ?? ""
            case "created_at": p.createdAt = String.fromDatabaseValue(value) ?? ""
            case "created_office": p.createdOffice = String.fromDatabaseValue(value) ?? ""
            case "created_user": p.createdUser = String.fromDatabaseValue(value) ?? ""
            case "updated_at": p.updatedAt = String.fromDatabaseValue(value) ?? ""
            case "updated_office": p.updatedOffice = String.fromDatabaseValue(value) ?? ""
            case "updated_user": p.updatedUser = String.fromDatabaseValue(value) ?? ""
            case "version": p.version = Int64.fromDatabaseValue(value) ?? 0
            case "deleted": p.deleted = Bool.fromDatabaseValue(value) ?? false
            default:
                guard !value.isNull, let field = kind.field(column) else { continue }
                fields[column] = json(value, type: field.type)
            }
        }
        return Record(kind: kind, id: id, fields: fields, provenance: p)
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

    /// Fetches one row of a known kind by full id.
    ///
    /// Hot lookups use cached statements: compiling one (and GRDB's authorizer pass over it) cost more than
    /// running it. They read the cursor's row in place: `Row.fetchOne` copies it first, every column name a new
    /// string.
    static func fetch(_ db: Database, kind: RecordKind, id: String) throws -> Record? {
        let statement = try db.cachedStatement(sql: "SELECT * FROM \"\(kind.rawValue)\" WHERE id = ?")
        let rows = try Row.fetchCursor(statement, arguments: [id])
        return try rows.next().map { record(from: $0, kind: kind) }
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
        let rows = try Row.fetchCursor(statement, arguments: [id])
        return try rows.next().flatMap { row in
            RecordKind(rawValue: row[0]).map { IndexEntry(kind: $0, seq: row[1]) }
        }
    }
}
