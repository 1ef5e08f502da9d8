import TreatyModel
import TreatyProtocol

/// Runs the interface document's examples in an order that keeps them independent: reads first, then adds,
/// updates and deletes (deletes last, as they remove what reads used), with the import token threaded
/// through `import.*`. The generator runs them in-process; the end-to-end test runs them over the socket.
public enum InterfaceExamples {
    public typealias Call = @Sendable (String, [String: JSONValue]) async throws -> JSONValue

    /// The example results by method name.
    public static func run(_ methods: [RPCMethod], call: Call) async throws -> [String: JSONValue] {
        var results: [String: JSONValue] = [:]
        func phase(_ name: String) -> Int {
            if name.hasPrefix("import.") { return 4 }
            if name.hasSuffix(".add") || name == "prediction.resolve" { return 1 }
            if name.hasSuffix(".update") { return 2 }
            if name.hasSuffix(".delete") { return 3 }
            return 0
        }
        let ordered = methods.filter { !$0.name.hasPrefix("import.") }.sorted { (phase($0.name), $0.name) < (phase($1.name), $1.name) }
        for method in ordered where method.name != "rpc.discover" {
            results[method.name] = try await call(method.name, method.exampleParams)
        }
        results["rpc.discover"] = ["openrpc": "1.3.2"]
        // An import: begin, one chunk, commit; and one begun then aborted.
        let begun = try await call("import.begin", [:])
        results["import.begin"] = begun
        let token = begun["import"] ?? .null
        results["import.chunk"] = try await call("import.chunk", ["import": token, "lines": [.string(exampleLine)]])
        results["import.commit"] = try await call("import.commit", ["import": token])
        let second = try await call("import.begin", [:])
        results["import.abort"] = try await call("import.abort", ["import": second["import"] ?? .null])
        return results
    }

    /// The record the import example adds.
    public static let exampleLine = #"{"type":"person","name":"Nizami Gəncəvi"}"#

    /// Replaces what varies between runs (ids made now, times, users, offices, counters) with `"*"`.
    public static func mask(_ value: JSONValue, method: String) -> JSONValue {
        let varying: Set<String> = [
            "created_at", "updated_at", "created_office", "updated_office", "created_user", "updated_user", "short_id",
            "uptime_seconds", "requests", "errors", "connections", "connections_refused", "clients_dropped",
            "subscribers", "import", "subscription", "office", "days_waiting", "approval", "at", "seq", "user",
        ]
        func walk(_ value: JSONValue, top: Bool) -> JSONValue {
            switch value {
            case .object(let object):
                var out: [String: JSONValue] = [:]
                for (key, inner) in object {
                    if varying.contains(key) || (top && key == "id" && method.hasSuffix(".add") && method != "provision_type.add" && method != "office.add") {
                        out[key] = "*"
                    } else {
                        out[key] = walk(inner, top: false)
                    }
                }
                return .object(out)
            case .array(let items): return .array(items.map { walk($0, top: false) })
            default: return value
            }
        }
        if method == "rpc.discover" { return ["openrpc": value["openrpc"] ?? .null] }
        if method == "stats" { return ["records": walk(value["records"] ?? .null, top: false)] }
        if method == "export.page", case .object(var page) = value, let lines = page["lines"]?.arrayValue {
            // The lines are records as JSON text: mask inside them.
            page["lines"] = .array(
                lines.map { line in
                    guard let text = line.stringValue, let record = try? JSONCodec.decode(text) else { return line }
                    return .string(JSONCodec.string(walk(record, top: false)))
                })
            return .object(page)
        }
        return walk(value, top: true)
    }
}
