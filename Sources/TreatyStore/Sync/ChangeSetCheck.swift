import GRDB
import TreatyModel

/// Checks the rows of a signed change set before any of them is merged: a change set is signed by an admitted
/// office, but what it says is still input. The checks are those a local write of this schema passes too (a
/// stricter one would hold an honest office's change sets, and every later one of that office, forever). Each
/// table must be one this office syncs, with the columns of the record schema it was made with, each value of its column's type, each reference to a record that is here (a tombstone counts:
/// a reference to a record another office deleted concurrently survives the merge), and each update of a row
/// that is here. A change set that fails is held with the reason, never applied in part, and the daemon
/// never meets a value it cannot read back.
///
/// A change set is read twice, one row at a time (it may be hundreds of MB): each row is checked just before it is
/// merged (``refusal(_:_:)``), and the references of all of them once all are merged (``referenceRefusal(_:_:)``),
/// so that a row may refer to a record made later in the same change set. The caller merges in a savepoint and
/// rolls it back on the first refusal.
enum ChangeSetCheck {
    /// Why `row` cannot be merged here, or nil when it can (its references aside).
    /// `made` is the layout of the record schema the change set was made with: it names the row's columns.
    static func refusal(_ row: RowChange, made: RecordLayout, _ db: Database) throws -> String? {
        if row.table == "sync_conflict" { return conflictRefusal(row) }
        guard let kind = RecordKind(rawValue: row.table) else {
            return "it changes the table \"\(row.table.prefix(64))\", which offices do not sync"
        }
        return try refusal(row, kind: kind, made: made, db).map { "\(kind.rawValue): \($0)" }
    }

    /// Why a reference `row` makes does not hold once its whole change set is merged, or nil when all do.
    static func referenceRefusal(_ row: RowChange, made: RecordLayout, _ db: Database) throws -> String? {
        guard let kind = RecordKind(rawValue: row.table), case .string(let id)? = row.key.first?.storage else { return nil }
        let columns = made.columns(of: kind)
        for (index, value) in row.new.sorted(by: { $0.key < $1.key }) where index > 0 {
            guard let field = kind.field(columns[index]), case .string(let target) = value.storage else { continue }
            if let reason = try referenceRefusal(target, column: columns[index], type: field.type, db) {
                return "\(kind.rawValue): \(id): \(reason)"
            }
        }
        return nil
    }

    private static func conflictRefusal(_ row: RowChange) -> String? {
        // Only settling travels (a delete of the losing values); other changes to conflicts are ignored.
        guard row.operation == .delete else { return nil }
        let key = row.key
        guard row.columns == 7, key.count == 5, key.prefix(4).allSatisfy({ String.fromDatabaseValue($0) != nil }),
            Int64.fromDatabaseValue(key[4]) != nil
        else { return "it settles a conflict with a key that is not (table, id, field, office, sequence number)" }
        return nil
    }

    private static func refusal(_ row: RowChange, kind: RecordKind, made: RecordLayout, _ db: Database) throws
        -> String?
    {
        let columns = made.columns(of: kind)
        guard row.columns == columns.count else {
            return "it has \(row.columns) columns where record schema \(made.version) has \(columns.count): its columns "
                + "match no record schema it could be made with"
        }
        guard row.primaryKey == [true] + Array(repeating: false, count: columns.count - 1) else {
            return "its primary key is not the id column"
        }
        guard case .string(let id) = row.key.first?.storage, !id.isEmpty else {
            return "a row's id is not an id"
        }
        let here = try RecordRows.kind(of: id, db)
        if let here, here != kind { return "\(id) is \(Grammar.a(here.rawValue)) here" }
        switch row.operation {
        case .delete:
            return "it removes the row \(id); offices mark records deleted, they never remove them"
        case .update where here == nil:  // a changeset changes a row once: it cannot make it first
            return "it changes \(id), which this office never had"
        default:
            break
        }
        for (index, value) in row.new.sorted(by: { $0.key < $1.key }) where index > 0 {
            if let reason = refusal(value, column: columns[index], kind: kind) {
                return "\(id): \(reason)"
            }
        }
        return nil
    }

    /// Whether `value` fits column `column` (a field or a provenance column) of `kind`.
    private static func refusal(_ value: DatabaseValue, column: String, kind: RecordKind) -> String? {
        if case .blob = value.storage { return "\(column) holds bytes; no column does" }
        guard let field = kind.field(column) else { return provenanceRefusal(value, column: column) }
        if value.isNull { return field.required ? "\(column) is required and the change set leaves it empty" : nil }
        do {
            _ = try Record.check(RecordRows.json(value, type: field.type), against: field, kind: kind)
        } catch {
            return error.description
        }
        return nil
    }

    /// Whether the record `target` a field of type `type` names is here, of a kind it may name.
    private static func referenceRefusal(_ target: String, column: String, type: Field.ValueType, _ db: Database) throws
        -> String?
    {
        switch type {
        case .reference(let allowed):
            guard let actual = try RecordRows.kind(of: target, db) else {
                return "\(column) refers to \(target), which this office does not have"
            }
            return allowed.contains(actual) ? nil : "\(column) refers to \(target), \(Grammar.a(actual.rawValue))"
        case .provisionType:
            if ProvisionVocabulary.builtInSlugs.contains(target) { return nil }
            let defined = try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT 1 FROM provision_type WHERE id = ?"), arguments: [target]) ?? false
            return defined ? nil : "\(column) names the provision type \(target), which this office does not have"
        default:
            return nil
        }
    }

    private static func provenanceRefusal(_ value: DatabaseValue, column: String) -> String? {
        switch column {
        case "version":
            guard let version = Int64.fromDatabaseValue(value), case .int64 = value.storage, version >= 1 else {
                return "version is not a whole number from 1"
            }
        case "deleted":
            guard case .int64(let flag) = value.storage, flag == 0 || flag == 1 else { return "deleted is not 0 or 1" }
        case "created_at", "updated_at":
            guard case .string(let text) = value.storage, Timestamp.isValid(text) else {
                return "\(column) is not a timestamp"
            }
        default:
            guard case .string = value.storage else { return "\(column) is not text" }
        }
        return nil
    }
}
