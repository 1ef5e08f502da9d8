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
            RPCMethod(RPC.Health.self, "A cheap check that the daemon answers and its database is open.", access: .none) {
                _, _ throws(RPCError) in
                .init(office: store.office.id, version: version, schemaVersion: store.recordSchema)
            },
            RPCMethod(RPC.Stats.self, "Record counts, connections and request figures.") { call, _ throws(RPCError) in
                let counts = try await call.store { try await store.counts() }
                return .init(
                    records: Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, $0.value) }),
                    uptimeSeconds: Date().timeIntervalSince(statistics.started).rounded(),
                    requests: statistics.requests.load(ordering: .relaxed), errors: statistics.errors.load(ordering: .relaxed),
                    connections: statistics.connections.load(ordering: .relaxed),
                    connectionsRefused: statistics.connectionsRefused.load(ordering: .relaxed),
                    clientsDropped: statistics.clientsDropped.load(ordering: .relaxed), subscribers: store.changes.count)
            },
            RPCMethod(
                "rpc.discover", "This interface as an OpenRPC document (proto/treaty.openrpc.json).", access: .none,
                result: ["$ref": "https://raw.githubusercontent.com/open-rpc/meta-schema/master/schema.json"]
            ) { _ throws(RPCError) in document() },
            RPCMethod(
                RPC.ChangesSubscribe.self,
                "Sends a changes.event notification for each committed change: all, or those of one record, whose current state comes first.",
                example: ["id": .string(examples.existing(.agreement))]
            ) { call, params throws(RPCError) in
                .init(subscription: try await subscribe(store, call, only: params.id))
            },
            RPCMethod(
                RPC.ChangesUnsubscribe.self, "Ends a subscription.", example: ["subscription": "no-such-subscription"]
            ) { call, params throws(RPCError) in
                .init(unsubscribed: call.session.removeSubscription(params.subscription))
            },
        ]
    }

    /// The notification, as ``RPC/ChangeEvent`` defines it.
    static func event(_ subscription: String, _ event: ChangeEvent) -> JSONValue {
        let operation: RPC.ChangeEvent.Operation =
            switch event.operation {
            case .created: .created
            case .updated: .updated
            case .deleted: .deleted
            case .imported: .imported
            }
        let params = RPC.ChangeEvent(
            subscription: subscription, operation: operation, record: event.record,
            summary: event.summary.map(TransferMethods.contract))
        return RPCRequest(method: RPC.ChangeEvent.method, params: RPCCoding.json(params), id: nil).json
    }

    static func subscribe(_ store: TreatyStore, _ call: RPCCall, only id: String?) async throws(RPCError) -> String {
        var record: Record?
        if let id { record = try await call.store { try await store.get(id) } }
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
        return subscription
    }
}
