import TreatyModel

/// A JSON-RPC request id: a string, a number, or null.
public enum RPCID: Sendable, Hashable, CustomStringConvertible {
    case string(String)
    case int(Int64)
    case double(Double)
    case null

    /// The id as JSON.
    public var json: JSONValue {
        switch self {
        case .string(let s): return .string(s)
        case .int(let i): return .int(i)
        case .double(let d): return .double(d)
        case .null: return .null
        }
    }

    /// Reads an id; nil for an object, array or boolean (which the spec does not allow).
    public init?(json: JSONValue) {
        switch json {
        case .string(let s): self = .string(s)
        case .int(let i): self = .int(i)
        case .double(let d): self = .double(d)
        case .null: self = .null
        default: return nil
        }
    }

    public var description: String { JSONCodec.string(json) }
}
