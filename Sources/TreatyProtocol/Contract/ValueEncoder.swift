import TreatyModel

/// Writes an `Encodable` straight into a ``JSONValue``: property names in snake_case (`bytesSent` as
/// `bytes_sent`), nil optionals left out, a ``JSONValue`` or a ``Record`` inside taken as it is. The mirror of
/// ``ValueDecoder``; no JSON text is written and parsed back on the way.
enum ValueEncoding {
    static func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        if let json = value as? JSONValue { return json }
        if let record = value as? Record { return record.json }
        let slot = Slot()
        try value.encode(to: ValueEncoder(slot: slot, codingPath: []))
        return slot.resolved
    }
}

/// Where one value is being written: nested containers write into slots of their own, read out at the end.
private final class Slot {
    enum Content {
        case empty
        case value(JSONValue)
        case object([String: Slot])
        case array([Slot])
    }

    var content = Content.empty

    var resolved: JSONValue {
        switch content {
        case .empty: return .object([:])
        case .value(let value): return value
        case .object(let slots): return .object(slots.mapValues(\.resolved))
        case .array(let slots): return .array(slots.map(\.resolved))
        }
    }

    func child(_ key: String) -> Slot {
        var slots: [String: Slot] = [:]
        if case .object(let existing) = content { slots = existing }
        if let slot = slots[key] { return slot }
        let slot = Slot()
        slots[key] = slot
        content = .object(slots)
        return slot
    }

    func appended() -> Slot {
        var slots: [Slot] = []
        if case .array(let existing) = content { slots = existing }
        let slot = Slot()
        slots.append(slot)
        content = .array(slots)
        return slot
    }

    func set(_ value: JSONValue) { content = .value(value) }

    /// A value of any `Encodable`, with the fast paths and primitives answered here.
    func write<T: Encodable>(_ value: T, codingPath: [CodingKey]) throws {
        switch value {
        case let json as JSONValue: set(json)
        case let record as Record: set(record.json)
        case let text as String: set(.string(text))
        case let flag as Bool: set(.bool(flag))
        case let number as Int: set(.int(Int64(number)))
        case let number as Int64: set(.int(number))
        case let number as Double: set(.double(number))
        case let map as any StringKeyed: try map.write(into: self, codingPath: codingPath)
        default: try value.encode(to: ValueEncoder(slot: self, codingPath: codingPath))
        }
    }
}

/// A string-keyed dictionary: its keys are data, written as they are, never put in snake_case.
private protocol StringKeyed {
    func write(into slot: Slot, codingPath: [CodingKey]) throws
}

extension Dictionary: StringKeyed where Key == String, Value: Encodable {
    fileprivate func write(into slot: Slot, codingPath: [CodingKey]) throws {
        if case .object = slot.content {} else { slot.content = .object([:]) }
        for (key, value) in self { try slot.child(key).write(value, codingPath: codingPath) }
    }
}

/// The wire name of a key: as written when it has no capital letter (most), else in snake_case.
private func wire(_ key: CodingKey) -> String {
    let name = key.stringValue
    return name.utf8.contains(where: { $0 >= 65 && $0 <= 90 }) ? ContractSchema.wireName(name) : name
}

private struct ValueEncoder: Encoder {
    let slot: Slot
    let codingPath: [CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = slot.content {} else { slot.content = .object([:]) }
        return KeyedEncodingContainer(KeyedSlots<Key>(slot: slot, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array = slot.content {} else { slot.content = .array([]) }
        return UnkeyedSlots(slot: slot, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleSlot(slot: slot, codingPath: codingPath) }
}

private struct KeyedSlots<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let slot: Slot
    let codingPath: [CodingKey]

    mutating func encodeNil(forKey key: Key) throws { slot.child(wire(key)).set(.null) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try slot.child(wire(key)).write(value, codingPath: codingPath + [key])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey>
    {
        ValueEncoder(slot: slot.child(wire(key)), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        ValueEncoder(slot: slot.child(wire(key)), codingPath: codingPath + [key]).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { ValueEncoder(slot: slot.child("super"), codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> any Encoder {
        ValueEncoder(slot: slot.child(wire(key)), codingPath: codingPath + [key])
    }
}

private struct UnkeyedSlots: UnkeyedEncodingContainer {
    let slot: Slot
    let codingPath: [CodingKey]
    var count: Int {
        if case .array(let slots) = slot.content { return slots.count }
        return 0
    }

    mutating func encodeNil() throws { slot.appended().set(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws { try slot.appended().write(value, codingPath: codingPath) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        ValueEncoder(slot: slot.appended(), codingPath: codingPath).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        ValueEncoder(slot: slot.appended(), codingPath: codingPath).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { ValueEncoder(slot: slot.appended(), codingPath: codingPath) }
}

private struct SingleSlot: SingleValueEncodingContainer {
    let slot: Slot
    let codingPath: [CodingKey]

    mutating func encodeNil() throws { slot.set(.null) }
    mutating func encode(_ value: String) throws { slot.set(.string(value)) }
    mutating func encode(_ value: Bool) throws { slot.set(.bool(value)) }
    mutating func encode(_ value: Int) throws { slot.set(.int(Int64(value))) }
    mutating func encode(_ value: Int64) throws { slot.set(.int(value)) }
    mutating func encode(_ value: Double) throws { slot.set(.double(value)) }
    mutating func encode(_ value: Float) throws { slot.set(.double(Double(value))) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        // A primitive's own encode(to:) comes back here with itself: answer it, do not recurse.
        switch value {
        case let integer as any BinaryInteger:
            if let exact = Int64(exactly: integer) { slot.set(.int(exact)) } else { slot.set(.double(Double(integer))) }
        case let number as any BinaryFloatingPoint: slot.set(.double(Double(number)))
        default: try slot.write(value, codingPath: codingPath)
        }
    }
}
