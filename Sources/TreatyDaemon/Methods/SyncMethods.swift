import Foundation
import TreatyModel
import TreatyPeer
import TreatyProtocol
import TreatyStore
import TreatySync

/// This office's identity, the offices table, bundles in and out, sync status and conflicts.
enum SyncMethods {
    static let officeID: JSONValue = ["type": "string", "pattern": .string(WirePattern.officeID)]

    static func all(_ store: TreatyStore, peers: PeerService, examples: ExampleIDs, transfers: BundleTransfers) -> [RPCMethod] {
        [
            RPCMethod(
                RPC.Identity.self, "This office: its id (give it to the offices that pair with this one), public key and name."
            ) { call, _ throws(RPCError) in
                let me = try await call.store { try await store.get(store.office.id, kind: .office) }
                return .init(
                    office: store.office.id, publicKey: store.office.publicKeyBase64, name: me.fields["name"]?.stringValue,
                    listen: await peers.listeningAddress)
            },
            RPCMethod(
                "office.admit",
                "Adds an office to the offices table, so its change sets are applied here (those held are applied now). "
                    + "The key may be left out: it is taken from a change set of that office held here, or, with none "
                    + "here yet, from the first that arrives (the answer is then `pending`; the id is the key's hash).",
                access: .writer,
                params: [
                    .init("office", officeID, required: true, "The office id its `treaty identity` prints."),
                    .init("public_key", ["type": "string"], "Its Ed25519 public key, base64."),
                    .init("name", ["type": "string"], "What people call it."),
                ],
                result: [
                    "oneOf": [
                        RecordSchemas.reference(.office),
                        [
                            "type": "object", "additionalProperties": false, "required": ["office", "name", "pending"],
                            "properties": [
                                "office": officeID, "name": ["type": ["string", "null"]], "pending": ["const": true],
                            ],
                        ],
                    ]
                ],
                example: ["office": .string(String(repeating: "7c", count: 32)), "name": "Baku desk (example)"]
            ) { call throws(RPCError) in
                let admission = try await call.store {
                    try await store.addOffice(
                        id: try call.required("office"), publicKey: call.string("public_key"), name: call.string("name"),
                        user: call.session.user)
                }
                switch admission {
                case .admitted(let record): return try await RecordMethods.withShortIDs(store, record)
                case .pending(let office, let name):
                    return ["office": .string(office), "name": name.map { .string($0) } ?? .null, "pending": true]
                }
            },
            RPCMethod(
                RPC.Offices.self, "The offices table, with what this office holds from each and how many are held back."
            ) { call, _ throws(RPCError) in
                let offices = try await call.store { try await store.offices() }
                return .init(
                    offices: offices.map {
                        .init(
                            office: $0.id, name: $0.name, publicKey: $0.publicKey, addedBy: $0.addedBy, addedAt: $0.addedAt,
                            isSelf: $0.isSelf, removed: $0.removed, holds: Int($0.holds), held: $0.held, pending: $0.pending)
                    })
            },
            RPCMethod(
                RPC.SyncStatus.self,
                "The version vector, change sets held back and why, the log's size, conflicts, and a digest of the "
                    + "synced content: offices holding the same change sets show the same digest."
            ) { call, _ throws(RPCError) in
                let status = try await call.store { try await store.syncStatus() }
                return .init(
                    office: status.office, vector: contract(status.vector), held: contract(status.held),
                    logChangeSets: status.logChangeSets, logBytes: Int(status.logBytes), conflicts: status.conflicts,
                    digest: status.digest)
            },
            RPCMethod(
                RPC.SyncExport.self,
                "A bundle (base64) of the change sets an office lacks: `for` an office (what it is known to hold), or "
                    + "`since` a version vector; neither gives everything."
            ) { call, filter throws(RPCError) in
                let since = try await Self.since(filter, call, store)
                let envelopes = try await call.store { try await store.changeSets(missingFrom: since) }
                let bundle = BundleFile.write(envelopes, schema: store.recordSchema)
                return .init(
                    bundle: bundle.base64EncodedString(), changeSets: envelopes.count, bytes: bundle.count,
                    since: contract(since))
            },
            RPCMethod(
                RPC.SyncImport.self,
                "Checks a whole bundle (checksum, sizes, every signature) and then applies what it holds; a bad bundle "
                    + "changes nothing. Change sets of unknown offices or a newer schema are held, not dropped.",
                access: .writer, example: ["bundle": "VFJFQVRZQgoAAAEb..."]
            ) { call, params throws(RPCError) in
                guard let data = Data(base64Encoded: params.bundle) else { throw .invalidParams("bundle is not base64") }
                return contract(try await call.store { try await store.importBundle(data) })
            },
            RPCMethod(
                RPC.SyncExportBegin.self,
                "Writes a bundle of the change sets an office lacks (`for` or `since`, as sync.export) to a file the "
                    + "daemon keeps for this connection, one change set at a time; read it with sync.export.chunk. For "
                    + "bundles of any size."
            ) { call, filter throws(RPCError) in
                let since = try await Self.since(filter, call, store)
                let (export, path) = await transfers.reserveDownload(owner: call.session)
                let written = try await call.store { try await store.exportBundle(missingFrom: since, to: path) }
                return .init(export: export, changeSets: written.changeSets, bytes: written.bytes, since: contract(since))
            },
            RPCMethod(
                RPC.SyncExportChunk.self,
                "Up to 4 MiB of a bundle sync.export.begin wrote, from `offset`, and where the next piece starts (absent "
                    + "after the last).",
                example: ["export": "0123456789abcdefghjk", "offset": 0]
            ) { call, params throws(RPCError) in
                let (data, next) = try await transfers.read(params.export, at: params.offset, owner: call.session)
                return .init(data: data.base64EncodedString(), next: next)
            },
            RPCMethod(
                RPC.SyncExportEnd.self, "Drops a bundle sync.export.begin wrote.", example: ["export": "0123456789abcdefghjk"]
            ) { call, params throws(RPCError) in
                try await transfers.end(params.export, owner: call.session)
                return .init()
            },
            RPCMethod(
                RPC.SyncImportBegin.self,
                "Starts sending a bundle of any size in pieces (sync.import.chunk); sync.import.commit checks it whole and "
                    + "applies it, as sync.import does.",
                access: .writer
            ) { call, _ throws(RPCError) in
                .init(import: try await transfers.beginUpload(owner: call.session))
            },
            RPCMethod(
                RPC.SyncImportChunk.self,
                "Adds the next piece (at most 4 MiB) of a bundle. Nothing is applied before sync.import.commit.",
                access: .writer, example: ["import": "0123456789abcdefghjk", "data": "VFJFQVRZQgoAAAEb..."]
            ) { call, params throws(RPCError) in
                guard let data = Data(base64Encoded: params.data) else { throw .invalidParams("data is not base64") }
                guard data.count <= BundleTransfers.pieceBytes else {
                    throw .invalidParams("a piece may be at most \(BundleTransfers.pieceBytes) bytes, not \(data.count)")
                }
                return .init(bytes: try await transfers.append(params.import, data, owner: call.session))
            },
            RPCMethod(
                RPC.SyncImportCommit.self,
                "Checks the bundle sent (checksum, sizes, every signature) and then applies what it holds, reading it a "
                    + "piece at a time; a bad bundle changes nothing.",
                access: .writer, example: ["import": "0123456789abcdefghjk"]
            ) { call, params throws(RPCError) in
                let path = try await transfers.finishUpload(params.import, owner: call.session)
                defer { try? FileManager.default.removeItem(atPath: path) }
                return contract(try await call.store { try await store.importBundle(from: .file(path)) })
            },
            RPCMethod(
                RPC.ConflictsList.self,
                "Fields two offices wrote concurrently: the value every office shows and the values that lost, with who "
                    + "wrote each, where and when. Offices holding the same change sets list the same conflicts.",
                example: ["record": .string(InterfaceExamples.conflictRecord)]
            ) { call, params throws(RPCError) in
                let list = try await call.store { try await store.conflicts(record: params.record) }
                return .init(conflicts: list.map(contract))
            },
            RPCMethod(
                "conflicts.settle",
                "Settles the conflict on one field: keep the current value, keep a losing office's value, or write a new "
                    + "one. The settlement syncs like any change.",
                access: .writer,
                params: [
                    .init("record", RecordSchemas.id, required: true, "The record (id or prefix)."),
                    .init("field", ["type": "string"], required: true, "The field in conflict."),
                    .init("keep", ["type": "string"], "\"current\", or the office (name, id or id prefix) whose losing value to keep."),
                    .init("value", ["type": ["string", "number", "boolean", "null"]], "A new value instead."),
                ], result: ["type": "object", "description": "The record as it is after settling."],
                example: ["record": .string(InterfaceExamples.conflictRecord), "field": "summary", "keep": "current"]
            ) { call throws(RPCError) in
                let choice: ConflictChoice
                switch (call.string("keep"), call.params["value"]) {
                case ("current"?, nil): choice = .current
                case (let office?, nil): choice = .office(office)
                case (nil, let value?): choice = .value(value)
                default: throw .invalidParams("give either \"keep\" (current or an office id prefix) or \"value\"")
                }
                let record = try await call.store {
                    try await store.settleConflict(
                        record: try call.required("record"), field: try call.required("field"), choice: choice,
                        user: call.session.user)
                }
                return try await RecordMethods.withShortIDs(store, record)
            },
        ]
    }

    /// What the receiver of an export holds: `for` an office (what it is known to hold), `since` a vector, else
    /// nothing.
    static func since(_ filter: RPC.ExportFilter, _ call: RPCCall, _ store: TreatyStore) async throws(RPCError) -> VersionVector {
        if filter.for != nil, filter.since != nil { throw .invalidParams("give either \"for\" or \"since\", not both") }
        if let office = filter.for {
            return try await call.store { try await store.knownVector(of: office).vector }
        }
        guard let text = filter.since else { return VersionVector() }
        let known = try await call.store { try await store.offices().map(\.id) }
        do {
            return try VersionVector.parse(text, known: known)
        } catch {
            throw .invalidParams(String(describing: error))
        }
    }

    static func contract(_ vector: VersionVector) -> RPCVersionVector {
        vector.entries.mapValues { Int($0) }
    }

    static func contract(_ held: [HeldChangeSet]) -> [RPC.HeldChangeSet] {
        held.map { .init(office: $0.origin, seq: Int($0.seq), reason: $0.reason) }
    }

    static func contract(_ summary: ReceiveSummary) -> RPC.Received {
        .init(applied: summary.applied, alreadyHad: summary.alreadyHad, held: contract(summary.held), conflicts: summary.conflicts)
    }

    static func contract(_ value: ConflictValue) -> RPC.ConflictValue {
        .init(value: value.value, office: value.office, seq: Int(value.seq), user: value.user, at: value.at)
    }

    static func contract(_ conflict: Conflict) -> RPC.ConflictsList.Conflict {
        .init(
            record: conflict.recordID, kind: conflict.kind.rawValue, field: conflict.field, current: contract(conflict.current),
            losers: conflict.losers.map(contract))
    }
}
