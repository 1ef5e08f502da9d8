import Crypto
import Foundation
import GRDB
import TreatyModel
import TreatySync

@testable import TreatyStore

/// An admitted office gone hostile: change sets properly signed with its key, saying whatever a test wants.
struct Forger {
    let key: Curve25519.Signing.PrivateKey

    init(seed: inout SplitMix64) {
        let raw = Data((0..<32).map { _ in UInt8(truncatingIfNeeded: seed.next()) })
        key = try! Curve25519.Signing.PrivateKey(rawRepresentation: raw)
    }

    init() {
        key = Curve25519.Signing.PrivateKey()
    }

    var id: String { OfficeID.of(publicKey: key.publicKey.rawRepresentation) }
    var publicKeyBase64: String { key.publicKey.rawRepresentation.base64EncodedString() }

    /// Admits this office at `store`, as `treaty office add` does.
    func admit(at store: TreatyStore) async throws {
        _ = try await store.addOffice(id: id, publicKey: publicKeyBase64, name: nil, user: "admin")
    }

    /// A signed change set. Its own entry in `dependencies` is set to `seq - 1`, as every office's is.
    func envelope(
        seq: UInt64, clock: UInt64, dependencies: VersionVector = VersionVector(), schema: UInt32 = UInt32(Schema.version),
        changeset: Data
    ) throws -> ChangeSetEnvelope {
        var dependencies = dependencies
        dependencies[id] = seq &- 1
        let (key, publicKey, deps) = (key, key.publicKey.rawRepresentation, dependencies)
        return try LargeStack.run {
            try ChangeSetEnvelope(
                signingKey: key, publicKey: publicKey, seq: seq, clock: clock, schemaVersion: schema, user: "forger",
                dependencies: deps, changeset: changeset)
        }
    }

    enum Operation { case insert, update, delete }

    /// A SQLite session changeset of one row change to a table `table` with `values.count` columns (the first the
    /// primary key), made in a scratch database whose columns take any value as given. An update changes every
    /// column but the key from `before` (nulls where not given) to `values`.
    static func changeset(
        table: String, operation: Operation, values: [DatabaseValue], before: [DatabaseValue]? = nil
    ) throws -> Data {
        let queue = try DatabaseQueue()
        let columns = values.indices.map { "c\($0)" }
        let definition = columns.enumerated().map { $0.offset == 0 ? "\($0.element) PRIMARY KEY" : $0.element }
        let quoted = "\"" + table.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        return try queue.write { db in
            try db.execute(sql: "CREATE TABLE \(quoted) (\(definition.joined(separator: ", ")))")
            let insert = "INSERT INTO \(quoted) VALUES (\(Array(repeating: "?", count: values.count).joined(separator: ", ")))"
            if operation != .insert {
                let old = before ?? [values[0]] + Array(repeating: DatabaseValue.null, count: values.count - 1)
                try db.execute(sql: insert, arguments: StatementArguments(old))
            }
            let session = try CaptureSession(db, allTables: true)
            do {
                switch operation {
                case .insert:
                    try db.execute(sql: insert, arguments: StatementArguments(values))
                case .update:
                    let set = columns.dropFirst().map { "\($0) = ?" }.joined(separator: ", ")
                    try db.execute(
                        sql: "UPDATE \(quoted) SET \(set) WHERE c0 = ?",
                        arguments: StatementArguments(Array(values.dropFirst()) + [values[0]]))
                case .delete:
                    try db.execute(sql: "DELETE FROM \(quoted) WHERE c0 = ?", arguments: [values[0]])
                }
            }
            return try session.changeset()
        }
    }

    /// The values of a well-formed new record of `kind` with these fields: what an honest office would send.
    static func row(
        _ kind: RecordKind, id: String, fields: [String: DatabaseValue], version: Int64 = 1,
        layout: RecordLayout = .current
    ) -> [DatabaseValue] {
        let at = "2025-10-08T12:00:00.000Z".databaseValue
        let provenance: [String: DatabaseValue] = [
            "created_at": at, "created_office": "x".databaseValue, "created_user": "forger".databaseValue,
            "updated_at": at, "updated_office": "x".databaseValue, "updated_user": "forger".databaseValue,
            "version": version.databaseValue, "deleted": 0.databaseValue,
        ]
        return layout.columns(of: kind).map { column in
            column == "id" ? id.databaseValue : provenance[column] ?? fields[column] ?? .null
        }
    }
}
