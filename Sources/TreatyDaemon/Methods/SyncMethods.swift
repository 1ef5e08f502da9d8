import Foundation
import TreatyModel
import TreatyPeer
import TreatyProtocol
import TreatyStore
import TreatySync

/// This office's identity, the offices table, bundles in and out, sync status and conflicts.
enum SyncMethods {
    static let officeID: JSONValue = ["type": "string", "pattern": "^[0-9a-f]{64}$"]
    /// What receiving a bundle did.
    static let received: JSONValue = [
        "type": "object", "required": ["applied", "already_had", "held", "conflicts"], "additionalProperties": false,
        "properties": [
            "applied": ["type": "integer"], "already_had": ["type": "integer"], "held": held, "conflicts": ["type": "integer"],
        ],
    ]
    /// A staged transfer's token.
    /// Which change sets an export holds: what an office lacks (`for`), or what a holder of a vector lacks (`since`).
    static let exportFilter: [RPCMethod.Param] = [
        .init("for", ["type": "string"], "An office id, id prefix or name."),
        .init("since", ["type": "string"], "A version vector as OFFICE:SEQ,OFFICE:SEQ (sync.status prints one)."),
    ]
    static let token: JSONValue = ["type": "string", "pattern": "^[0-9a-z]{20}$"]
    static let held: JSONValue = [
        "type": "array",
        "items": [
            "type": "object", "required": ["office", "seq", "reason"], "additionalProperties": false,
            "properties": ["office": officeID, "seq": ["type": "integer"], "reason": ["type": "string"]],
        ],
    ]
    static let vector: JSONValue = [
        "type": "object", "description": "Office id to the highest sequence number held from it.",
        "additionalProperties": ["type": "integer"],
    ]
    static let value: JSONValue = [
        "type": "object", "required": ["value", "office", "seq", "user", "at"], "additionalProperties": false,
        "properties": [
            "value": [:], "office": ["type": "string"], "seq": ["type": "integer"], "user": ["type": "string"],
            "at": ["type": "string"],
        ],
    ]
    static let conflicts: JSONValue = [
        "type": "object", "required": ["conflicts"], "additionalProperties": false,
        "properties": [
            "conflicts": [
                "type": "array",
                "items": [
                    "type": "object", "required": ["record", "kind", "field", "current", "losers"],
                    "additionalProperties": false,
                    "properties": [
                        "record": ["type": "string"], "kind": ["type": "string"], "field": ["type": "string"],
                        "current": value, "losers": ["type": "array", "items": value],
                    ],
                ],
            ]
        ],
    ]

    static func all(_ store: TreatyStore, peers: PeerService, examples: ExampleIDs, transfers: BundleTransfers) -> [RPCMethod] {
        [
            RPCMethod(
                "identity", "This office: its id (give it to the offices that pair with this one), public key and name.",
                result: [
                    "type": "object", "required": ["office", "public_key", "name", "listen"], "additionalProperties": false,
                    "properties": [
                        "office": officeID, "public_key": ["type": "string"], "name": ["type": ["string", "null"]],
                        "listen": ["type": ["string", "null"], "description": "HOST:PORT peers connect to, if listening."],
                    ],
                ]
            ) { call throws(RPCError) in
                let me = try await call.store { try await store.get(store.office.id, kind: .office) }
                return [
                    "office": .string(store.office.id), "public_key": .string(store.office.publicKeyBase64),
                    "name": me.fields["name"] ?? .null,
                    "listen": await peers.listeningAddress.map { .string($0) } ?? .null,
                ]
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
                "sync.offices", "The offices table, with what this office holds from each and how many are held back.",
                result: [
                    "type": "object", "required": ["offices"], "additionalProperties": false,
                    "properties": [
                        "offices": [
                            "type": "array",
                            "items": [
                                "type": "object", "additionalProperties": false,
                                "required": [
                                    "office", "name", "public_key", "added_by", "added_at", "self", "removed", "holds", "held",
                                    "pending",
                                ],
                                "properties": [
                                    "office": officeID, "name": ["type": ["string", "null"]], "public_key": ["type": "string"],
                                    "added_by": ["type": "string"], "added_at": ["type": "string"], "self": ["type": "boolean"],
                                    "removed": ["type": "boolean"], "holds": ["type": "integer"], "held": ["type": "integer"],
                                    "pending": [
                                        "type": "boolean",
                                        "description": "Admitted by its id alone; its record comes with its first change set.",
                                    ],
                                ],
                            ],
                        ]
                    ],
                ]
            ) { call throws(RPCError) in
                let offices = try await call.store { try await store.offices() }
                return [
                    "offices": .array(
                        offices.map { entry in
                            [
                                "office": .string(entry.id), "name": entry.name.map { .string($0) } ?? .null,
                                "public_key": .string(entry.publicKey), "added_by": .string(entry.addedBy),
                                "added_at": .string(entry.addedAt), "self": .bool(entry.isSelf), "removed": .bool(entry.removed),
                                "holds": .int(Int64(entry.holds)), "held": .int(Int64(entry.held)),
                                "pending": .bool(entry.pending),
                            ]
                        })
                ]
            },
            RPCMethod(
                "sync.status",
                "The version vector, change sets held back and why, the log's size, conflicts, and a digest of the "
                    + "synced content: offices holding the same change sets show the same digest.",
                result: [
                    "type": "object", "additionalProperties": false,
                    "required": ["office", "vector", "held", "log_change_sets", "log_bytes", "conflicts", "digest"],
                    "properties": [
                        "office": officeID, "vector": vector, "held": held, "log_change_sets": ["type": "integer"],
                        "log_bytes": ["type": "integer"], "conflicts": ["type": "integer"],
                        "digest": ["type": "string", "pattern": "^[0-9a-f]{64}$"],
                    ],
                ]
            ) { call throws(RPCError) in
                let status = try await call.store { try await store.syncStatus() }
                return [
                    "office": .string(status.office), "vector": json(status.vector), "held": json(status.held),
                    "log_change_sets": .int(Int64(status.logChangeSets)), "log_bytes": .int(status.logBytes),
                    "conflicts": .int(Int64(status.conflicts)), "digest": .string(status.digest),
                ]
            },
            RPCMethod(
                "sync.export",
                "A bundle (base64) of the change sets an office lacks: `for` an office (what it is known to hold), or "
                    + "`since` a version vector; neither gives everything.",
                params: exportFilter,
                result: [
                    "type": "object", "required": ["bundle", "change_sets", "bytes", "since"], "additionalProperties": false,
                    "properties": [
                        "bundle": ["type": "string", "contentEncoding": "base64"], "change_sets": ["type": "integer"],
                        "bytes": ["type": "integer"], "since": vector,
                    ],
                ]
            ) { call throws(RPCError) in
                let since = try await Self.since(call, store)
                let missing = since
                let envelopes = try await call.store { try await store.changeSets(missingFrom: missing) }
                let bundle = BundleFile.write(envelopes, schema: store.recordSchema)
                return [
                    "bundle": .string(bundle.base64EncodedString()), "change_sets": .int(Int64(envelopes.count)),
                    "bytes": .int(Int64(bundle.count)), "since": json(since),
                ]
            },
            RPCMethod(
                "sync.import",
                "Checks a whole bundle (checksum, sizes, every signature) and then applies what it holds; a bad bundle "
                    + "changes nothing. Change sets of unknown offices or a newer schema are held, not dropped.",
                access: .writer,
                params: [.init("bundle", ["type": "string", "contentEncoding": "base64"], required: true, "The bundle file, base64.")],
                result: received, example: ["bundle": "VFJFQVRZQgoAAAEb..."]
            ) { call throws(RPCError) in
                guard let data = Data(base64Encoded: try call.required("bundle")) else {
                    throw .invalidParams("bundle is not base64")
                }
                let summary = try await call.store { try await store.importBundle(data) }
                return json(summary)
            },
            RPCMethod(
                "sync.export.begin",
                "Writes a bundle of the change sets an office lacks (`for` or `since`, as sync.export) to a file the "
                    + "daemon keeps for this connection, one change set at a time; read it with sync.export.chunk. For "
                    + "bundles of any size.",
                params: exportFilter,
                result: [
                    "type": "object", "required": ["export", "change_sets", "bytes", "since"], "additionalProperties": false,
                    "properties": [
                        "export": token, "change_sets": ["type": "integer"], "bytes": ["type": "integer"], "since": vector,
                    ],
                ]
            ) { call throws(RPCError) in
                let since = try await Self.since(call, store)
                let (export, path) = await transfers.reserveDownload(owner: call.session)
                let written = try await call.store { try await store.exportBundle(missingFrom: since, to: path) }
                return [
                    "export": .string(export), "change_sets": .int(Int64(written.changeSets)),
                    "bytes": .int(Int64(written.bytes)), "since": json(since),
                ]
            },
            RPCMethod(
                "sync.export.chunk",
                "Up to 4 MiB of a bundle sync.export.begin wrote, from `offset`, and where the next piece starts (null "
                    + "after the last).",
                params: [
                    .init("export", token, required: true, "From sync.export.begin."),
                    .init("offset", ["type": "integer", "minimum": 0], required: true, "Where to read from."),
                ],
                result: [
                    "type": "object", "required": ["data", "next"], "additionalProperties": false,
                    "properties": [
                        "data": ["type": "string", "contentEncoding": "base64"], "next": ["type": ["integer", "null"]],
                    ],
                ], example: ["export": "0123456789abcdefghjk", "offset": 0]
            ) { call throws(RPCError) in
                guard let offset = call.params["offset"]?.intValue else { throw .invalidParams("offset is required") }
                let (data, next) = try await transfers.read(try call.required("export"), at: Int(offset), owner: call.session)
                return ["data": .string(data.base64EncodedString()), "next": next.map { .int(Int64($0)) } ?? .null]
            },
            RPCMethod(
                "sync.export.end", "Drops a bundle sync.export.begin wrote.",
                params: [.init("export", token, required: true, "From sync.export.begin.")],
                result: ["type": "object", "additionalProperties": false, "properties": [:]],
                example: ["export": "0123456789abcdefghjk"]
            ) { call throws(RPCError) in
                try await transfers.end(try call.required("export"), owner: call.session)
                return [:]
            },
            RPCMethod(
                "sync.import.begin",
                "Starts sending a bundle of any size in pieces (sync.import.chunk); sync.import.commit checks it whole and "
                    + "applies it, as sync.import does.",
                access: .writer,
                result: ["type": "object", "required": ["import"], "properties": ["import": token], "additionalProperties": false]
            ) { call throws(RPCError) in
                ["import": .string(try await transfers.beginUpload(owner: call.session))]
            },
            RPCMethod(
                "sync.import.chunk", "Adds the next piece (at most 4 MiB) of a bundle. Nothing is applied before sync.import.commit.",
                access: .writer,
                params: [
                    .init("import", token, required: true, "From sync.import.begin."),
                    .init("data", ["type": "string", "contentEncoding": "base64"], required: true, "The next piece, base64."),
                ],
                result: ["type": "object", "required": ["bytes"], "properties": ["bytes": ["type": "integer"]], "additionalProperties": false],
                example: ["import": "0123456789abcdefghjk", "data": "VFJFQVRZQgoAAAEb..."]
            ) { call throws(RPCError) in
                guard let data = Data(base64Encoded: try call.required("data")) else { throw .invalidParams("data is not base64") }
                guard data.count <= BundleTransfers.pieceBytes else {
                    throw .invalidParams("a piece may be at most \(BundleTransfers.pieceBytes) bytes, not \(data.count)")
                }
                return ["bytes": .int(Int64(try await transfers.append(try call.required("import"), data, owner: call.session)))]
            },
            RPCMethod(
                "sync.import.commit",
                "Checks the bundle sent (checksum, sizes, every signature) and then applies what it holds, reading it a "
                    + "piece at a time; a bad bundle changes nothing.",
                access: .writer,
                params: [.init("import", token, required: true, "From sync.import.begin.")],
                result: received, example: ["import": "0123456789abcdefghjk"]
            ) { call throws(RPCError) in
                let path = try await transfers.finishUpload(try call.required("import"), owner: call.session)
                defer { try? FileManager.default.removeItem(atPath: path) }
                let summary = try await call.store { try await store.importBundle(from: .file(path)) }
                return json(summary)
            },
            RPCMethod(
                "conflicts.list",
                "Fields two offices wrote concurrently: the value every office shows and the values that lost, with who "
                    + "wrote each, where and when. Offices holding the same change sets list the same conflicts.",
                params: [.init("record", RecordSchemas.id, "Only this record's (id or prefix).")], result: conflicts,
                example: ["record": .string(InterfaceExamples.conflictRecord)]
            ) { call throws(RPCError) in
                let list = try await call.store { try await store.conflicts(record: call.string("record")) }
                return ["conflicts": .array(list.map(json))]
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
    static func since(_ call: RPCCall, _ store: TreatyStore) async throws(RPCError) -> VersionVector {
        if call.string("for") != nil, call.string("since") != nil {
            throw .invalidParams("give either \"for\" or \"since\", not both")
        }
        if let office = call.string("for") {
            return try await call.store { try await store.knownVector(of: office).vector }
        }
        guard let text = call.string("since") else { return VersionVector() }
        let known = try await call.store { try await store.offices().map(\.id) }
        do {
            return try VersionVector.parse(text, known: known)
        } catch {
            throw .invalidParams(String(describing: error))
        }
    }

    static func json(_ vector: VersionVector) -> JSONValue {
        .object(vector.entries.mapValues { .int(Int64($0)) })
    }

    static func json(_ held: [HeldChangeSet]) -> JSONValue {
        .array(held.map { ["office": .string($0.origin), "seq": .int(Int64($0.seq)), "reason": .string($0.reason)] })
    }

    static func json(_ summary: ReceiveSummary) -> JSONValue {
        [
            "applied": .int(Int64(summary.applied)), "already_had": .int(Int64(summary.alreadyHad)),
            "held": json(summary.held), "conflicts": .int(Int64(summary.conflicts)),
        ]
    }

    static func json(_ value: ConflictValue) -> JSONValue {
        [
            "value": value.value, "office": .string(value.office), "seq": .int(Int64(value.seq)),
            "user": .string(value.user), "at": .string(value.at),
        ]
    }

    static func json(_ conflict: Conflict) -> JSONValue {
        [
            "record": .string(conflict.recordID), "kind": .string(conflict.kind.rawValue), "field": .string(conflict.field),
            "current": json(conflict.current), "losers": .array(conflict.losers.map(json)),
        ]
    }
}
