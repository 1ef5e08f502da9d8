import TreatyModel

/// The JSON Schema of a shape, derived from the type itself: it is decoded once by a decoder that answers every
/// question with a placeholder and writes down what was asked (a property and its type, whether it may be left
/// out). So the published schema is what the code reads and writes, not a second description of it.
public enum ContractSchema {
    /// The schema of `type`: objects closed (`additionalProperties: false`), non-optional properties required.
    public static func of<T: Decodable>(_ type: T.Type) -> JSONValue {
        derive(type).schema
    }

    /// The schema and a placeholder value (empty strings, zeros, one case of each enumeration).
    static func derive<T: Decodable>(_ type: T.Type) -> (schema: JSONValue, value: T?) {
        if let special = T.self as? any SchemaSpecial.Type {
            return (special.specialSchema, special.placeholder as? T)
        }
        if let enumeration = T.self as? any CaseIterable.Type, let (values, first) = stringCases(enumeration) {
            return (["type": "string", "enum": .array(values.map { .string($0) })], first as? T)
        }
        if let primitive = primitive(T.self) { return primitive }
        let node = Node()
        let value: T
        do {
            value = try T(from: SchemaDecoder(node: node, codingPath: []))
        } catch {
            // A shape whose init(from:) refuses the placeholders would publish a wrong schema: stop here instead.
            preconditionFailure("no schema can be derived for \(T.self): \(error)")
        }
        var schema = node.schema
        if let shape = T.self as? any RPCShape.Type { schema = annotate(schema, with: shape.fieldNotes) }
        return (schema, value)
    }

    /// The raw values of a string-valued enumeration, and one of its cases.
    private static func stringCases<E: CaseIterable>(_ type: E.Type) -> ([String], Any?)? {
        let values = type.allCases.compactMap { ($0 as? any RawRepresentable)?.rawValue as? String }
        guard !values.isEmpty, values.count == type.allCases.count else { return nil }
        return (values, type.allCases.first)
    }

    /// The wire name of a Swift property name, as `JSONEncoder`'s `.convertToSnakeCase` writes it.
    public static func wireName(_ name: String) -> String {
        // Most names have no capital letter: they are their own wire name (this runs for every key read or written).
        if !name.utf8.contains(where: { $0 >= 65 && $0 <= 90 || $0 >= 128 }) { return name }
        var words: [String] = []
        var word = ""
        let characters = Array(name)
        for (index, character) in characters.enumerated() {
            let next = index + 1 < characters.count ? characters[index + 1] : nil
            let previous = index > 0 ? characters[index - 1] : nil
            let startsWord = character.isUppercase && !word.isEmpty
                && (previous.map { !$0.isUppercase } ?? false || next.map { $0.isLowercase } ?? false)
            if startsWord {
                words.append(word)
                word = ""
            }
            word.append(character)
        }
        if !word.isEmpty { words.append(word) }
        return words.map { $0.lowercased() }.joined(separator: "_")
    }

    /// "a string", "an integer": a type in the words of JSON, for error messages.
    static func typeWords(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "a boolean"
        case is Double.Type, is Float.Type: return "a number"
        case is any FixedWidthInteger.Type: return "an integer"
        case is any RPCEnum.Type: return "one of its known values"
        default: return "of the expected type"
        }
    }

    private static func primitive<T>(_ type: T.Type) -> (schema: JSONValue, value: T?)? {
        if type == String.self { return (["type": "string"], "" as? T) }
        if type == Bool.self { return (["type": "boolean"], false as? T) }
        if let integer = type as? any BinaryInteger.Type {
            return (integer.isSigned ? ["type": "integer"] : ["type": "integer", "minimum": 0], integer.zero as? T)
        }
        if let number = type as? any BinaryFloatingPoint.Type { return (["type": "number"], number.zero as? T) }
        return nil
    }

    private static func annotate(_ schema: JSONValue, with notes: [String: JSONValue]) -> JSONValue {
        guard !notes.isEmpty, case .object(var object) = schema, case .object(var properties)? = object["properties"] else {
            return schema
        }
        for (name, note) in notes {
            guard case .object(var property)? = properties[name] else {
                preconditionFailure("a note for \"\(name)\", which the shape does not have")
            }
            for (key, value) in note.objectValue ?? [:] { property[key] = value }
            properties[name] = .object(property)
        }
        object["properties"] = .object(properties)
        return .object(object)
    }

    /// What one decode asked for: the properties of a keyed container, or the schema of a single value.
    final class Node {
        var isObject = false
        var properties: [String: JSONValue] = [:]
        var required: [String] = []
        var single: JSONValue = [:]

        var schema: JSONValue {
            guard isObject else { return single }
            var object: [String: JSONValue] = [
                "type": "object", "additionalProperties": false, "properties": .object(properties),
            ]
            if !required.isEmpty { object["required"] = .array(required.map { .string($0) }) }
            return .object(object)
        }
    }
}

/// Types whose schema is not a decode of their parts: arrays, string-keyed dictionaries, any JSON.
protocol SchemaSpecial {
    static var specialSchema: JSONValue { get }
    static var placeholder: Any { get }
}

extension Array: SchemaSpecial where Element: Decodable {
    static var specialSchema: JSONValue { ["type": "array", "items": ContractSchema.derive(Element.self).schema] }
    static var placeholder: Any { [Element]() }
}

extension Dictionary: SchemaSpecial where Key == String, Value: Decodable {
    static var specialSchema: JSONValue {
        ["type": "object", "additionalProperties": ContractSchema.derive(Value.self).schema]
    }
    static var placeholder: Any { [String: Value]() }
}

extension JSONValue: SchemaSpecial {
    static var specialSchema: JSONValue { [:] }
    static var placeholder: Any { JSONValue.null }
}

/// Answers a type's `init(from:)` with placeholders and records each property it reads.
private struct SchemaDecoder: Decoder {
    let node: ContractSchema.Node
    let codingPath: [CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        node.isObject = true
        return KeyedDecodingContainer(KeyedSchemaContainer<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch(
            [Any].self, .init(codingPath: codingPath, debugDescription: "a schema is derived only for arrays of Decodable"))
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleSchemaContainer(node: node, codingPath: codingPath)
    }
}

private struct KeyedSchemaContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let node: ContractSchema.Node
    let codingPath: [CodingKey]
    var allKeys: [Key] { [] }

    func contains(_ key: Key) -> Bool { true }
    func decodeNil(forKey key: Key) throws -> Bool { false }

    private func record<T: Decodable>(_ type: T.Type, _ key: Key, required: Bool) -> T? {
        let name = ContractSchema.wireName(key.stringValue)
        let (schema, value) = ContractSchema.derive(type)
        node.properties[name] = schema
        if required { node.required.append(name) }
        return value
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        guard let value = record(type, key, required: true) else {
            throw DecodingError.valueNotFound(type, .init(codingPath: codingPath + [key], debugDescription: "no placeholder"))
        }
        return value
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        _ = record(type, key, required: false)
        return nil
    }

    // The standard library's own decodeIfPresent for each primitive would ask decode, marking it required.
    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        _ = record(type, key, required: false)
        return nil
    }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        _ = record(type, key, required: false)
        return nil
    }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? {
        _ = record(type, key, required: false)
        return nil
    }
    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? {
        _ = record(type, key, required: false)
        return nil
    }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
        _ = record(type, key, required: false)
        return nil
    }
    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? {
        _ = record(type, key, required: false)
        return nil
    }
    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? {
        _ = record(type, key, required: false)
        return nil
    }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? {
        _ = record(type, key, required: false)
        return nil
    }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? {
        _ = record(type, key, required: false)
        return nil
    }
    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? {
        _ = record(type, key, required: false)
        return nil
    }
    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? {
        _ = record(type, key, required: false)
        return nil
    }
    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? {
        _ = record(type, key, required: false)
        return nil
    }
    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? {
        _ = record(type, key, required: false)
        return nil
    }
    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? {
        _ = record(type, key, required: false)
        return nil
    }


    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        throw DecodingError.typeMismatch(
            type, .init(codingPath: codingPath + [key], debugDescription: "nested containers have no derived schema"))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch(
            [Any].self, .init(codingPath: codingPath + [key], debugDescription: "nested containers have no derived schema"))
    }

    func superDecoder() throws -> any Decoder { SchemaDecoder(node: node, codingPath: codingPath) }
    func superDecoder(forKey key: Key) throws -> any Decoder { SchemaDecoder(node: node, codingPath: codingPath + [key]) }
}

/// A type that decodes itself from one value (a wrapper): its schema is that value's.
private struct SingleSchemaContainer: SingleValueDecodingContainer {
    let node: ContractSchema.Node
    let codingPath: [CodingKey]

    func decodeNil() -> Bool { false }


    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (schema, value) = ContractSchema.derive(type)
        node.single = schema
        guard let value else {
            throw DecodingError.valueNotFound(type, .init(codingPath: codingPath, debugDescription: "no placeholder"))
        }
        return value
    }
}


extension Record: SchemaSpecial {
    static var specialSchema: JSONValue {
        ["type": "object", "description": "A record: its type, id, fields and provenance (components/schemas has each kind)."]
    }
    static var placeholder: Any { Record(kind: .agreement, id: "", fields: [:]) }
}
