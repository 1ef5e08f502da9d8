import TreatyModel

/// A JSON-RPC error object: a code, a message for people, and data with a stable `name` for programs.
public struct RPCError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: Int
    public var message: String
    public var data: JSONValue?

    /// The most characters of a message, and of each text in `data`: an error never echoes unbounded input back (an
    /// 8 MB method name made an 8 MB error).
    public static let maximumTextLength = 1000

    public init(code: Int, message: String, data: JSONValue? = nil) {
        self.code = code
        self.message = Self.bounded(message)
        if case .object(var object) = data {
            for (key, value) in object { if case .string(let text) = value { object[key] = .string(Self.bounded(text)) } }
            self.data = .object(object)
        } else {
            self.data = data
        }
    }

    /// `text`, cut to ``maximumTextLength`` characters with a note of how much was left out.
    static func bounded(_ text: String) -> String {
        guard text.utf8.count > maximumTextLength, text.count > maximumTextLength else { return text }
        return String(text.prefix(maximumTextLength)) + "… (\(text.count - maximumTextLength) more characters)"
    }

    /// An error named in ``ErrorName``'s table, with its code, plus any other data fields.
    public init(_ name: ErrorName, message: String, details: [String: JSONValue] = [:]) {
        var data = details
        data["name"] = .string(name.rawValue)
        self.init(code: name.code, message: message, data: .object(data))
    }

    /// The stable name in `data.name`, if any.
    public var name: String? { data?["name"]?.stringValue }

    public var json: JSONValue {
        var object: [String: JSONValue] = ["code": .int(Int64(code)), "message": .string(message)]
        if let data { object["data"] = data }
        return .object(object)
    }

    public init?(json: JSONValue) {
        guard let code = json["code"]?.intValue, let message = json["message"]?.stringValue else { return nil }
        self.init(code: Int(code), message: message, data: json["data"])
    }

    public var description: String { message }

    public static func parseError(_ why: String) -> RPCError {
        RPCError(.parseError, message: "Parse error: \(why)")
    }

    public static func invalidRequest(_ why: String) -> RPCError {
        RPCError(.invalidRequest, message: "Invalid Request: \(why)")
    }

    public static func methodNotFound(_ method: String) -> RPCError {
        RPCError(
            .methodNotFound,
            message: "Method not found: \(method.count > 100 ? method.prefix(100) + "…" : method) (rpc.discover lists the methods)")
    }

    /// Params that do not fit: `name` says how (``ErrorName/invalidParams`` unless a finer name fits).
    public static func invalidParams(_ why: String, name: ErrorName = .invalidParams) -> RPCError {
        RPCError(name, message: "Invalid params: \(why)")
    }

    public static func internalError(_ why: String) -> RPCError {
        RPCError(.internalError, message: "Internal error: \(why)")
    }

    /// An application error of the table.
    public static func application(_ name: ErrorName, _ message: String, details: [String: JSONValue] = [:]) -> RPCError {
        RPCError(name, message: message, details: details)
    }
}
