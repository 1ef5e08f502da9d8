import TreatyModel
import TreatyProtocol
import TreatySync

/// Everything the store refuses, with what a user needs to act on it.
///
/// ``name`` is stable: the daemon sends it as `error.data.name`, scripts match on it.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The database was written by a newer Treaty; it is left untouched.
    case newerSchema(path: String, found: Int, supported: Int)
    case notFound(String)
    case ambiguous(prefix: String, candidates: [String])
    /// A record that does not fit the schema; `line` is set during an import.
    case invalidRecord(TreatyModel.RecordError, line: Int?)
    case invalidJSON(String, line: Int?)
    case danglingReference(kind: RecordKind, field: String, target: String, line: Int?)
    case wrongReferenceKind(kind: RecordKind, field: String, target: String, actual: RecordKind, line: Int?)
    /// A slug no provision type has, and the known ones near it.
    case unknownProvisionType(String, near: [String] = [], line: Int?)
    case duplicateID(String, line: Int?)
    /// An edit named a version that is no longer the current one: someone else changed the record.
    case staleVersion(id: String, given: Int64, current: Int64)
    case deleted(String)
    case wrongKind(id: String, expected: RecordKind, actual: RecordKind)
    case invalidArgument(String)
    case officeKey(String)
    /// A bundle or change set refused before anything in it was applied.
    case sync(SyncError)
    case io(String)
    case database(String)
    /// An import with several bad lines: each one's error, up to 20, and how many
    /// lines were bad in all.
    indirect case badLines([StoreError], total: Int)

    /// A stable machine-readable name.
    public var name: ErrorName {
        switch self {
        case .newerSchema: return .newerSchema
        case .notFound: return .notFound
        case .ambiguous: return .ambiguousID
        case .invalidRecord: return .invalidRecord
        case .invalidJSON: return .invalidJSON
        case .danglingReference: return .danglingReference
        case .wrongReferenceKind: return .wrongReferenceKind
        case .unknownProvisionType: return .unknownProvisionType
        case .duplicateID: return .duplicateID
        case .staleVersion: return .staleVersion
        case .deleted: return .deleted
        case .wrongKind: return .wrongKind
        case .invalidArgument: return .invalidArgument
        case .officeKey: return .officeKey
        case .sync: return .bundleRefused
        case .io: return .ioError
        case .database: return .databaseError
        case .badLines(let errors, _): return errors.first?.name ?? .invalidRecord
        }
    }

    /// The line of an import the error is about, if any.
    public var line: Int? {
        switch self {
        case .invalidRecord(_, let line), .invalidJSON(_, let line), .danglingReference(_, _, _, let line),
            .wrongReferenceKind(_, _, _, _, let line), .unknownProvisionType(_, _, let line), .duplicateID(_, let line):
            return line
        case .badLines(let errors, _): return errors.first?.line
        default: return nil
        }
    }

    public var description: String {
        let at = line.map { "line \($0): " } ?? ""
        switch self {
        case .newerSchema(let path, let found, let supported):
            return "\(path) has schema version \(found), newer than this Treaty supports (\(supported)); "
                + "upgrade Treaty. The database was not changed."
        case .notFound(let id): return "no record \"\(id)\""
        case .ambiguous(let prefix, let candidates):
            return "\"\(prefix)\" is ambiguous: it starts \(candidates.joined(separator: ", ")); type more of it"
        case .invalidRecord(let error, _): return at + error.description
        case .invalidJSON(let why, _): return at + "not a JSON record: \(why)"
        case .danglingReference(let kind, let field, let target, _):
            return at + "\(kind.rawValue).\(field) refers to \"\(target)\", which does not exist"
        case .wrongReferenceKind(let kind, let field, let target, let actual, _):
            let allowed = kind.field(field)?.referencedKinds.map(\.rawValue).joined(separator: " or ") ?? "?"
            return at + "\(kind.rawValue).\(field) must refer to \(Grammar.a(allowed)), but \"\(target)\" is \(Grammar.a(actual.rawValue))"
        case .unknownProvisionType(let slug, let near, _):
            // Without the store's list at hand, the built-in types and their other spellings, as resolve names them.
            var suggested = near
            if suggested.isEmpty {
                do throws(UnknownProvisionType) { _ = try ProvisionVocabulary.resolve(slug, defined: []) } catch { suggested = error.near }
            }
            return at + UnknownProvisionType(text: slug, near: suggested).description
        case .duplicateID(let id, _): return at + "a record with id \"\(id)\" is already in the import"
        case .staleVersion(let id, let given, let current):
            return "\(id) is at version \(current), not \(given): someone changed it since you read it; "
                + "read it again and redo the edit"
        case .deleted(let id): return "\(id) is deleted"
        case .wrongKind(let id, let expected, let actual):
            return "\(id) is \(Grammar.a(actual.rawValue)), not \(Grammar.a(expected.rawValue))"
        case .invalidArgument(let why): return why
        case .officeKey(let why): return "office key: \(why)"
        case .sync(let error): return error.description
        case .io(let why): return why
        case .database(let why): return "database: \(why)"
        case .badLines(let errors, let total):
            let more = total > errors.count ? "\n(\(total - errors.count) more bad lines not listed)" : ""
            return "\(total) bad lines; nothing was imported:\n" + errors.map(\.description).joined(separator: "\n") + more
        }
    }
}
