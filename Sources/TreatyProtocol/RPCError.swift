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

    /// An error with `data.name` set, plus any other data fields.
    public init(code: Int, name: String, message: String, details: [String: JSONValue] = [:]) {
        var data = details
        data["name"] = .string(name)
        self.init(code: code, message: message, data: .object(data))
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

    // The codes the specification reserves.
    public static let parseErrorCode = -32700
    public static let invalidRequestCode = -32600
    public static let methodNotFoundCode = -32601
    public static let invalidParamsCode = -32602
    public static let internalErrorCode = -32603

    public static func parseError(_ why: String) -> RPCError {
        RPCError(code: parseErrorCode, name: "parse_error", message: "Parse error: \(why)")
    }

    public static func invalidRequest(_ why: String) -> RPCError {
        RPCError(code: invalidRequestCode, name: "invalid_request", message: "Invalid Request: \(why)")
    }

    public static func methodNotFound(_ method: String) -> RPCError {
        RPCError(
            code: methodNotFoundCode, name: "method_not_found",
            message: "Method not found: \(method.count > 100 ? method.prefix(100) + "…" : method) (rpc.discover lists the methods)")
    }

    public static func invalidParams(_ why: String, name: String = "invalid_params") -> RPCError {
        RPCError(code: invalidParamsCode, name: name, message: "Invalid params: \(why)")
    }

    public static func internalError(_ why: String) -> RPCError {
        RPCError(code: internalErrorCode, name: "internal_error", message: "Internal error: \(why)")
    }

    /// Application errors live in -32000 ... -32099; each name has its own code.
    public static let applicationCodes: [String: Int] = [
        "not_found": -32001, "ambiguous_id": -32002, "stale_version": -32003, "deleted": -32004,
        "dangling_reference": -32005, "wrong_reference_kind": -32006, "unknown_provision_type": -32007,
        "duplicate_id": -32008, "wrong_kind": -32009, "permission_denied": -32010, "newer_schema": -32011,
        "office_key": -32012, "io_error": -32013, "too_many_connections": -32014, "line_too_long": -32015,
        "batch_too_large": -32016, "unknown_import": -32017, "bundle_refused": -32018, "database_error": -32020,
    ]

    /// An application error with its registered code (-32000 for names not registered).
    public static func application(_ name: String, _ message: String, details: [String: JSONValue] = [:]) -> RPCError {
        RPCError(code: applicationCodes[name] ?? -32000, name: name, message: message, details: details)
    }
}
