import Foundation
import TreatyModel
import TreatyPeer
import TreatyProtocol
import TreatyStore
import TreatySync

/// Network peers: pin, list, unpin, and sync now.
enum PeerMethods {
    static func all(_ store: TreatyStore, peers: PeerService) -> [RPCMethod] {
        [
            RPCMethod(
                RPC.PeerAdd.self,
                "Pins a peer office at HOST:PORT: connections to and from it are accepted only when its key hashes to "
                    + "the office id. It is dialed at once and kept connected.",
                access: .writer,
                example: ["name": "baku", "address": "127.0.0.1:7421", "office": .string(String(repeating: "7c", count: 32))]
            ) { call, params throws(RPCError) in
                let added = try await call.store {
                    try await store.addPeer(name: params.name, address: params.address, office: params.office)
                }
                try await call.store { try await peers.refresh() }
                // As added: the connection it starts reports in peer.list.
                let held = try await call.store { try await store.versionVector() }
                let behind = try await call.store { try await store.lag(of: added.vector) }
                return contract(PeerService.Status(peer: added, connected: false, traffic: PeerTraffic()), held: held, behind: behind)
            },
            RPCMethod(
                RPC.PeerList.self,
                "Each peer: its address, whether it is connected, when it was last seen and last synced, what it lags "
                    + "per origin office and in all (change sets and bytes), the last error, and what its connections moved since treatyd started."
            ) { call, _ throws(RPCError) in
                let status = try await call.store { try await peers.status() }
                let held = try await call.store { try await store.versionVector() }
                var list: [RPC.Peer] = []
                for peer in status {
                    let behind = try await call.store { try await store.lag(of: peer.peer.vector) }
                    list.append(contract(peer, held: held, behind: behind))
                }
                return .init(peers: list)
            },
            RPCMethod(
                RPC.PeerRemove.self, "Unpins a peer and closes its connection. Its office stays in the offices table.",
                access: .writer, example: ["name": "baku"]
            ) { call, params throws(RPCError) in
                try await call.store { try await store.removePeer(name: params.name) }
                try await call.store { try await peers.refresh() }
                return .init()
            },
            RPCMethod(
                RPC.SyncNow.self,
                "A sync round with one peer or all: connects if need be, sends what each lacks, takes what it has, and "
                    + "reports what moved.",
                access: .writer
            ) { call, params throws(RPCError) in
                let reports = try await call.store { try await peers.syncNow(peer: params.peer) }
                return .init(rounds: reports.map { .init(peer: $0.peer, traffic: contract($0.traffic), error: $0.error) })
            },
        ]
    }

    static func contract(_ traffic: PeerTraffic) -> RPC.Traffic {
        .init(
            sent: traffic.sent, received: traffic.received, applied: traffic.applied, alreadyHad: traffic.alreadyHad,
            bytesSent: traffic.bytesSent)
    }

    /// A peer's row; `held` is this office's vector, against which its lag per origin is counted.
    static func contract(_ status: PeerService.Status, held: VersionVector, behind: PeerLag) -> RPC.Peer {
        var lags: [String: Int] = [:]
        for (origin, seq) in held.entries where seq > status.peer.vector[origin] {
            lags[origin] = Int(seq - status.peer.vector[origin])
        }
        let peer = status.peer
        return .init(
            name: peer.name, address: peer.address, office: peer.office, addedAt: peer.addedAt, lastSeen: peer.lastSeen,
            lastSync: peer.lastSync, lastError: peer.lastError, connected: status.connected, lags: lags,
            behind: .init(changeSets: behind.changeSets, bytes: behind.bytes), traffic: contract(status.traffic))
    }
}
