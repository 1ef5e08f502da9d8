import TreatyModel

extension RPC {
    public enum Health: RPCContract {
        public static let method = "health"
        public enum Status: String, RPCEnum { case ok }
        public struct Result: RPCShape {
            public var status: Status
            public var office: String
            public var version: String
            public var schemaVersion: Int
            public init(status: Status = .ok, office: String, version: String, schemaVersion: Int) {
                self.status = status
                self.office = office
                self.version = version
                self.schemaVersion = schemaVersion
            }
            public static let fieldNotes: [String: JSONValue] = [
                "schema_version": ["description": "The record schema this office runs."]
            ]
        }
    }

    public enum Stats: RPCContract {
        public static let method = "stats"
        public struct Result: RPCShape {
            public var records: [String: Int]
            public var uptimeSeconds: Double
            public var requests: Int
            public var errors: Int
            public var connections: Int
            public var connectionsRefused: Int
            public var clientsDropped: Int
            public var subscribers: Int
            public init(
                records: [String: Int], uptimeSeconds: Double, requests: Int, errors: Int, connections: Int,
                connectionsRefused: Int, clientsDropped: Int, subscribers: Int
            ) {
                self.records = records
                self.uptimeSeconds = uptimeSeconds
                self.requests = requests
                self.errors = errors
                self.connections = connections
                self.connectionsRefused = connectionsRefused
                self.clientsDropped = clientsDropped
                self.subscribers = subscribers
            }
            public static let fieldNotes: [String: JSONValue] = [
                "records": ["description": "Live records per kind."]
            ]
        }
    }

    public enum ChangesSubscribe: RPCContract {
        public static let method = "changes.subscribe"
        public struct Params: RPCShape {
            public var id: String?
            public init(id: String? = nil) { self.id = id }
            public static let fieldNotes: [String: JSONValue] = [
                "id": note(pattern: WirePattern.recordID, "Only changes to this record.")
            ]
        }
        public struct Result: RPCShape {
            public var subscription: String
            public init(subscription: String) { self.subscription = subscription }
        }
    }

    public enum ChangesUnsubscribe: RPCContract {
        public static let method = "changes.unsubscribe"
        public struct Params: RPCShape {
            public var subscription: String
            public init(subscription: String) { self.subscription = subscription }
            public static let fieldNotes: [String: JSONValue] = ["subscription": ["description": "From changes.subscribe."]]
        }
        public struct Result: RPCShape {
            public var unsubscribed: Bool
            public init(unsubscribed: Bool) { self.unsubscribed = unsubscribed }
        }
    }
}

extension RPC {
    /// The params of a `changes.event` notification: one committed change, or many records imported at once.
    public struct ChangeEvent: RPCShape {
        public enum Operation: String, RPCEnum {
            case created, updated, deleted
            /// Many records at once: no `record`, and `summary` says how many.
            case imported
        }

        public static let method = "changes.event"
        public var subscription: String
        public var operation: Operation
        public var record: Record?
        public var summary: ImportSummary?

        public init(subscription: String, operation: Operation, record: Record?, summary: ImportSummary?) {
            self.subscription = subscription
            self.operation = operation
            self.record = record
            self.summary = summary
        }
    }
}
