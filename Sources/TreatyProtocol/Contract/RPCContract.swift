#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import TreatyModel

/// One method of the interface, defined once: its name, the params it takes and the result it answers. The
/// daemon serves it from this definition, the CLI calls it with it, and the interface document's schemas are
/// derived from the same types (``ContractSchema``), so the three cannot drift apart.
public protocol RPCContract {
    associatedtype Params: RPCShape = RPCNoParams
    associatedtype Result: RPCShape
    static var method: String { get }
}

/// A value that crosses the socket: `Codable`, with each property's name in snake_case on the wire
/// (`bytesSent` is `bytes_sent`). An optional property is left out when nil; every other one must be there, and
/// a reader that does not find it fails naming it (``RPCCoding/decode(_:from:)``).
public protocol RPCShape: Codable, Sendable {
    /// What to add to a property's derived schema, by its wire name: a description, a pattern.
    static var fieldNotes: [String: JSONValue] { get }
}

extension RPCShape {
    public static var fieldNotes: [String: JSONValue] { [:] }
}

/// The params of a method that takes none.
public struct RPCNoParams: RPCShape, Equatable {
    public init() {}
}

/// The result of a method that answers with nothing but success: `{}`.
public struct RPCEmpty: RPCShape, Equatable {
    public init() {}
}

/// A string-valued enumeration on the wire; its schema lists the values.
public protocol RPCEnum: RPCShape, CaseIterable, RawRepresentable where RawValue == String {}


/// Reading and writing the shapes as ``JSONValue``, the form the daemon's dispatcher and the client carry.
public enum RPCCoding {
    /// The JSON form of a value: snake_case keys, nil optionals left out.
    public static func json(_ value: some Encodable) -> JSONValue {
        // The shapes encode nothing that can fail (no non-finite number check, no custom throwing encode).
        (try? ValueEncoding.encode(value)) ?? .null
    }

    /// Reads a value out of JSON strictly: a missing property or one of the wrong type is an error that names it.
    public static func decode<T: Decodable>(_ type: T.Type, from json: JSONValue) throws(ContractError) -> T {
        do {
            return try T(from: ValueDecoder(jsonValue: json, codingPath: []))
        } catch let error as DecodingError {
            throw ContractError(error)
        } catch {
            throw ContractError(path: "", problem: String(describing: error))
        }
    }
}

/// A value that does not fit its shape: where (`office`, `peers[2].traffic.sent`) and what is wrong, in words.
public struct ContractError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let problem: String

    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    init(_ error: DecodingError) {
        func path(_ keys: [CodingKey]) -> String {
            keys.reduce(into: "") { text, key in
                if let index = key.intValue, key.stringValue.hasPrefix("Index") || key.stringValue == String(index) {
                    text += "[\(index)]"
                } else {
                    text += (text.isEmpty ? "" : ".") + ContractSchema.wireName(key.stringValue)
                }
            }
        }
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            self.init(path: field, problem: "has no \"\(field)\"")
        case .typeMismatch(let type, let context):
            let field = path(context.codingPath)
            self.init(path: field, problem: "\"\(field)\" is not \(ContractSchema.typeWords(type))")
        case .valueNotFound(let type, let context):
            let field = path(context.codingPath)
            self.init(path: field, problem: "\"\(field)\" is null where \(ContractSchema.typeWords(type)) belongs")
        case .dataCorrupted(let context):
            let field = path(context.codingPath)
            self.init(path: field, problem: "\"\(field)\" has a value this build does not know")
        @unknown default:
            self.init(path: "", problem: "does not fit")
        }
    }

    public var description: String { problem }
}
