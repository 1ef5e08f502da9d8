import TreatyClient
import TreatyModel

/// `field=value` arguments, typed by the kind's schema. An empty value (`note=`) clears a field in an edit.
enum FieldAssignments {
    static func parse(_ arguments: [String], kind: RecordKind, client: TreatyClient) async throws -> [String: JSONValue] {
        var fields: [String: JSONValue] = [:]
        for argument in arguments {
            guard let equals = argument.firstIndex(of: "=") else {
                throw CLIFailure("expected field=value, got \"\(argument)\"; fields of \(kind.rawValue): \(names(kind))", code: 2)
            }
            let name = String(argument[..<equals])
            let text = String(argument[argument.index(after: equals)...])
            if name == "id" {
                fields["id"] = .string(text)
                continue
            }
            guard let field = kind.field(name) else {
                throw CLIFailure("\(kind.rawValue) has no field \"\(name)\"; its fields: \(names(kind))", code: 2)
            }
            fields[name] = try await value(text, for: field, kind: kind, client: client)
        }
        return fields
    }

    static func names(_ kind: RecordKind) -> String {
        kind.fields.map { $0.required ? $0.name + "*" : $0.name }.joined(separator: ", ") + "  (* required)"
    }

    static func value(_ text: String, for field: Field, kind: RecordKind, client: TreatyClient) async throws -> JSONValue {
        if text.isEmpty { return .null }
        switch field.type {
        case .integer:
            guard let i = Int64(text) else { throw CLIFailure("\(kind.rawValue).\(field.name) must be a whole number, not \"\(text)\"", code: 2) }
            return .int(i)
        case .number:
            guard let d = Double(text) else { throw CLIFailure("\(kind.rawValue).\(field.name) must be a number, not \"\(text)\"", code: 2) }
            return .double(d)
        case .boolean:
            guard let b = Bool(text) else { throw CLIFailure("\(kind.rawValue).\(field.name) must be true or false", code: 2) }
            return .bool(b)
        case .reference(let kinds):
            // Short ids and prefixes are what people type, or a name (an actor's ISO3 code too); the daemon
            // stores full ids.
            return .string(try await NameResolution.id(text, kinds: kinds, client: client))
        default:
            return .string(text)
        }
    }
}
