import Foundation
import TreatyModel
import TreatyPeer
import TreatyProtocol
import TreatyStore
import TreatySync

/// Network peers: pin, list, unpin, and sync now.
enum PeerMethods {
    static let traffic: JSONValue = [
        "type": "object", "required": ["sent", "received", "applied", "already_had", "bytes_sent"],
        "additionalProperties": false,
        "properties": [
            "sent": ["type": "integer"], "received": ["type": "integer"], "applied": ["type": "integer"],
            "already_had": ["type": "integer"], "bytes_sent": ["type": "integer"],
        ],
    ]
    static let peer: JSONValue = [
        "type": "object", "additionalProperties": false,
        "required": ["name", "address", "office", "added_at", "last_seen", "last_sync", "last_error", "connected", "lags", "behind", "traffic"],
        "properties": [
            "name": ["type": "string"], "address": ["type": "string"], "office": SyncMethods.officeID,
            "added_at": ["type": "string"], "last_seen": ["type": ["string", "null"]],
            "last_sync": ["type": ["string", "null"]], "last_error": ["type": ["string", "null"]],
            "connected": ["type": "boolean"],
            "lags": [
                "type": "object", "description": "Per origin office, how many change sets this office holds that the peer lacks.",
                "additionalProperties": ["type": "integer"],
            ],
            "behind": [
                "type": "object", "required": ["change_sets", "bytes"], "additionalProperties": false,
                "description": "What this office holds that the peer lacks, as far as this office knows: change sets and their bytes.",
                "properties": ["change_sets": ["type": "integer"], "bytes": ["type": "integer"]],
            ],
            "traffic": traffic,
        ],
    ]

    static func all(_ store: TreatyStore, peers: PeerService) -> [RPCMethod] {
        [
            RPCMethod(
                "peer.add",
                "Pins a peer office at HOST:PORT: connections to and from it are accepted only when its key hashes to "
                    + "the office id. It is dialed at once and kept connected.",
                access: .writer,
                params: [
                    .init("name", ["type": "string", "pattern": "^\\S{1,64}$"], required: true, "A short name for it."),
                    .init("address", ["type": "string"], required: true, "HOST:PORT of its treatyd --listen."),
                    .init("office", SyncMethods.officeID, required: true, "Its office id, as its `treaty identity` prints."),
                ], result: peer,
                example: ["name": "baku", "address": "127.0.0.1:7421", "office": .string(String(repeating: "7c", count: 32))]
            ) { call throws(RPCError) in
                let added = try await call.store {
                    try await store.addPeer(
                        name: try call.required("name"), address: try call.required("address"), office: try call.required("office"))
                }
                try await call.store { try await peers.refresh() }
                // As added: the connection it starts reports in peer.list.
                let held = try await call.store { try await store.versionVector() }
                let behind = try await call.store { try await store.lag(of: added.vector) }
                return json(PeerService.Status(peer: added, connected: false, traffic: PeerTraffic()), held: held, behind: behind)
            },
            RPCMethod(
                "peer.list",
                "Each peer: its address, whether it is connected, when it was last seen and last synced, what it lags "
                    + "per origin office and in all (change sets and bytes), the last error, and what its connections moved since treatyd started.",
                result: ["type": "object", "required": ["peers"], "additionalProperties": false, "properties": ["peers": ["type": "array", "items": peer]]]
            ) { call throws(RPCError) in
                let status = try await call.store { try await peers.status() }
                let held = try await call.store { try await store.versionVector() }
                var peers: [JSONValue] = []
                for peer in status {
                    let behind = try await call.store { try await store.lag(of: peer.peer.vector) }
                    peers.append(json(peer, held: held, behind: behind))
                }
                return ["peers": .array(peers)]
            },
            RPCMethod(
                "peer.remove", "Unpins a peer and closes its connection. Its office stays in the offices table.",
                access: .writer, params: [.init("name", ["type": "string"], required: true, "The peer's name.")],
                result: ["type": "object", "additionalProperties": false, "properties": [:]], example: ["name": "baku"]
            ) { call throws(RPCError) in
                try await call.store { try await store.removePeer(name: try call.required("name")) }
                try await call.store { try await peers.refresh() }
                return [:]
            },
            RPCMethod(
                "sync.now",
                "A sync round with one peer or all: connects if need be, sends what each lacks, takes what it has, and "
                    + "reports what moved.",
                access: .writer, params: [.init("peer", ["type": "string"], "Only this peer (by name).")],
                result: [
                    "type": "object", "required": ["rounds"], "additionalProperties": false,
                    "properties": [
                        "rounds": [
                            "type": "array",
                            "items": [
                                "type": "object", "required": ["peer", "traffic", "error"], "additionalProperties": false,
                                "properties": ["peer": ["type": "string"], "traffic": traffic, "error": ["type": ["string", "null"]]],
                            ],
                        ]
                    ],
                ]
            ) { call throws(RPCError) in
                let reports = try await call.store { try await peers.syncNow(peer: call.string("peer")) }
                return [
                    "rounds": .array(
                        reports.map {
                            ["peer": .string($0.peer), "traffic": json($0.traffic), "error": $0.error.map { .string($0) } ?? .null]
                        })
                ]
            },
        ]
    }

    static func json(_ traffic: PeerTraffic) -> JSONValue {
        [
            "sent": .int(Int64(traffic.sent)), "received": .int(Int64(traffic.received)),
            "applied": .int(Int64(traffic.applied)), "already_had": .int(Int64(traffic.alreadyHad)),
            "bytes_sent": .int(Int64(traffic.bytesSent)),
        ]
    }

    /// A peer's row; `held` is this office's vector, against which its lag per origin is counted.
    static func json(_ status: PeerService.Status, held: VersionVector, behind: PeerLag) -> JSONValue {
        var lags: [String: JSONValue] = [:]
        for (origin, seq) in held.entries where seq > status.peer.vector[origin] {
            lags[origin] = .int(Int64(seq - status.peer.vector[origin]))
        }
        let peer = status.peer
        return [
            "name": .string(peer.name), "address": .string(peer.address), "office": .string(peer.office),
            "added_at": .string(peer.addedAt), "last_seen": peer.lastSeen.map { .string($0) } ?? .null,
            "last_sync": peer.lastSync.map { .string($0) } ?? .null,
            "last_error": peer.lastError.map { .string($0) } ?? .null, "connected": .bool(status.connected),
            "lags": .object(lags), "traffic": json(status.traffic),
            "behind": ["change_sets": .int(Int64(behind.changeSets)), "bytes": .int(Int64(behind.bytes))],
        ]
    }
}
