#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Who made a record and who changed it last, and when. Every synced row carries it.
public struct Provenance: Sendable, Hashable {
    /// ISO 8601 UTC time with milliseconds.
    public var createdAt: String
    /// The id of the office that created the record.
    public var createdOffice: String
    /// The local user who created it.
    public var createdUser: String
    public var updatedAt: String
    public var updatedOffice: String
    public var updatedUser: String
    /// Starts at 1 and grows by one with each change; an edit names the version it edits.
    public var version: Int64
    /// A deleted record stays as a tombstone so the delete can travel to other offices.
    public var deleted: Bool

    public init(
        createdAt: String, createdOffice: String, createdUser: String, updatedAt: String, updatedOffice: String,
        updatedUser: String, version: Int64, deleted: Bool
    ) {
        self.createdAt = createdAt
        self.createdOffice = createdOffice
        self.createdUser = createdUser
        self.updatedAt = updatedAt
        self.updatedOffice = updatedOffice
        self.updatedUser = updatedUser
        self.version = version
        self.deleted = deleted
    }

    /// The JSON keys of provenance, as written in the interchange format.
    public static let keys = [
        "created_at", "created_office", "created_user", "updated_at", "updated_office", "updated_user", "version",
        "deleted",
    ]
}

/// One record of any kind: its id, its fields by name and its provenance.
///
/// `fields` holds only the fields that have a value; a field that is absent is unknown, never guessed.
public struct Record: Sendable, Hashable {
    public var kind: RecordKind
    public var id: String
    public var fields: [String: JSONValue]
    /// Nil for a record that has not been stored yet.
    public var provenance: Provenance?

    public init(kind: RecordKind, id: String, fields: [String: JSONValue], provenance: Provenance? = nil) {
        self.kind = kind
        self.id = id
        self.fields = fields
        self.provenance = provenance
    }

    public subscript(field: String) -> JSONValue? {
        get { fields[field] }
        set { fields[field] = newValue }
    }

    /// The text of a field, if it has one.
    public func text(_ field: String) -> String? { fields[field]?.stringValue }

    /// The JSON form: `{"type": ..., "id": ..., fields..., provenance...}`.
    public var json: JSONValue {
        var object = fields
        // Room for what is added here and a short id: one copy of the fields, not a copy at each growth.
        object.reserveCapacity(fields.count + 11)
        object["type"] = .string(kind.rawValue)
        object["id"] = .string(id)
        if let p = provenance {
            object["created_at"] = .string(p.createdAt)
            object["created_office"] = .string(p.createdOffice)
            object["created_user"] = .string(p.createdUser)
            object["updated_at"] = .string(p.updatedAt)
            object["updated_office"] = .string(p.updatedOffice)
            object["updated_user"] = .string(p.updatedUser)
            object["version"] = .int(p.version)
            object["deleted"] = .bool(p.deleted)
        }
        return .object(object)
    }

    /// Reads a record from its JSON form, checking every field against the schema.
    ///
    /// `id` and provenance may be absent (a new record); when provenance is present it must be whole.
    /// - Throws: ``RecordError`` naming the field that is wrong.
    public init(json: JSONValue) throws(RecordError) {
        guard case .object(var object) = json else { throw .notAnObject(json.typeName) }
        guard let typeValue = object.removeValue(forKey: "type") else { throw .missingType }
        guard let typeName = typeValue.stringValue, let kind = RecordKind(rawValue: typeName) else {
            throw .unknownType(typeValue.stringValue ?? typeValue.typeName)
        }
        var id = ""
        if let idValue = object.removeValue(forKey: "id") {
            guard let text = idValue.stringValue, RecordID.isValid(text) else {
                throw .invalidID(idValue.stringValue ?? idValue.typeName)
            }
            id = text
        }
        var provenanceValues: [String: JSONValue] = [:]
        for key in Provenance.keys {
            if let value = object.removeValue(forKey: key) { provenanceValues[key] = value }
        }
        let provenance = try Record.provenance(from: provenanceValues, kind: kind)
        let fields = try Record.validate(fields: object, of: kind, requireAll: true)
        self.init(kind: kind, id: id, fields: fields, provenance: provenance)
    }

    /// Checks field values against the kind's schema: known names, right types, choices, dates, ranges.
    ///
    /// Nulls are dropped (an absent field means unknown). With `requireAll`, required fields must be
    /// present and defaults are filled in; without it (a patch), only the given fields are checked.
    public static func validate(
        fields: [String: JSONValue], of kind: RecordKind, requireAll: Bool
    ) throws(RecordError) -> [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        for name in fields.keys.sorted() {
            let value = fields[name]!
            guard let field = kind.field(name) else { throw .unknownField(kind: kind, field: name) }
            if value.isNull {
                if field.required && !requireAll { throw .missingField(kind: kind, field: name) }
                continue
            }
            result[name] = try check(value, against: field, kind: kind)
        }
        if requireAll {
            for field in kind.fields where result[field.name] == nil {
                if let value = field.defaultValue {
                    result[field.name] = value
                } else if field.required {
                    throw .missingField(kind: kind, field: field.name)
                }
            }
        }
        return result
    }

    /// Checks one non-null value of `field` as ``validate(fields:of:requireAll:)`` checks it; returns it as
    /// stored (a provision type in its canonical spelling). For a caller that has the field already (a merge checks
    /// every column of every row it receives).
    public static func check(_ value: JSONValue, against field: Field, kind: RecordKind) throws(RecordError)
        -> JSONValue
    {
        func wrong(_ expected: String) -> RecordError {
            .wrongType(kind: kind, field: field.name, expected: expected, got: value.typeName)
        }
        switch field.type {
        case .text:
            guard let s = value.stringValue else { throw wrong("string") }
            guard !s.isEmpty else { throw .invalidValue(kind: kind, field: field.name, value: s, reason: "is empty") }
            return value
        case .integer:
            guard let i = value.intValue else { throw wrong("integer") }
            return .int(i)
        case .number(let range):
            guard let d = value.doubleValue else { throw wrong("number") }
            if let range, !range.contains(d) {
                throw .invalidValue(
                    kind: kind, field: field.name, value: String(d),
                    reason: "must be between \(range.lowerBound) and \(range.upperBound)")
            }
            return .double(d)
        case .boolean:
            guard value.boolValue != nil else { throw wrong("boolean") }
            return value
        case .date:
            guard let s = value.stringValue else { throw wrong("date string") }
            guard PartialDate(s) != nil else {
                throw .invalidValue(
                    kind: kind, field: field.name, value: s,
                    reason: "is not a real date of the form YYYY, YYYY-MM or YYYY-MM-DD")
            }
            return value
        case .choice(let options):
            guard let s = value.stringValue else { throw wrong("string") }
            guard options.contains(s) else {
                throw .invalidValue(
                    kind: kind, field: field.name, value: s, reason: "must be one of \(options.joined(separator: ", "))")
            }
            return value
        case .reference:
            guard let s = value.stringValue else { throw wrong("record id") }
            guard RecordID.isValid(s) else { throw .invalidID(s) }
            return value
        case .provisionType:
            guard let s = value.stringValue else { throw wrong("provision type slug") }
            guard ProvisionVocabulary.isWellFormed(s) else {
                throw .invalidValue(
                    kind: kind, field: field.name, value: s,
                    reason: "is not a slug (lowercase letters, digits and hyphens)")
            }
            return .string(ProvisionVocabulary.canonical(s))
        }
    }

    private static func provenance(from values: [String: JSONValue], kind: RecordKind) throws(RecordError)
        -> Provenance?
    {
        if values.isEmpty { return nil }
        func text(_ key: String) throws(RecordError) -> String {
            guard let value = values[key] else { throw .missingField(kind: kind, field: key) }
            guard let s = value.stringValue, !s.isEmpty else {
                throw .wrongType(kind: kind, field: key, expected: "string", got: value.typeName)
            }
            return s
        }
        guard let versionValue = values["version"] else { throw .missingField(kind: kind, field: "version") }
        guard let version = versionValue.intValue, version >= 1 else {
            throw .wrongType(kind: kind, field: "version", expected: "integer >= 1", got: versionValue.typeName)
        }
        guard let deletedValue = values["deleted"] else { throw .missingField(kind: kind, field: "deleted") }
        guard let deleted = deletedValue.boolValue else {
            throw .wrongType(kind: kind, field: "deleted", expected: "boolean", got: deletedValue.typeName)
        }
        for key in ["created_at", "updated_at"] {
            let s = try text(key)
            guard Timestamp.isValid(s) else {
                throw .invalidValue(kind: kind, field: key, value: s, reason: "is not a UTC time like 2025-10-07T09:30:00.000Z")
            }
        }
        return Provenance(
            createdAt: try text("created_at"), createdOffice: try text("created_office"),
            createdUser: try text("created_user"), updatedAt: try text("updated_at"),
            updatedOffice: try text("updated_office"), updatedUser: try text("updated_user"), version: version,
            deleted: deleted)
    }
}

/// A record that does not fit the schema.
public enum RecordError: Error, Sendable, Equatable, CustomStringConvertible {
    case notAnObject(String)
    case missingType
    case unknownType(String)
    case invalidID(String)
    case unknownField(kind: RecordKind, field: String)
    case missingField(kind: RecordKind, field: String)
    case wrongType(kind: RecordKind, field: String, expected: String, got: String)
    case invalidValue(kind: RecordKind, field: String, value: String, reason: String)

    public var description: String {
        switch self {
        case .notAnObject(let got): return "a record must be a JSON object, not \(got)"
        case .missingType: return "the record has no \"type\""
        case .unknownType(let t):
            return "unknown record type \"\(t)\"; known: \(RecordKind.allCases.map(\.rawValue).joined(separator: ", "))"
        case .invalidID(let id): return "\"\(id)\" is not a valid record id (1-64 of a-z, 0-9 and -)"
        case .unknownField(let kind, let field):
            return "\(kind.rawValue) has no field \"\(field)\"; its fields: \(kind.fields.map(\.name).joined(separator: ", "))"
        case .missingField(let kind, let field): return "\(kind.rawValue) needs \"\(field)\""
        case .wrongType(let kind, let field, let expected, let got):
            return "\(kind.rawValue).\(field) must be \(Grammar.a(expected)), not \(got)"
        case .invalidValue(let kind, let field, let value, let reason):
            return "\(kind.rawValue).\(field) \"\(value)\" \(reason)"
        }
    }

    /// The field at fault, where there is one.
    public var field: String? {
        switch self {
        case .unknownField(_, let f), .missingField(_, let f), .wrongType(_, let f, _, _), .invalidValue(_, let f, _, _):
            return f
        default: return nil
        }
    }
}

extension Record: Codable {
    /// Encodes as the JSON form, ``json``.
    public func encode(to encoder: Encoder) throws { try json.encode(to: encoder) }

    /// Reads a record as the daemon sends it: its type, id and provenance checked, its fields taken as they are
    /// (the daemon checked them when they were written; a newer daemon's extra field is shown, not refused). A
    /// `short_id` beside the fields is let go.
    public init(from decoder: Decoder) throws {
        guard case .object(var object) = try JSONValue(from: decoder) else {
            throw DecodingError.typeMismatch(
                Record.self, .init(codingPath: decoder.codingPath, debugDescription: "a record is a JSON object"))
        }
        object["short_id"] = nil
        do throws(RecordError) {
            guard let typeValue = object.removeValue(forKey: "type") else { throw .missingType }
            guard let kind = typeValue.stringValue.flatMap(RecordKind.init(rawValue:)) else {
                throw .unknownType(typeValue.stringValue ?? typeValue.typeName)
            }
            guard let id = object.removeValue(forKey: "id")?.stringValue else { throw .missingField(kind: kind, field: "id") }
            var provenance: [String: JSONValue] = [:]
            for key in Provenance.keys {
                if let value = object.removeValue(forKey: key) { provenance[key] = value }
            }
            self.init(
                kind: kind, id: id, fields: object.filter { !$0.value.isNull },
                provenance: try Record.provenance(from: provenance, kind: kind))
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }
}

