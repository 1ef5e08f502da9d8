import GRDB
import TreatyModel
import TreatyProtocol

extension TreatyStore {
    /// The chain `idOrPrefix` sits in (relations followed both ways, at most `limit` agreements).
    public func chain(_ idOrPrefix: String, limit: Int = 200) async throws(StoreError) -> AgreementChain {
        try await read { db in
            let start = try Lookup.agreement(db, idOrPrefix)
            var seen: Set<String> = [start.id]
            var queue = [start.id]
            var relations: [String: Record] = [:]
            while let current = queue.first, seen.count <= limit {
                queue.removeFirst()
                for field in ["from_id", "to_id"] {
                    for relation in try Lookup.records(db, .relation, where: field, is: current) {
                        relations[relation.id] = relation
                        for end in [relation.text("from_id"), relation.text("to_id")].compactMap({ $0 })
                        where !seen.contains(end) {
                            seen.insert(end)
                            queue.append(end)
                        }
                    }
                }
            }
            var provisions: [String: [String]] = [:]
            var steps: [AgreementChain.Step] = []
            for id in seen {
                guard let agreement = try RecordRows.fetch(db, kind: .agreement, id: id) else { continue }
                let types = Set(
                    try Lookup.records(db, .provision, where: "agreement_id", is: id).compactMap { $0.text("provision_type") })
                provisions[id] = types.sorted()
                let signed = try Lookup.records(db, .lifecycleEvent, where: "agreement_id", is: id)
                    .filter { $0.text("kind") == "signed" }.compactMap { $0.text("date") }.min()
                steps.append(
                    AgreementChain.Step(agreement: try Lookup.ref(db, agreement), signed: signed, provisions: types.sorted()))
            }
            steps.sort { ($0.signed ?? "~", $0.agreement.id) < ($1.signed ?? "~", $1.agreement.id) }
            let edges = try relations.values.sorted { $0.id < $1.id }.compactMap { relation -> AgreementChain.Edge? in
                guard let from = relation.text("from_id"), let to = relation.text("to_id"),
                    let fromRef = try Lookup.ref(db, from), let toRef = try Lookup.ref(db, to)
                else { return nil }
                let added = Set(provisions[from] ?? []).subtracting(provisions[to] ?? []).sorted()
                return AgreementChain.Edge(
                    from: fromRef, kind: relation.text("kind") ?? "", to: toRef, note: relation.text("note"), added: added)
            }
            return AgreementChain(steps: steps, edges: edges)
        }
    }
}
