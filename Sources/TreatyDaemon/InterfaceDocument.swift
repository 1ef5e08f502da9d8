import TreatyModel
import TreatyProtocol

/// The OpenRPC document for the methods served: `proto/treaty.openrpc.json` is this, written out.
public enum InterfaceDocument {
    /// Builds the document. `examples` gives each method's example result (from running it on the seed).
    public static func build(methods: [RPCMethod], examples: [String: JSONValue] = [:]) -> JSONValue {
        var schemas: [String: JSONValue] = [:]
        for kind in RecordKind.allCases { schemas[kind.rawValue] = RecordSchemas.record(kind) }
        schemas[RPC.ChangeEvent.method] = ContractSchema.of(RPC.ChangeEvent.self)
        let described = methods.sorted { $0.name < $1.name }.map { method -> JSONValue in
            var entry: [String: JSONValue] = [
                "name": .string(method.name),
                "summary": .string(method.summary),
                "paramStructure": "by-name",
                "params": .array(
                    method.params.map { param in
                        [
                            "name": .string(param.name), "summary": .string(param.summary),
                            "required": .bool(param.required), "schema": param.schema,
                        ]
                    }),
                "result": ["name": "result", "schema": method.result],
                "x-access": .string(method.access.rawValue),
            ]
            var example: [String: JSONValue] = [
                "name": .string("\(method.name) on the seed"),
                "params": .array(
                    method.exampleParams.keys.sorted().map { ["name": .string($0), "value": method.exampleParams[$0]!] }),
            ]
            if let result = examples[method.name] { example["result"] = ["name": "result", "value": result] }
            entry["examples"] = [.object(example)]
            return .object(entry)
        }
        return [
            "openrpc": "1.3.2",
            "info": [
                "title": "Treaty",
                "version": .string(SystemMethods.version),
                "description": .string(
                    "treatyd's JSON-RPC 2.0 interface: one JSON value per line over a Unix socket. Params are by name. "
                        + "A result property that is not required is left out when it has no value. Errors carry a stable data.name; "
                        + "application errors use -32000..-32099. Examples run against "
                        + "a database holding examples/seed.jsonl; ids, short ids, users, offices and times in their "
                        + "results vary and are compared masked. The notification changes.event carries "
                        + "{subscription, operation, record?, summary?}: components/schemas/changes.event."),
            ],
            "methods": .array(described),
            "components": ["schemas": .object(schemas)],
        ]
    }
}
