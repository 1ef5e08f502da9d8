import TreatyModel

/// Reads a `Decodable` straight out of a ``JSONValue`` the parser already built: no second serialization, and a
/// ``JSONValue`` inside it (a record's fields) taken as it is rather than probed type by type. Property names are
/// looked up as written, then in snake_case (`bytesSent` as `bytes_sent`), as ``RPCCoding/json(_:)`` writes them.
struct ValueDecoder: Decoder, JSONValueCarrying {
    let jsonValue: JSONValue
    let codingPath: [CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let object) = jsonValue else { throw mismatch([String: Any].self, codingPath, jsonValue) }
        return KeyedDecodingContainer(KeyedValues<Key>(object: object, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let items) = jsonValue else { throw mismatch([Any].self, codingPath, jsonValue) }
        return UnkeyedValues(items: items, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleValue(value: jsonValue, codingPath: codingPath) }
}

private func mismatch(_ type: Any.Type, _ path: [CodingKey], _ value: JSONValue) -> DecodingError {
    .typeMismatch(type, .init(codingPath: path, debugDescription: "found \(value.typeName)"))
}

/// A primitive out of one value: exact types only, integers from integral numbers.
private func primitive<T>(_ type: T.Type, _ value: JSONValue, _ path: [CodingKey]) throws -> T {
    if value.isNull { throw DecodingError.valueNotFound(type, .init(codingPath: path, debugDescription: "null")) }
    switch (type, value) {
    case (is String.Type, .string(let text)): return text as! T
    case (is Bool.Type, .bool(let flag)): return flag as! T
    case (is Double.Type, _): if let number = value.doubleValue { return number as! T }
    case (is Float.Type, _): if let number = value.doubleValue { return Float(number) as! T }
    case (let integer as any FixedWidthInteger.Type, _):
        if let whole = value.intValue, let exact = integer.init(exactly: whole) { return exact as! T }
    default: break
    }
    throw mismatch(type, path, value)
}

private struct IndexKey: CodingKey {
    let intValue: Int?
    let stringValue: String
    init(_ index: Int) {
        intValue = index
        stringValue = "Index \(index)"
    }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.init(intValue) }
}

private struct KeyedValues<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let object: [String: JSONValue]
    let codingPath: [CodingKey]
    var allKeys: [Key] { object.keys.compactMap { Key(stringValue: $0) } }

    private func value(_ key: Key) -> JSONValue? {
        object[key.stringValue] ?? object[ContractSchema.wireName(key.stringValue)]
    }

    private func required(_ key: Key) throws -> JSONValue {
        guard let value = value(key) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "absent"))
        }
        return value
    }

    func contains(_ key: Key) -> Bool { value(key) != nil }
    func decodeNil(forKey key: Key) throws -> Bool { value(key)?.isNull ?? true }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let value = try required(key)
        if T.self == JSONValue.self { return value as! T }
        return try T(from: ValueDecoder(jsonValue: value, codingPath: codingPath + [key]))
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let value = value(key), !value.isNull else { return nil }
        if T.self == JSONValue.self { return value as? T }
        return try T(from: ValueDecoder(jsonValue: value, codingPath: codingPath + [key]))
    }

    func decode(_ type: String.Type, forKey key: Key) throws -> String { try primitive(type, try required(key), codingPath + [key]) }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try primitive(type, try required(key), codingPath + [key]) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try primitive(type, try required(key), codingPath + [key]) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try primitive(type, try required(key), codingPath + [key]) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try primitive(type, try required(key), codingPath + [key]) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try ValueDecoder(jsonValue: try required(key), codingPath: codingPath + [key]).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try ValueDecoder(jsonValue: try required(key), codingPath: codingPath + [key]).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { ValueDecoder(jsonValue: .object(object), codingPath: codingPath) }
    func superDecoder(forKey key: Key) throws -> any Decoder {
        ValueDecoder(jsonValue: value(key) ?? .null, codingPath: codingPath + [key])
    }
}

private struct UnkeyedValues: UnkeyedDecodingContainer {
    let items: [JSONValue]
    let codingPath: [CodingKey]
    var currentIndex = 0
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    init(items: [JSONValue], codingPath: [CodingKey]) {
        self.items = items
        self.codingPath = codingPath
    }

    private mutating func next<T>(_ type: T.Type) throws -> (JSONValue, [CodingKey]) {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, .init(codingPath: codingPath + [IndexKey(currentIndex)], debugDescription: "past the end"))
        }
        defer { currentIndex += 1 }
        return (items[currentIndex], codingPath + [IndexKey(currentIndex)])
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, items[currentIndex].isNull else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (value, path) = try next(type)
        if T.self == JSONValue.self { return value as! T }
        return try T(from: ValueDecoder(jsonValue: value, codingPath: path))
    }

    mutating func decode(_ type: String.Type) throws -> String {
        let (value, path) = try next(type)
        return try primitive(type, value, path)
    }

    mutating func decode(_ type: Int.Type) throws -> Int {
        let (value, path) = try next(type)
        return try primitive(type, value, path)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let (value, path) = try next([String: Any].self)
        return try ValueDecoder(jsonValue: value, codingPath: path).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (value, path) = try next([Any].self)
        return try ValueDecoder(jsonValue: value, codingPath: path).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let (value, path) = try next(Any.self)
        return ValueDecoder(jsonValue: value, codingPath: path)
    }
}

private struct SingleValue: SingleValueDecodingContainer {
    let value: JSONValue
    let codingPath: [CodingKey]

    func decodeNil() -> Bool { value.isNull }
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if T.self == JSONValue.self { return value as! T }
        // A primitive's own init(from:) comes back here: answer it, do not recurse.
        if T.self == String.self || T.self == Bool.self || T.self is any BinaryInteger.Type || T.self is any BinaryFloatingPoint.Type {
            return try primitive(type, value, codingPath)
        }
        return try T(from: ValueDecoder(jsonValue: value, codingPath: codingPath))
    }
    func decode(_ type: String.Type) throws -> String { try primitive(type, value, codingPath) }
    func decode(_ type: Bool.Type) throws -> Bool { try primitive(type, value, codingPath) }
    func decode(_ type: Int.Type) throws -> Int { try primitive(type, value, codingPath) }
    func decode(_ type: Int64.Type) throws -> Int64 { try primitive(type, value, codingPath) }
    func decode(_ type: Double.Type) throws -> Double { try primitive(type, value, codingPath) }
}
