import TreatyModel
import TreatyProtocol

/// One method the daemon serves: its name, who may call it, its params and result as JSON Schema, and
/// the code that answers it. The interface document is generated from these.
public struct RPCMethod: Sendable {
    public struct Param: Sendable {
        public let name: String
        public let schema: JSONValue
        public let required: Bool
        public let summary: String

        public init(_ name: String, _ schema: JSONValue, required: Bool = false, _ summary: String) {
            self.name = name
            self.schema = schema
            self.required = required
            self.summary = summary
        }
    }

    public let name: String
    public let summary: String
    /// The least role that may call it.
    public let access: AccessRole
    public let params: [Param]
    public let result: JSONValue
    /// Params of an example call against the seed database.
    public let exampleParams: [String: JSONValue]
    let handler: @Sendable (RPCCall) async throws(RPCError) -> JSONValue

    init(
        _ name: String, _ summary: String, access: AccessRole = .reader, params: [Param] = [], result: JSONValue,
        example: [String: JSONValue] = [:],
        handler: @escaping @Sendable (RPCCall) async throws(RPCError) -> JSONValue
    ) {
        self.name = name
        self.summary = summary
        self.access = access
        self.params = params
        self.result = result
        self.exampleParams = example
        self.handler = handler
    }

    /// A method defined by its contract: params and result schemas are derived from the contract's types, the
    /// params are read into `C.Params` (after the checks of ``validate(_:)``) and the result written from `C.Result`.
    init<C: RPCContract>(
        _ contract: C.Type, _ summary: String, access: AccessRole = .reader, example: [String: JSONValue] = [:],
        handler: @escaping @Sendable (RPCCall, C.Params) async throws(RPCError) -> C.Result
    ) {
        let paramsSchema = ContractSchema.of(C.Params.self)
        let required = Set(paramsSchema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        // Required params first, then by name.
        let properties = (paramsSchema["properties"]?.objectValue ?? [:]).sorted {
            (required.contains($0.key) ? 0 : 1, $0.key) < (required.contains($1.key) ? 0 : 1, $1.key)
        }
        let params = properties.map { name, schema in
            var bare = schema.objectValue ?? [:]
            let summary = bare.removeValue(forKey: "description")?.stringValue ?? ""
            return Param(name, .object(bare), required: required.contains(name), summary)
        }
        let method = C.method
        self.init(method, summary, access: access, params: params, result: ContractSchema.of(C.Result.self), example: example) {
            call throws(RPCError) in
            let typed: C.Params
            do throws(ContractError) {
                typed = try RPCCoding.decode(C.Params.self, from: .object(call.params))
            } catch {
                throw .invalidParams("\(method) params: \(error.problem)")
            }
            return RPCCoding.json(try await handler(call, typed))
        }
    }

    /// Checks params by name against the declared ones: no unknown names, required ones present, types right.
    func validate(_ params: JSONValue?) throws(RPCError) -> [String: JSONValue] {
        let given: [String: JSONValue]
        switch params {
        case nil: given = [:]
        case .object(let object)?: given = object
        case .array(let array)? where array.isEmpty: given = [:]
        default: throw .invalidParams("\(name) takes params by name (an object)")
        }
        for key in given.keys.sorted() where !params_.keys.contains(key) {
            let known = self.params.map(\.name).joined(separator: ", ")
            throw .invalidParams("\(name) has no param \"\(key)\"" + (known.isEmpty ? "" : "; its params: \(known)"))
        }
        for param in self.params {
            guard let value = given[param.name] else {
                if param.required { throw .invalidParams("\(name) needs param \"\(param.name)\"") }
                continue
            }
            if let problem = JSONSchemaCheck.problem(value, param.schema, path: param.name) {
                throw .invalidParams(problem)
            }
        }
        return given
    }

    private var params_: [String: Param] { Dictionary(uniqueKeysWithValues: params.map { ($0.name, $0) }) }
}

/// A call being answered: its params, checked, and who made it.
public struct RPCCall: Sendable {
    public let params: [String: JSONValue]
    public let session: Session

    public func string(_ name: String) -> String? { params[name]?.stringValue }
    public func int(_ name: String) -> Int? { params[name]?.intValue.map { Int($0) } }
    public func bool(_ name: String) -> Bool? { params[name]?.boolValue }

    /// A required string param (presence was checked against the method's params).
    public func required(_ name: String) throws(RPCError) -> String {
        guard let value = string(name) else { throw .invalidParams("\"\(name)\" is required") }
        return value
    }

    /// A day param's value, `YYYY-MM-DD`, read: `param` names it in the error.
    public static func day(_ text: String?, param: String) throws(RPCError) -> Day? {
        guard let text else { return nil }
        guard let day = Day(text) else { throw .invalidParams("\"\(param)\" must be a day, YYYY-MM-DD, not \"\(text)\"") }
        return day
    }
}

/// The little of JSON Schema the params use: type, enum, pattern-free strings, items, properties.
enum JSONSchemaCheck {
    static func problem(_ value: JSONValue, _ schema: JSONValue, path: String) -> String? {
        if let options = schema["enum"]?.arrayValue, !options.contains(value) {
            return "\(path) must be one of \(options.map(JSONCodec.string).joined(separator: ", "))"
        }
        if let types = schema["type"] {
            let names = types.arrayValue?.compactMap(\.stringValue) ?? [types.stringValue ?? ""]
            if !names.contains(where: { matches(value, $0) }) {
                return "\(path) must be \(names.joined(separator: " or ")), not \(value.typeName)"
            }
        }
        if case .array(let items) = value, let itemSchema = schema["items"] {
            for (index, item) in items.enumerated() {
                if let problem = problem(item, itemSchema, path: "\(path)[\(index)]") { return problem }
            }
        }
        if let minimum = schema["minimum"]?.doubleValue, let number = value.doubleValue, number < minimum {
            return "\(path) must be at least \(minimum)"
        }
        if let maximum = schema["maximum"]?.doubleValue, let number = value.doubleValue, number > maximum {
            return "\(path) must be at most \(maximum)"
        }
        return nil
    }

    static func matches(_ value: JSONValue, _ type: String) -> Bool {
        switch (type, value) {
        case ("string", .string), ("boolean", .bool), ("object", .object), ("array", .array), ("null", .null):
            return true
        case ("integer", _): return value.intValue != nil
        case ("number", .int), ("number", .double): return true
        default: return false
        }
    }
}
