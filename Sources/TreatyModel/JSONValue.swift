#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A JSON value, as read from or written to the wire and the interchange format.
///
/// Integers and floating-point numbers are kept apart so that ids, counts and versions survive a round trip
/// exactly.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The string, if this is one.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The integer, if this is one (a double with no fractional part counts).
    public var intValue: Int64? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d.rounded() == d && abs(d) < 9e15: return Int64(d)
        default: return nil
        }
    }

    /// The number, if this is one.
    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let o) = self { return o }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var isNull: Bool { self == .null }

    public subscript(key: String) -> JSONValue? {
        objectValue?[key]
    }

    /// A short name of the JSON type, for error messages.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return "integer"
        case .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

/// A decoder that holds the ``JSONValue`` it reads: a ``JSONValue`` decoded from it is that value, not a probe of
/// each JSON type in turn.
public protocol JSONValueCarrying {
    var jsonValue: JSONValue { get }
}

extension JSONValue: Codable {
    public init(from decoder: Decoder) throws {
        if let carrier = decoder as? any JSONValueCarrying {
            self = carrier.jsonValue
            return
        }
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let b = try? container.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? container.decode(Int64.self) {
            self = .int(i)
        } else if let d = try? container.decode(Double.self) {
            self = .double(d)
        } else if let s = try? container.decode(String.self) {
            self = .string(s)
        } else if let a = try? container.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let b): try container.encode(b)
        case .int(let i): try container.encode(i)
        case .double(let d): try container.encode(d)
        case .string(let s): try container.encode(s)
        case .array(let a): try container.encode(a)
        case .object(let o): try container.encode(o)
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral, ExpressibleByFloatLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    public init(nilLiteral: ()) { self = .null }
    public init(floatLiteral value: Double) { self = .double(value) }
}

/// Reading and writing JSON text: one compact value per call, keys sorted so output is stable.
public enum JSONCodec {
    /// Parses one JSON value from UTF-8 bytes.
    ///
    /// - Throws: `JSONCodecError.invalid` with the decoder's explanation when the bytes are not JSON.
    public static func decode(_ data: Data) throws(JSONCodecError) -> JSONValue {
        let result: Result<JSONValue, JSONCodecError> = data.withUnsafeBytes { raw in
            Result { () throws(JSONCodecError) -> JSONValue in try JSONParser.parse(raw.bindMemory(to: UInt8.self)) }
        }
        return try result.get()
    }

    /// Parses one JSON value from a string.
    public static func decode(_ text: String) throws(JSONCodecError) -> JSONValue {
        try decode(Data(text.utf8))
    }

    /// Encodes a value as compact JSON with sorted keys; non-finite numbers become null.
    public static func encode(_ value: JSONValue) -> Data {
        Data(bytes(value))
    }

    /// The compact JSON bytes of a value.
    public static func bytes(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        JSONSerializer.write(value, into: &out)
        return out
    }

    /// Encodes a value as a compact JSON string.
    public static func string(_ value: JSONValue) -> String {
        String(decoding: bytes(value), as: UTF8.self)
    }

    /// Encodes a value as indented JSON, for people.
    public static func pretty(_ value: JSONValue) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        let data = (try? encoder.encode(value.replacingNonFinite())) ?? Data("null".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

/// JSON text that could not be parsed.
public enum JSONCodecError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid(let why): return "invalid JSON: \(why)"
        }
    }
}

extension JSONValue {
    fileprivate func replacingNonFinite() -> JSONValue {
        switch self {
        case .double(let d) where !d.isFinite: return .null
        case .array(let a): return .array(a.map { $0.replacingNonFinite() })
        case .object(let o): return .object(o.mapValues { $0.replacingNonFinite() })
        default: return self
        }
    }
}
