import NIOPosix
import TreatyModel
import TreatyProtocol
import TreatyStore

/// `add`, `get`, `update`, `delete` and `list` for every record kind, plus `record.get` for any kind.
enum RecordMethods {
    static func all(_ store: TreatyStore, examples: ExampleIDs) -> [RPCMethod] {
        RecordKind.allCases.flatMap { methods(for: $0, store, examples: examples) } + [recordGet(store, examples)]
    }

    static func methods(for kind: RecordKind, _ store: TreatyStore, examples: ExampleIDs) -> [RPCMethod] {
        let name = kind.rawValue
        let recordSchema = RecordSchemas.reference(kind)
        var addParams = kind.fields.map { RPCMethod.Param($0.name, RecordSchemas.field($0), required: $0.required, $0.doc) }
        addParams.append(
            .init(
                "id", RecordSchemas.id,
                kind == .provisionType ? "The new slug (required for provision types)." : "An id to use; one is generated when absent."))
        return [
            RPCMethod(
                "\(name).add", "Creates \(Grammar.a(name)). \(kind.summary)", access: .writer, params: addParams, result: recordSchema,
                example: examples.add(kind)
            ) { call throws(RPCError) in
                var fields = call.params
                let id = fields.removeValue(forKey: "id")?.stringValue
                if kind == .provisionType, id == nil { throw .invalidParams("provision_type.add needs \"id\": the slug") }
                let record = try await call.store { try await store.create(kind, fields: fields, id: id, user: call.session.user) }
                return try await withShortIDs(store, record)
            },
            RPCMethod(
                "\(name).get", "Reads one \(name) by id or unambiguous id prefix.",
                params: [.init("id", RecordSchemas.id, required: true, "The id or a prefix.")], result: recordSchema,
                example: ["id": .string(examples.existing(kind))]
            ) { call throws(RPCError) in
                let id = try call.required("id")
                return try await pointRead(store, id, kind: kind)
            },
            RPCMethod(
                "\(name).update", "Changes fields of \(Grammar.a(name)). Names the version it edits: an outdated one gets stale_version.",
                access: .writer,
                params: [
                    .init("id", RecordSchemas.id, required: true, "The id or a prefix."),
                    .init("version", ["type": "integer", "minimum": 1], required: true, "The version being edited."),
                    .init("set", RecordSchemas.fields(kind, nullable: true), required: true, "Fields to set; null clears one."),
                ], result: recordSchema, example: examples.update(kind)
            ) { call throws(RPCError) in
                let id = try call.required("id")
                let version = Int64(call.int("version") ?? 0)
                let changes = call.params["set"]?.objectValue ?? [:]
                let record = try await call.store {
                    try await store.update(id, kind: kind, version: version, set: changes, user: call.session.user)
                }
                return try await withShortIDs(store, record)
            },
            RPCMethod(
                "\(name).delete", "Deletes \(Grammar.a(name)): a tombstone that syncs. With version, refuses if it changed since.",
                access: .writer,
                params: [
                    .init("id", RecordSchemas.id, required: true, "The id or a prefix."),
                    .init("version", ["type": "integer", "minimum": 1], "The version being deleted."),
                ], result: recordSchema, example: ["id": .string(examples.deletable(kind))]
            ) { call throws(RPCError) in
                let id = try call.required("id")
                let version = call.int("version").map(Int64.init)
                let record = try await call.store {
                    try await store.delete(id, kind: kind, version: version, user: call.session.user)
                }
                return try await withShortIDs(store, record)
            },
            RPCMethod(
                "\(name).list", "Lists \(name) records, oldest first, optionally those whose fields equal a filter.",
                params: [
                    .init("filter", RecordSchemas.fields(kind, nullable: false), "Fields that must be equal."),
                    .init("limit", ["type": "integer", "minimum": 1, "maximum": 10000], "At most this many (100)."),
                    .init("offset", ["type": "integer", "minimum": 0], "Skip this many."),
                    .init("include_deleted", ["type": "boolean"], "Include tombstones."),
                ],
                result: [
                    "type": "object", "properties": ["records": ["type": "array", "items": recordSchema]],
                    "required": ["records"], "additionalProperties": false,
                ], example: examples.list(kind)
            ) { call throws(RPCError) in
                let filter = call.params["filter"]?.objectValue ?? [:]
                let records = try await call.store {
                    try await store.list(
                        kind, filter: filter, includeDeleted: call.bool("include_deleted") ?? false,
                        limit: call.int("limit") ?? 100, offset: call.int("offset") ?? 0)
                }
                return ["records": try await withShortIDs(store, records)]
            },
        ]
    }

    static func recordGet(_ store: TreatyStore, _ examples: ExampleIDs) -> RPCMethod {
        RPCMethod(
            "record.get", "Reads any record by id or unambiguous id prefix, whatever its kind.",
            params: [.init("id", RecordSchemas.id, required: true, "The id or a prefix.")], result: RecordSchemas.anyRecord,
            example: ["id": .string(examples.existing(.person))]
        ) { call throws(RPCError) in
            return try await pointRead(store, try call.required("id"), kind: nil)
        }
    }

    /// One record by id or prefix with its short id: on an event loop, read on the loop's own connection (no hop
    /// to the pool's readers and back), elsewhere from the pool.
    static func pointRead(_ store: TreatyStore, _ id: String, kind: RecordKind?) async throws(RPCError) -> JSONValue {
        let (record, short) = try await RPCCall.storeCall {
            try await store.getWithShortID(id, kind: kind, onThisThread: onEventLoop)
        }
        return record.json(shortID: short)
    }

    /// True on one of the daemon's event loops, whose threads read on their own connections.
    static var onEventLoop: Bool { MultiThreadedEventLoopGroup.currentEventLoop != nil }

    /// A record's JSON with its short id (one more read; on an event loop, on the loop's own connection: one
    /// record's short id is a lookup or two, where a list's could hold the loop up).
    static func withShortIDs(_ store: TreatyStore, _ record: Record) async throws(RPCError) -> JSONValue {
        try await withShortIDs(store, [record], onThisThread: onEventLoop).arrayValue?.first ?? .null
    }

    static func withShortIDs(_ store: TreatyStore, _ records: [Record], onThisThread: Bool = false) async throws(RPCError)
        -> JSONValue
    {
        let shorts = try await RPCCall.storeCall { try await store.shortIDs(records.map(\.id), onThisThread: onThisThread) }
        return .array(records.map { $0.json(shortID: shorts[$0.id]) })
    }
}

extension RPCCall {
    /// Runs a store call, turning its error into the RPC error users see.
    func store<T: Sendable>(_ body: () async throws -> T) async throws(RPCError) -> T {
        try await Self.storeCall(body)
    }

    static func storeCall<T: Sendable>(_ body: () async throws -> T) async throws(RPCError) -> T {
        do {
            return try await body()
        } catch let error as StoreError {
            throw error.rpc
        } catch let error as RPCError {
            throw error
        } catch {
            throw .internalError(String(describing: error))
        }
    }
}

extension Record {
    /// The JSON form with `short_id` added.
    func json(shortID: String?) -> JSONValue {
        guard case .object(var object) = json else { return json }
        object["short_id"] = shortID.map { .string($0) }
        return .object(object)
    }
}
