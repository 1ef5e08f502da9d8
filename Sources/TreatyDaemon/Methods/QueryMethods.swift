import TreatyModel
import TreatyProtocol
import TreatyStore

/// Search and the analysts' questions (domain.md, "what they ask", items 1-6).
enum QueryMethods {
    static func all(_ store: TreatyStore, examples: ExampleIDs) -> [RPCMethod] {
        let memo = examples.existing(.agreement)
        let kinds: JSONValue = ["type": "array", "items": ["type": "string", "enum": .array(RecordKind.allCases.map { .string($0.rawValue) })]]
        let object: JSONValue = ["type": "object"]
        return [
            RPCMethod(
                "search", "Full-text search in any spelling: ranked, exact spellings first, with the matching passage.",
                params: [
                    .init("query", ["type": "string", "minLength": 1], required: true, "Words to find."),
                    .init("kinds", kinds, "Only these kinds."),
                    .init("limit", ["type": "integer", "minimum": 1, "maximum": 1000], "At most this many (20)."),
                ],
                result: [
                    "type": "object", "required": ["hits"], "additionalProperties": false,
                    "properties": [
                        "hits": [
                            "type": "array",
                            "items": [
                                "type": "object", "additionalProperties": false,
                                "required": ["kind", "id", "short_id", "label", "passage", "exact", "score"],
                                "properties": [
                                    "kind": ["type": "string"], "id": ["type": "string"], "short_id": ["type": "string"],
                                    "label": ["type": "string"], "passage": ["type": "string"],
                                    "exact": ["type": "boolean"], "score": ["type": "number"],
                                ],
                            ],
                        ]
                    ],
                ], example: ["query": "Jalil Khalilov", "limit": 3]
            ) { call throws(RPCError) in
                let query = try call.required("query")
                let kindNames = call.params["kinds"]?.arrayValue?.compactMap(\.stringValue) ?? []
                let hits = try await call.store {
                    try await store.search(
                        query, kinds: kindNames.isEmpty ? nil : kindNames.compactMap(RecordKind.init(rawValue:)),
                        limit: call.int("limit") ?? 20)
                }
                let shorts = try await call.store { try await store.shortIDs(hits.map(\.id)) }
                return [
                    "hits": .array(
                        hits.map { hit in
                            [
                                "kind": .string(hit.kind.rawValue), "id": .string(hit.id),
                                "short_id": .string(shorts[hit.id] ?? hit.id), "label": .string(hit.label),
                                "passage": .string(hit.passage), "exact": .bool(hit.exact), "score": .double(hit.score),
                            ]
                        })
                ]
            },
            RPCMethod(
                "agreement.dossier",
                "One agreement whole: parties and their status, provisions, timeline, relations both ways, statements.",
                params: [
                    .init("id", RecordSchemas.id, required: true, "The agreement."),
                    .init("as_of", RecordSchemas.day, "The day statuses are computed for (today)."),
                ], result: object, example: ["id": .string(memo), "as_of": "2025-12-01"]
            ) { call throws(RPCError) in
                let id = try call.required("id")
                let day = try call.day("as_of")
                return JSONValue(encoding: try await call.store { try await store.dossier(id, asOf: day) })
            },
            RPCMethod(
                "agreement.status", "An agreement's status as of a day, overall and per party, from its lifecycle events.",
                params: [
                    .init("id", RecordSchemas.id, required: true, "The agreement."),
                    .init("as_of", RecordSchemas.day, "The day (today)."),
                ],
                result: [
                    "type": "object", "required": ["as_of", "status", "parties"], "additionalProperties": false,
                    "properties": [
                        "as_of": RecordSchemas.day, "status": RecordSchemas.derivedStatus,
                        "parties": [
                            "type": "array",
                            "items": [
                                "type": "object", "required": ["actor", "status"], "additionalProperties": false,
                                "properties": ["actor": RecordSchemas.recordRef, "status": RecordSchemas.derivedStatus],
                            ],
                        ],
                    ],
                ], example: ["id": .string(memo), "as_of": "2025-12-01"]
            ) { call throws(RPCError) in
                let id = try call.required("id")
                let day = try call.day("as_of")
                let dossier = try await call.store { try await store.dossier(id, asOf: day) }
                return [
                    "as_of": .string(dossier.asOf), "status": JSONValue(encoding: dossier.status),
                    "parties": .array(
                        dossier.parties.compactMap { party in
                            party.actor.map { ["actor": JSONValue(encoding: $0), "status": JSONValue(encoding: party.status)] }
                        }),
                ]
            },
            RPCMethod(
                "agreement.chain", "The chain of agreements one sits in, oldest first, and what each step added.",
                params: [.init("id", RecordSchemas.id, required: true, "The agreement.")], result: object,
                example: ["id": .string(memo)]
            ) { call throws(RPCError) in
                let id = try call.required("id")
                return JSONValue(encoding: try await call.store { try await store.chain(id) })
            },
            RPCMethod(
                "agreement.awaiting",
                "Agreements approved by a legislature and still waiting for a decree or entry into force after N days.",
                params: [
                    .init("days", ["type": "integer", "minimum": 0], "At least this many days waiting (0)."),
                    .init("as_of", RecordSchemas.day, "Counted to this day (today)."),
                ],
                result: ["type": "object", "required": ["agreements"], "properties": ["agreements": ["type": "array"]]],
                example: ["days": 30, "as_of": "2026-06-01"]
            ) { call throws(RPCError) in
                let day = try call.day("as_of")
                let waiting = try await call.store { try await store.awaitingEntryIntoForce(olderThan: call.int("days") ?? 0, on: day) }
                return ["agreements": JSONValue(encoding: waiting)]
            },
            RPCMethod(
                "gaps",
                "Pairs of an organisation's member states with an agreement carrying a provision in force, signed only, uncertain, or none.",
                params: [
                    .init("organization", RecordSchemas.id, required: true, "The organisation (an actor)."),
                    .init("provision", ["type": "string", "pattern": "^[a-z][a-z0-9-]{0,63}$"], required: true, "A provision type slug, or another spelling of a built-in one (defence)."),
                    .init("on", RecordSchemas.day, "The day (today)."),
                    .init("include_observers", ["type": "boolean"], "Count observers as members too."),
                ], result: object,
                example: ["organization": .string(ExampleIDs.seed("ots")), "provision": "defense", "on": "2025-12-01"]
            ) { call throws(RPCError) in
                let organization = try call.required("organization")
                let provision = try call.required("provision")
                let day = try call.day("on")
                return JSONValue(
                    encoding: try await call.store {
                        try await store.gaps(
                            organization: organization, provision: provision, on: day,
                            includeObservers: call.bool("include_observers") ?? false)
                    })
            },
            RPCMethod(
                "person.statements", "Everything a person said, over time, with the role held then, and words others report.",
                params: [.init("id", RecordSchemas.id, required: true, "The person.")], result: object,
                example: ["id": .string(ExampleIDs.seed("babaoglu"))]
            ) { call throws(RPCError) in
                let id = try call.required("id")
                return JSONValue(encoding: try await call.store { try await store.statements(of: id) })
            },
        ]
    }
}
