import TreatyModel

extension RPC {
    /// What one peer's connections moved since treatyd started.
    public struct Traffic: RPCShape, Equatable {
        public var sent: Int
        public var received: Int
        public var applied: Int
        public var alreadyHad: Int
        public var bytesSent: Int
        public init(sent: Int, received: Int, applied: Int, alreadyHad: Int, bytesSent: Int) {
            self.sent = sent
            self.received = received
            self.applied = applied
            self.alreadyHad = alreadyHad
            self.bytesSent = bytesSent
        }
    }

    /// What this office holds that a peer lacks, as far as this office knows.
    public struct Behind: RPCShape {
        public var changeSets: Int
        public var bytes: Int
        public init(changeSets: Int, bytes: Int) {
            self.changeSets = changeSets
            self.bytes = bytes
        }
    }

    /// A pinned peer office and the state of its connection.
    public struct Peer: RPCShape {
        public var name: String
        public var address: String
        public var office: String
        public var addedAt: String
        public var lastSeen: String?
        public var lastSync: String?
        public var lastError: String?
        public var connected: Bool
        public var lags: [String: Int]
        public var behind: Behind
        public var traffic: Traffic
        public init(
            name: String, address: String, office: String, addedAt: String, lastSeen: String?,
            lastSync: String?, lastError: String?, connected: Bool, lags: [String: Int], behind: Behind, traffic: Traffic
        ) {
            self.name = name
            self.address = address
            self.office = office
            self.addedAt = addedAt
            self.lastSeen = lastSeen
            self.lastSync = lastSync
            self.lastError = lastError
            self.connected = connected
            self.lags = lags
            self.behind = behind
            self.traffic = traffic
        }
        public static let fieldNotes: [String: JSONValue] = [
            "office": note(pattern: WirePattern.officeID),
            "lags": ["description": "Per origin office, how many change sets this office holds that the peer lacks."],
            "behind": ["description": "What this office holds that the peer lacks, as far as this office knows."],
        ]
    }

    public enum PeerAdd: RPCContract {
        public static let method = "peer.add"
        public struct Params: RPCShape {
            public var name: String
            public var address: String
            public var office: String
            public init(name: String, address: String, office: String) {
                self.name = name
                self.address = address
                self.office = office
            }
            public static let fieldNotes: [String: JSONValue] = [
                "name": ["pattern": "^\\S{1,64}$", "description": "A short name for it, kept at this office only."],
                "address": ["description": "HOST:PORT of its treatyd --listen."],
                "office": note(pattern: WirePattern.officeID, "Its office id, as its `treaty identity` prints."),
            ]
        }
        public typealias Result = Peer
    }

    public enum PeerList: RPCContract {
        public static let method = "peer.list"
        public struct Result: RPCShape {
            public var peers: [Peer]
            public init(peers: [Peer]) { self.peers = peers }
        }
    }

    public enum PeerRemove: RPCContract {
        public static let method = "peer.remove"
        public struct Params: RPCShape {
            public var name: String
            public init(name: String) { self.name = name }
            public static let fieldNotes: [String: JSONValue] = ["name": ["description": "The peer's name."]]
        }
        public typealias Result = RPCEmpty
    }

    public enum SyncNow: RPCContract {
        public static let method = "sync.now"
        public struct Params: RPCShape {
            public var peer: String?
            public init(peer: String? = nil) { self.peer = peer }
            public static let fieldNotes: [String: JSONValue] = ["peer": ["description": "Only this peer (by name)."]]
        }
        public struct Round: RPCShape {
            public var peer: String
            public var traffic: Traffic
            public var error: String?
            public init(peer: String, traffic: Traffic, error: String?) {
                self.peer = peer
                self.traffic = traffic
                self.error = error
            }
        }
        public struct Result: RPCShape {
            public var rounds: [Round]
            public init(rounds: [Round]) { self.rounds = rounds }
        }
    }
}
