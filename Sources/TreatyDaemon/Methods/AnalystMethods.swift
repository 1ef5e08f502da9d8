import TreatyModel
import TreatyProtocol
import TreatyStore

/// Predictions, track records and the change history (domain.md, "what they ask", items 7 and 8).
enum AnalystMethods {
    static func all(_ store: TreatyStore, examples: ExampleIDs) -> [RPCMethod] {
        return [
            RPCMethod(
                RPC.Network.self,
                "States as nodes and agreements among them as edges (kind, year, each pair's standing on the day), for a picture.",
                example: ["organization": .string(ExampleIDs.seed("ots")), "on": "2025-12-01"]
            ) { call, params throws(RPCError) in
                let day = try RPCCall.day(params.on, param: "on")
                return try await call.store {
                    try await store.network(
                        actors: params.actors ?? [], organization: params.organization, provision: params.provision, on: day)
                }
            },
            RPCMethod(
                RPC.Dyadic.self,
                "The dyadic table: per unordered pair of states (by ISO3) per year, per provision type, the agreements in force at some point that year.",
                example: [
                    "actors": [.string(ExampleIDs.seed("aze")), .string(ExampleIDs.seed("tur"))], "from": 2009, "to": 2011,
                ]
            ) { call, params throws(RPCError) in
                guard params.from <= params.to else { throw .invalidParams("from must not be after to") }
                return .init(
                    rows: try await call.store {
                        try await store.dyadic(actors: params.actors ?? [], organization: params.organization, years: params.from...params.to)
                    })
            },
            RPCMethod(
                RPC.PredictionReview.self,
                "Predictions with their speaker and condition, and later agreements that match an open one's condition.",
                example: ["open": true, "person": .string(ExampleIDs.seed("nabiyev"))]
            ) { call, params throws(RPCError) in
                let due = try RPCCall.day(params.dueBy, param: "due_by")
                return .init(
                    predictions: try await call.store {
                        try await store.predictions(open: params.open ?? false, dueBy: due, person: params.person)
                    })
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
                RPC.PersonRecord.self,
                "A speaker's track record: predictions made, open, resolved each way, and the Brier score over true/false outcomes with a probability.",
                example: ["id": .string(ExampleIDs.seed("verdiyev"))]
            ) { call, params throws(RPCError) in
                try await call.store { try await store.trackRecord(of: params.id) }
            },
            RPCMethod(
                RPC.ChangesList.self,
                "What changed: each change with when, which office, which user, and the fields before and after; oldest first.",
                example: ["record": .string(examples.existing(.person)), "since": "2020-01-01"]
            ) { call, params throws(RPCError) in
                .init(
                    changes: try await call.store {
                        try await store.changes(
                            since: params.since, office: params.office, user: params.user, record: params.record,
                            limit: params.limit ?? 1000)
                    })
            },
        ]
    }
}
