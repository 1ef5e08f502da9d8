import Foundation
import TreatyModel
import TreatyProtocol
import TreatyStore

/// Health, statistics, introspection and change subscriptions.
enum SystemMethods {
    static let version = TreatyVersion.current

    static func all(
        _ store: TreatyStore, statistics: ServerStatistics, document: @escaping @Sendable () -> JSONValue,
        examples: ExampleIDs
    ) -> [RPCMethod] {
        [
            RPCMethod(
                "health", "A cheap check that the daemon answers and its database is open.", access: .none,
                result: [
                    "type": "object", "required": ["status", "office", "version", "schema_version"], "additionalProperties": false,
                    "properties": [
                        "status": ["type": "string", "enum": ["ok"]], "office": ["type": "string"],
                        "version": ["type": "string"], "schema_version": ["type": "integer"],
                    ],
                ]
            ) { _ throws(RPCError) in
                [
                    "status": "ok", "office": .string(store.office.id), "version": .string(version),
                    "schema_version": .int(Int64(store.recordSchema)),
                ]
            },
            RPCMethod(
                "stats", "Record counts, connections and request figures.",
                result: [
                    "type": "object", "additionalProperties": false,
                    "required": ["records", "uptime_seconds", "requests", "errors", "connections", "connections_refused", "clients_dropped", "subscribers"],
                    "properties": [
                        "records": ["type": "object", "additionalProperties": ["type": "integer"]],
                        "uptime_seconds": ["type": "number"], "requests": ["type": "integer"], "errors": ["type": "integer"],
                        "connections": ["type": "integer"], "connections_refused": ["type": "integer"],
                        "clients_dropped": ["type": "integer"], "subscribers": ["type": "integer"],
                    ],
                ]
            ) { call throws(RPCError) in
                let counts = try await call.store { try await store.counts() }
                return [
                    "records": .object(Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, JSONValue.int(Int64($0.value))) })),
                    "uptime_seconds": .double(Date().timeIntervalSince(statistics.started).rounded()),
                    "requests": .int(Int64(statistics.requests.load(ordering: .relaxed))),
                    "errors": .int(Int64(statistics.errors.load(ordering: .relaxed))),
                    "connections": .int(Int64(statistics.connections.load(ordering: .relaxed))),
                    "connections_refused": .int(Int64(statistics.connectionsRefused.load(ordering: .relaxed))),
                    "clients_dropped": .int(Int64(statistics.clientsDropped.load(ordering: .relaxed))),
                    "subscribers": .int(Int64(store.changes.count)),
                ]
            },
            RPCMethod(
                "rpc.discover", "This interface as an OpenRPC document (proto/treaty.openrpc.json).", access: .none,
                result: ["$ref": "https://raw.githubusercontent.com/open-rpc/meta-schema/master/schema.json"]
            ) { _ throws(RPCError) in document() },
            RPCMethod(
                "changes.subscribe",
                "Sends a changes.event notification for each committed change: all, or those of one record, whose current state comes first.",
                params: [.init("id", RecordSchemas.id, "Only changes to this record.")],
                result: [
                    "type": "object", "required": ["subscription"], "additionalProperties": false,
                    "properties": ["subscription": ["type": "string"]],
                ], example: ["id": .string(examples.existing(.agreement))]
            ) { call throws(RPCError) in
                try await subscribe(store, call)
            },
            RPCMethod(
                "changes.unsubscribe", "Ends a subscription.",
                params: [.init("subscription", ["type": "string"], required: true, "From changes.subscribe.")],
                result: [
                    "type": "object", "required": ["unsubscribed"], "additionalProperties": false,
                    "properties": ["unsubscribed": ["type": "boolean"]],
                ], example: ["subscription": "no-such-subscription"]
            ) { call throws(RPCError) in
                ["unsubscribed": .bool(call.session.removeSubscription(try call.required("subscription")))]
            },
        ]
    }

    /// The notification's params: `{subscription, operation, record?, summary?}`.
    static func event(_ subscription: String, _ event: ChangeEvent) -> JSONValue {
        var params: [String: JSONValue] = ["subscription": .string(subscription), "operation": .string(event.operation.rawValue)]
        if let record = event.record { params["record"] = record.json }
        if let summary = event.summary { params["summary"] = JSONValue(encoding: summary) }
        return RPCRequest(method: "changes.event", params: .object(params), id: nil).json
    }

    static func subscribe(_ store: TreatyStore, _ call: RPCCall) async throws(RPCError) -> JSONValue {
        var record: Record?
        if let id = call.string("id") { record = try await call.store { try await store.get(id) } }
        let current = record
        let only = record?.id
        let subscription = RecordID.generate()
        // Changes buffer in the stream from now on; they are sent once the reply is out, after the current state.
        let stream = store.changes.subscribe()
        let session = call.session
        session.whenReplied {
            if let current { session.send(event(subscription, ChangeEvent(operation: .updated, record: current, summary: nil))) }
            session.addSubscription(subscription, Task {
                for await change in stream where only == nil || change.record?.id == only {
                    session.send(event(subscription, change))
                }
            })
        }
        return ["subscription": .string(subscription)]
    }
}
