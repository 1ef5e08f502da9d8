import TreatyModel
import TreatyProtocol

/// JSON Schemas for records and their fields, from ``Schema``: the interface document and the daemon's
/// param checks use the same ones.
enum RecordSchemas {
    static let datePattern = "^[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$"
    static let timestampPattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$"

    static let id: JSONValue = ["type": "string", "pattern": .string(WirePattern.recordID), "description": "A record id, or an unambiguous prefix of one."]

    static func field(_ field: Field) -> JSONValue {
        var schema: [String: JSONValue]
        switch field.type {
        case .text: schema = ["type": "string", "minLength": 1]
        case .integer: schema = ["type": "integer"]
        case .number(let range):
            schema = ["type": "number"]
            if let range {
                schema["minimum"] = .double(range.lowerBound)
                schema["maximum"] = .double(range.upperBound)
            }
        case .boolean: schema = ["type": "boolean"]
        case .date: schema = ["type": "string", "pattern": .string(datePattern)]
        case .choice(let options): schema = ["type": "string", "enum": .array(options.map { .string($0) })]
        case .reference: schema = ["type": "string", "pattern": .string(WirePattern.recordID)]
        case .provisionType: schema = ["type": "string", "pattern": .string(WirePattern.provisionSlug)]
        }
        var description = field.doc
        if !field.referencedKinds.isEmpty {
            description += " (id of a " + field.referencedKinds.map(\.rawValue).joined(separator: " or ") + ")"
        }
        schema["description"] = .string(description)
        return .object(schema)
    }

    /// A stored record of `kind`, as methods return it: closed, provenance included.
    static func record(_ kind: RecordKind) -> JSONValue {
        var properties: [String: JSONValue] = [
            "type": ["type": "string", "enum": [.string(kind.rawValue)]],
            "id": ["type": "string", "pattern": .string(WirePattern.recordID)],
            "short_id": ["type": "string", "maxLength": 64, "description": "The shortest unambiguous prefix of id now."],
            "created_at": ["type": "string", "pattern": .string(timestampPattern)],
            "created_office": ["type": "string"], "created_user": ["type": "string"],
            "updated_at": ["type": "string", "pattern": .string(timestampPattern)],
            "updated_office": ["type": "string"], "updated_user": ["type": "string"],
            "version": ["type": "integer", "minimum": 1], "deleted": ["type": "boolean"],
        ]
        for field in kind.fields { properties[field.name] = self.field(field) }
        let required: [JSONValue] = ["type", "id"] + kind.fields.filter(\.required).map { .string($0.name) }
            + Provenance.keys.map { .string($0) }
        return [
            "title": .string(kind.rawValue), "description": .string(kind.summary), "type": "object",
            "properties": .object(properties), "required": .array(required), "additionalProperties": false,
        ]
    }

    static func reference(_ kind: RecordKind) -> JSONValue {
        ["$ref": .string("#/components/schemas/\(kind.rawValue)")]
    }

    /// Any record.
    static let anyRecord: JSONValue = ["oneOf": .array(RecordKind.allCases.map(reference))]

    /// The fields of `kind` that may be set, all optional: for `update`'s `set` and `list`'s `filter`.
    static func fields(_ kind: RecordKind, nullable: Bool) -> JSONValue {
        var properties: [String: JSONValue] = [:]
        for field in kind.fields {
            var schema = self.field(field)
            if nullable, case .object(var object) = schema, let type = object["type"] {
                object["type"] = [type, "null"]
                if case .array(let options)? = object["enum"] { object["enum"] = .array(options + [.null]) }
                schema = .object(object)
            }
            properties[field.name] = schema
        }
        return ["type": "object", "properties": .object(properties), "additionalProperties": false]
    }
}
