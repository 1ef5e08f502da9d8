import TreatyModel

/// Writes an `Encodable` straight into a ``JSONValue``: property names in snake_case (`bytesSent` as
/// `bytes_sent`), nil optionals left out, a ``JSONValue`` or a ``Record`` inside taken as it is. The mirror of
/// ``ValueDecoder``; no JSON text is written and parsed back on the way.
enum ValueEncoding {
    static func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        try json(value, codingPath: [])
    }

    /// One value: primitives, a ``JSONValue`` and a ``Record`` answered here, anything else encoded into a slot.
    fileprivate static func json<T: Encodable>(_ value: T, codingPath: [CodingKey]) throws -> JSONValue {
        switch value {
        case let text as String: return .string(text)
        case let number as Int: return .int(Int64(number))
        case let flag as Bool: return .bool(flag)
        case let number as Double: return .double(number)
        case let number as Int64: return .int(number)
        case let json as JSONValue: return json
        case let record as Record: return record.json
        default:
            if let map = value as? any StringKeyed { return try map.json(codingPath: codingPath) }
            let slot = Slot()
            try value.encode(to: ValueEncoder(slot: slot, codingPath: codingPath))
            return slot.resolved
        }
    }
}

/// Where one value is being written; a nested container writes into a slot of its own, read out at the end.
private final class Slot {
    enum Part {
        case value(JSONValue)
        case slot(Slot)

        var resolved: JSONValue {
            switch self {
            case .value(let value): return value
            case .slot(let slot): return slot.resolved
            }
        }
    }

    var single: JSONValue?
    var object: [String: Part]?
    var array: [Part]?

    var resolved: JSONValue {
        if let object { return .object(object.mapValues(\.resolved)) }
        if let array { return .array(array.map(\.resolved)) }
        return single ?? .object([:])
    }
}

/// A string-keyed dictionary: its keys are data, written as they are, never put in snake_case.
private protocol StringKeyed {
    func json(codingPath: [CodingKey]) throws -> JSONValue
}

extension Dictionary: StringKeyed where Key == String, Value: Encodable {
    fileprivate func json(codingPath: [CodingKey]) throws -> JSONValue {
        .object(try mapValues { try ValueEncoding.json($0, codingPath: codingPath) })
    }
}

private struct ValueEncoder: Encoder {
    let slot: Slot
    let codingPath: [CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if slot.object == nil { slot.object = [:] }
        return KeyedEncodingContainer(KeyedSlots<Key>(slot: slot, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if slot.array == nil { slot.array = [] }
        return UnkeyedSlots(slot: slot, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleSlot(slot: slot, codingPath: codingPath) }
}

private struct KeyedSlots<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let slot: Slot
    let codingPath: [CodingKey]

    mutating func encodeNil(forKey key: Key) throws { slot.object![ContractSchema.wireName(key.stringValue)] = .value(.null) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        slot.object![ContractSchema.wireName(key.stringValue)] = .value(try ValueEncoding.json(value, codingPath: codingPath + [key]))
    }

    private func child(_ key: Key) -> Slot {
        let child = Slot()
        slot.object![ContractSchema.wireName(key.stringValue)] = .slot(child)
        return child
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey>
    {
        ValueEncoder(slot: child(key), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        ValueEncoder(slot: child(key), codingPath: codingPath + [key]).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        let child = Slot()
        slot.object!["super"] = .slot(child)
        return ValueEncoder(slot: child, codingPath: codingPath)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder { ValueEncoder(slot: child(key), codingPath: codingPath + [key]) }
}

private struct UnkeyedSlots: UnkeyedEncodingContainer {
    let slot: Slot
    let codingPath: [CodingKey]
    var count: Int { slot.array?.count ?? 0 }

    mutating func encodeNil() throws { slot.array!.append(.value(.null)) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        slot.array!.append(.value(try ValueEncoding.json(value, codingPath: codingPath)))
    }

    private func child() -> Slot {
        let child = Slot()
        slot.array!.append(.slot(child))
        return child
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        ValueEncoder(slot: child(), codingPath: codingPath).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        ValueEncoder(slot: child(), codingPath: codingPath).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { ValueEncoder(slot: child(), codingPath: codingPath) }
}

private struct SingleSlot: SingleValueEncodingContainer {
    let slot: Slot
    let codingPath: [CodingKey]

    mutating func encodeNil() throws { slot.single = .null }
    mutating func encode(_ value: String) throws { slot.single = .string(value) }
    mutating func encode(_ value: Bool) throws { slot.single = .bool(value) }
    mutating func encode(_ value: Int) throws { slot.single = .int(Int64(value)) }
    mutating func encode(_ value: Int64) throws { slot.single = .int(value) }
    mutating func encode(_ value: Double) throws { slot.single = .double(value) }
    mutating func encode(_ value: Float) throws { slot.single = .double(Double(value)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        // A primitive's own encode(to:) comes back here with itself: answer it, do not recurse.
        switch value {
        case let integer as any BinaryInteger:
            slot.single = Int64(exactly: integer).map { .int($0) } ?? .double(Double(integer))
        case let number as any BinaryFloatingPoint: slot.single = .double(Double(number))
        default: slot.single = try ValueEncoding.json(value, codingPath: codingPath)
        }
    }
}
