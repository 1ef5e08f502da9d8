#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import TreatyModel

/// A call: a request (with an id, answered) or a notification (without, never answered).
public struct RPCRequest: Sendable, Hashable {
    public var method: String
    /// Object params (by name) or array params (by position); nil when absent.
    public var params: JSONValue?
    /// Nil for a notification. `.null` is a request whose id is null: it is answered.
    public var id: RPCID?

    public init(method: String, params: JSONValue? = nil, id: RPCID?) {
        self.method = method
        self.params = params
        self.id = id
    }

    public var isNotification: Bool { id == nil }

    public var json: JSONValue {
        var object: [String: JSONValue] = ["jsonrpc": "2.0", "method": .string(method)]
        if let params { object["params"] = params }
        if let id { object["id"] = id.json }
        return .object(object)
    }
}

/// An answer to a request: a result or an error, with the request's id.
public struct RPCResponse: Sendable, Hashable {
    public var id: RPCID
    public var outcome: Result<JSONValue, RPCError>

    public init(id: RPCID, outcome: Result<JSONValue, RPCError>) {
        self.id = id
        self.outcome = outcome
    }

    public var json: JSONValue {
        var object: [String: JSONValue] = ["jsonrpc": "2.0", "id": id.json]
        switch outcome {
        case .success(let result): object["result"] = result
        case .failure(let error): object["error"] = error.json
        }
        return .object(object)
    }

    /// Reads a response; nil when the value is not one.
    public init?(json: JSONValue) {
        guard json["jsonrpc"] == "2.0", let idValue = json["id"], let id = RPCID(json: idValue) else { return nil }
        if let error = json["error"], let rpcError = RPCError(json: error) {
            self.init(id: id, outcome: .failure(rpcError))
        } else if let result = json["result"] {
            self.init(id: id, outcome: .success(result))
        } else {
            return nil
        }
    }
}

/// One line from a client, read by the rules of JSON-RPC 2.0.
public enum RPCIncoming: Sendable, Hashable {
    /// One call, or one error to answer with (id null unless the id could be read).
    case single(RPCCall)
    /// A batch of calls, in order.
    case batch([RPCCall])

    /// Each element of a line: a valid call, or the error it earns.
    public enum RPCCall: Sendable, Hashable {
        case call(RPCRequest)
        /// A malformed call: answered with this error and id (null where the spec says so).
        case invalid(RPCError, id: RPCID?)
    }

    /// Reads one line. Invalid UTF-8 or JSON is a parse error; an empty array, a non-object element, a wrong
    /// `jsonrpc`, a bad `method`, `params` or `id` are invalid requests answered with id null.
    public static func parse(_ line: Data) -> RPCIncoming {
        guard String(validating: line, as: UTF8.self) != nil else {
            return .single(.invalid(.parseError("the line is not valid UTF-8"), id: .null))
        }
        let json: JSONValue
        do {
            json = try JSONCodec.decode(line)
        } catch {
            return .single(.invalid(.parseError(error.description), id: .null))
        }
        if case .array(let elements) = json {
            guard !elements.isEmpty else { return .single(.invalid(.invalidRequest("empty batch"), id: .null)) }
            return .batch(elements.map(call))
        }
        return .single(call(json))
    }

    static func call(_ json: JSONValue) -> RPCCall {
        guard case .object(let object) = json else {
            return .invalid(.invalidRequest("a request must be an object, not \(json.typeName)"), id: .null)
        }
        var id: RPCID?
        if let idValue = object["id"] {
            guard let parsed = RPCID(json: idValue) else {
                return .invalid(.invalidRequest("id must be a string, a number or null"), id: .null)
            }
            id = parsed
        }
        guard object["jsonrpc"] == "2.0" else {
            return .invalid(.invalidRequest("\"jsonrpc\" must be \"2.0\""), id: .null)
        }
        guard let method = object["method"]?.stringValue else {
            return .invalid(.invalidRequest("\"method\" must be a string"), id: .null)
        }
        if let params = object["params"], params.objectValue == nil, params.arrayValue == nil {
            return .invalid(.invalidRequest("\"params\" must be an object or an array"), id: .null)
        }
        for key in object.keys where !["jsonrpc", "method", "params", "id"].contains(key) {
            return .invalid(.invalidRequest("unknown member \"\(key)\""), id: id ?? .null)
        }
        return .call(RPCRequest(method: method, params: object["params"], id: id))
    }
}
