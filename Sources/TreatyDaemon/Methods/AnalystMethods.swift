import TreatyModel
import TreatyProtocol
import TreatyStore

/// Predictions, track records and the change history (domain.md, "what they ask", items 7 and 8).
enum AnalystMethods {
    static func all(_ store: TreatyStore, examples: ExampleIDs) -> [RPCMethod] {
        let object: JSONValue = ["type": "object"]
        let actors: JSONValue = ["type": "array", "items": RecordSchemas.id]
        return [
            RPCMethod(
                "network",
                "States as nodes and agreements among them as edges (kind, year, each pair's standing on the day), for a picture.",
                params: [
                    .init("actors", actors, "The states."),
                    .init("organization", RecordSchemas.id, "Or: an organisation whose member states to take."),
                    .init("provision", ["type": "string", "pattern": "^[a-z][a-z0-9-]{0,63}$"], "Only agreements carrying it."),
                    .init("on", RecordSchemas.day, "The day for standings (today)."),
                ], result: object,
                example: ["organization": .string(ExampleIDs.seed("ots")), "on": "2025-12-01"]
            ) { call throws(RPCError) in
                let day = try call.day("on")
                let names = call.params["actors"]?.arrayValue?.compactMap(\.stringValue) ?? []
                return JSONValue(
                    encoding: try await call.store {
                        try await store.network(
                            actors: names, organization: call.string("organization"), provision: call.string("provision"), on: day)
                    })
            },
            RPCMethod(
                "dyadic",
                "The dyadic table: per unordered pair of states (by ISO3) per year, per provision type, the agreements in force at some point that year.",
                params: [
                    .init("actors", actors, "The states."),
                    .init("organization", RecordSchemas.id, "Or: an organisation whose member states (ever) to take."),
                    .init("from", ["type": "integer", "minimum": 1], required: true, "First year."),
                    .init("to", ["type": "integer", "minimum": 1], required: true, "Last year."),
                ],
                result: [
                    "type": "object", "required": ["rows"], "additionalProperties": false,
                    "properties": ["rows": ["type": "array", "items": object]],
                ],
                example: [
                    "actors": [.string(ExampleIDs.seed("aze")), .string(ExampleIDs.seed("tur"))], "from": 2009, "to": 2011,
                ]
            ) { call throws(RPCError) in
                let from = call.int("from") ?? 0
                let to = call.int("to") ?? 0
                guard from <= to else { throw .invalidParams("from must not be after to") }
                let names = call.params["actors"]?.arrayValue?.compactMap(\.stringValue) ?? []
                let rows = try await call.store {
                    try await store.dyadic(actors: names, organization: call.string("organization"), years: from...to)
                }
                return ["rows": JSONValue(encoding: rows)]
            },
            RPCMethod(
                "prediction.review",
                "Predictions with their speaker and condition, and later agreements that match an open one's condition.",
                params: [
                    .init("open", ["type": "boolean"], "Only open ones."),
                    .init("due_by", RecordSchemas.day, "Only those whose deadline falls by this day."),
                    .init("person", RecordSchemas.id, "Only this speaker's."),
                ],
                result: [
                    "type": "object", "required": ["predictions"], "additionalProperties": false,
                    "properties": ["predictions": ["type": "array", "items": object]],
                ], example: ["open": true, "person": .string(ExampleIDs.seed("nabiyev"))]
            ) { call throws(RPCError) in
                let due = try call.day("due_by")
                let entries = try await call.store {
                    try await store.predictions(open: call.bool("open") ?? false, dueBy: due, person: call.string("person"))
                }
                return ["predictions": JSONValue(encoding: entries)]
            },
            RPCMethod(
                "prediction.resolve",
                "Settles a prediction: true, false, partly or unknowable, with the agreement or lifecycle event that settled it.",
                access: .writer,
                params: [
                    .init("id", RecordSchemas.id, required: true, "The prediction."),
                    .init("outcome", ["type": "string", "enum": ["true", "false", "partly", "unknowable"]], required: true, "How it turned out."),
                    .init("settled_by", RecordSchemas.id, "The agreement or lifecycle event that settled it."),
                    .init("note", ["type": "string", "minLength": 1], "Why."),
                ], result: RecordSchemas.reference(.prediction),
                example: [
                    "id": .string(ExampleIDs.seed("babaoglu-in-force")), "outcome": "unknowable",
                    "note": "No decree had been published when the analyst looked.",
                ]
            ) { call throws(RPCError) in
                let id = try call.required("id")
                let outcome = try call.required("outcome")
                let record = try await call.store {
                    try await store.resolvePrediction(
                        id, outcome: outcome, settledBy: call.string("settled_by"), note: call.string("note"), user: call.session.user)
                }
                return try await RecordMethods.withShortIDs(store, record)
            },
            RPCMethod(
                "person.record",
                "A speaker's track record: predictions made, open, resolved each way, and the Brier score over true/false outcomes with a probability.",
                params: [.init("id", RecordSchemas.id, required: true, "The person.")],
                result: [
                    "type": "object", "additionalProperties": false,
                    "required": ["person", "made", "open", "resolved", "scored"],
                    "properties": [
                        "person": RecordSchemas.recordRef, "made": ["type": "integer"], "open": ["type": "integer"],
                        "resolved": ["type": "object", "additionalProperties": ["type": "integer"]],
                        "brier": ["type": ["number", "null"]], "scored": ["type": "integer"],
                    ],
                ], example: ["id": .string(ExampleIDs.seed("verdiyev"))]
            ) { call throws(RPCError) in
                let id = try call.required("id")
                return JSONValue(encoding: try await call.store { try await store.trackRecord(of: id) })
            },
            RPCMethod(
                "changes.list",
                "What changed: each change with when, which office, which user, and the fields before and after; oldest first.",
                params: [
                    .init("since", ["type": "string", "minLength": 10], "A day (YYYY-MM-DD) or a time."),
                    .init("office", ["type": "string", "minLength": 1], "Only changes from this office (name, id or prefix)."),
                    .init("user", ["type": "string", "minLength": 1], "Only changes by this user."),
                    .init("record", RecordSchemas.id, "Only changes to this record."),
                    .init("limit", ["type": "integer", "minimum": 1, "maximum": 100000], "The newest this many (1000)."),
                ],
                result: [
                    "type": "object", "required": ["changes"], "additionalProperties": false,
                    "properties": ["changes": ["type": "array", "items": object]],
                ], example: ["record": .string(examples.existing(.person)), "since": "2020-01-01"]
            ) { call throws(RPCError) in
                let entries = try await call.store {
                    try await store.changes(
                        since: call.string("since"), office: call.string("office"), user: call.string("user"),
                        record: call.string("record"), limit: call.int("limit") ?? 1000)
                }
                return ["changes": JSONValue(encoding: entries)]
            },
        ]
    }
}
