import Foundation
import GRDB
import TreatyModel
import TreatySync

/// A network peer: another office's treatyd this one connects to over mutual TLS.
public struct Peer: Sendable, Equatable {
    public let name: String
    /// HOST:PORT.
    public let address: String
    /// The office id the peer's key must hash to (pinned).
    public let office: String
    public let addedAt: String
    public var lastSeen: String?
    public var lastSync: String?
    public var lastError: String?
    /// What the peer was last known to hold.
    public var vector: VersionVector
}

extension TreatyStore {
    /// Pins a peer: connections to and from it are accepted only when its key hashes to `office`.
    public func addPeer(name: String, address: String, office: String) async throws(StoreError) -> Peer {
        let office = office.lowercased()
        guard OfficeID.isWellFormed(office) else {
            throw .invalidArgument("an office id is 64 hex characters (treaty identity prints it), not \"\(office)\"")
        }
        guard !name.isEmpty, name.count <= 64, !name.contains(where: \.isWhitespace) else {
            throw .invalidArgument("a peer name is one word of up to 64 characters")
        }
        guard office != self.office.id else { throw .invalidArgument("\(office.prefix(12)) is this office itself") }
        try Self.checkAddress(address)
        let now = timestamp()
        return try await writeUncaptured { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM sync_peer WHERE name = ?", arguments: [name]) == true {
                throw StoreError.invalidArgument("a peer named \(name) exists already (treaty peer rm \(name) first)")
            }
            if let other = try String.fetchOne(db, sql: "SELECT name FROM sync_peer WHERE office = ?", arguments: [office]) {
                throw StoreError.invalidArgument("office \(office.prefix(12)) is peer \(other) already")
            }
            try db.execute(
                sql: "INSERT INTO sync_peer (name, address, office, added_at) VALUES (?, ?, ?, ?)",
                arguments: [name, address, office, now])
            return Peer(
                name: name, address: address, office: office, addedAt: now, lastSeen: nil, lastSync: nil, lastError: nil,
                vector: VersionVector())
        }
    }

    /// HOST:PORT with a port in 1...65535 and a host that is not empty.
    static func checkAddress(_ address: String) throws(StoreError) {
        guard let (_, port) = PeerAddress.split(address), port > 0 else { throw .invalidArgument("a peer address is HOST:PORT, such as 10.0.0.2:7420, not \"\(address)\"") }
    }

    /// Unpins a peer. Its office stays in the offices table (its change sets still apply when relayed).
    public func removePeer(name: String) async throws(StoreError) {
        let removed = try await writeUncaptured { db in
            try db.execute(sql: "DELETE FROM sync_peer WHERE name = ?", arguments: [name])
            return db.changesCount
        }
        if removed == 0 { throw .notFound("peer \(name)") }
    }

    /// Every peer, by name.
    public func peers() async throws(StoreError) -> [Peer] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM sync_peer ORDER BY name").map { row in
                Peer(
                    name: row["name"], address: row["address"], office: row["office"], addedAt: row["added_at"],
                    lastSeen: row["last_seen"], lastSync: row["last_sync"], lastError: row["last_error"],
                    vector: (try? VersionVector.parse(row["vector"] ?? "")) ?? VersionVector())
            }
        }
    }

    /// Notes how contact with a peer went. Nil leaves a column as it is.
    public func notePeer(
        office: String, seen: Bool = false, synced: Bool = false, error: String?? = nil, vector: VersionVector? = nil
    ) async throws(StoreError) {
        let now = timestamp()
        _ = try await writeUncaptured { db in
            if seen { try db.execute(sql: "UPDATE sync_peer SET last_seen = ? WHERE office = ?", arguments: [now, office]) }
            if synced { try db.execute(sql: "UPDATE sync_peer SET last_sync = ? WHERE office = ?", arguments: [now, office]) }
            if let error {
                try db.execute(sql: "UPDATE sync_peer SET last_error = ? WHERE office = ?", arguments: [error, office])
            }
            if let vector {
                try db.execute(
                    sql: "UPDATE sync_peer SET vector = ? WHERE office = ?", arguments: [vector.description, office])
            }
            return 0
        }
    }

    /// What a holder of `vector` lacks of what this office holds (applied or held back, as a peer is sent): how
    /// many change sets, and how many bytes of them. One range of the log's key per origin.
    public func lag(of vector: VersionVector) async throws(StoreError) -> PeerLag {
        try await read { db in
            var lag = PeerLag()
            for origin in try Row.fetchAll(db, sql: "SELECT n, office FROM sync_origin") {
                let row = try Row.fetchOne(
                    db.cachedStatement(
                        sql: "SELECT COUNT(*), COALESCE(SUM(length(envelope)), 0) FROM sync_log WHERE origin = ? AND seq > ?"),
                    arguments: [origin["n"] as Int64, Int64(vector[origin["office"] as String])])!
                lag.changeSets += row[0] as Int
                lag.bytes += row[1] as Int
            }
            return lag
        }
    }
}

/// How far behind this office a peer is.
public struct PeerLag: Sendable, Equatable {
    public var changeSets = 0
    public var bytes = 0
}
