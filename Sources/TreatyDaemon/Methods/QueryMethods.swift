import TreatyModel
import TreatyProtocol
import TreatyStore

/// Search and the analysts' questions (domain.md, "what they ask", items 1-6).
enum QueryMethods {
    static func all(_ store: TreatyStore, examples: ExampleIDs) -> [RPCMethod] {
        let memo = examples.existing(.agreement)
        return [
            RPCMethod(
                RPC.Search.self, "Full-text search in any spelling: ranked, exact spellings first, with the matching passage.",
                example: ["query": "Jalil Khalilov", "limit": 3]
            ) { call, params throws(RPCError) in
                let kinds = params.kinds ?? []
                let hits = try await call.store {
                    try await store.search(params.query, kinds: kinds.isEmpty ? nil : kinds, limit: params.limit ?? 20)
                }
                return .init(
                    hits: hits.map {
                        .init(
                            kind: $0.kind, id: $0.id, shortId: $0.shortID, label: $0.label, passage: $0.passage,
                            exact: $0.exact, score: $0.score)
                    })
            },
            RPCMethod(
                RPC.Dossier.self,
                "One agreement whole: parties and their status, provisions, timeline, relations both ways, statements.",
                example: ["id": .string(memo), "as_of": "2025-12-01"]
            ) { call, params throws(RPCError) in
                let day = try RPCCall.day(params.asOf, param: "as_of")
                return try await call.store { try await store.dossier(params.id, asOf: day) }
            },
            RPCMethod(
                RPC.StatusAsOf.self, "An agreement's status as of a day, overall and per party, from its lifecycle events.",
                example: ["id": .string(memo), "as_of": "2025-12-01"]
            ) { call, params throws(RPCError) in
                let day = try RPCCall.day(params.asOf, param: "as_of")
                let dossier = try await call.store { try await store.dossier(params.id, asOf: day) }
                return .init(
                    asOf: dossier.asOf, status: dossier.status,
                    parties: dossier.parties.compactMap { party in party.actor.map { .init(actor: $0, status: party.status) } })
            },
            RPCMethod(
                RPC.Chain.self, "The chain of agreements one sits in, oldest first, and what each step added.",
                example: ["id": .string(memo)]
            ) { call, params throws(RPCError) in
                try await call.store { try await store.chain(params.id) }
            },
            RPCMethod(
                RPC.Awaiting.self,
                "Agreements approved by a legislature and still waiting for a decree or entry into force after N days.",
                example: ["days": 30, "as_of": "2026-06-01"]
            ) { call, params throws(RPCError) in
                let day = try RPCCall.day(params.asOf, param: "as_of")
                return .init(agreements: try await call.store { try await store.awaitingEntryIntoForce(olderThan: params.days ?? 0, on: day) })
            },
            RPCMethod(
                RPC.Gaps.self,
                "Pairs of an organisation's member states with an agreement carrying a provision in force, signed only, uncertain, or none.",
                example: ["organization": .string(ExampleIDs.seed("ots")), "provision": "defense", "on": "2025-12-01"]
            ) { call, params throws(RPCError) in
                let day = try RPCCall.day(params.on, param: "on")
                return try await call.store {
                    try await store.gaps(
                        organization: params.organization, provision: params.provision, on: day,
                        includeObservers: params.includeObservers ?? false)
                }
            },
            RPCMethod(
                RPC.Statements.self, "Everything a person said, over time, with the role held then, and words others report.",
                example: ["id": .string(ExampleIDs.seed("babaoglu"))]
            ) { call, params throws(RPCError) in
                try await call.store { try await store.statements(of: params.id) }
            },
        ]
    }
}
