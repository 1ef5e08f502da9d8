import TreatyClient
import TreatyModel
import TreatyProtocol

/// `treaty actor show AZE`: everything about an actor in one page, from the records that hold it: its
/// agreements by standing today, its memberships, what was said about it, and the predictions naming it.
///
/// The records behind each section are asked for all at once: the client pipelines the calls on its one
/// connection, so the page costs a few round trips, not one per agreement, statement and prediction.
enum ActorBrief {
    static func render(_ actor: JSONValue, on day: String?, client: TreatyClient) async throws -> String {
        let id = actor["id"]?.stringValue ?? ""
        let record = Record.from(actor)
        var lines = ["\(record?.label ?? id)  [\(record?.text("kind")?.words ?? "actor")]  \(id)"]
        for field in ["iso3", "cow_code", "founded", "dissolved", "note"] {
            if let value = actor[field], value != .null { lines.append("  \(field.words): \(value.stringValue ?? "\(value.intValue ?? 0)")") }
        }
        async let parties = list(client, "party", ["actor_id": .string(id)])
        async let memberships = list(client, "membership", ["member_id": .string(id)])
        async let abouts = list(client, "about", ["subject_id": .string(id)])
        async let named = list(client, "prediction_party", ["actor_id": .string(id)])

        lines += ["", "Agreements"]
        var agreements = Table("agreement", "role", "status")
        let standings = try await inOrder(try await parties) { party -> [String]? in
            guard let agreement = party["agreement_id"]?.stringValue,
                let current = try? await client.call("agreement.get", ["id": .string(agreement)]), current["deleted"] != true
            else { return nil }
            let status = try await client.call(RPC.StatusAsOf.self, .init(id: agreement, asOf: day))
            let mine = status.parties.first { $0.actor.id == id }?.status ?? status.status
            return [Record.from(current)?.label ?? agreement, party["role"]?.stringValue ?? "", Brief.status(mine)]
        }
        for row in standings.compactMap({ $0 }) { agreements.add(row) }
        lines.append(agreements.rows.isEmpty ? "  (none)" : Brief.indent(agreements.render()))

        lines += ["", "Memberships"]
        var table = Table("organization", "role", "from", "until")
        let rows = try await inOrder(try await memberships) { membership in
            [
                try await label(membership["organization_id"], client), membership["role"]?.stringValue ?? "",
                Brief.date(membership["start"]?.stringValue), membership["end"]?.stringValue.map { Brief.date($0) } ?? "",
            ]
        }
        for row in rows { table.add(row) }
        lines.append(table.rows.isEmpty ? "  (none)" : Brief.indent(table.render()))

        lines += ["", "What was said about it"]
        var said = Table("date", "who", "what")
        let statements = try await inOrder(try await abouts) { about -> [String]? in
            guard let statement = try? await client.call("statement.get", ["id": about["statement_id"] ?? .null]) else { return nil }
            return [
                Brief.date(statement["date"]?.stringValue), try await label(statement["speaker_id"], client),
                statement["text"]?.stringValue ?? "",
            ]
        }
        for row in statements.compactMap({ $0 }) { said.add(row) }
        lines.append(said.rows.isEmpty ? "  (nothing)" : Brief.indent(said.render(maxWidth: 90)))

        lines += ["", "Predictions naming it"]
        var predictions = Table("prediction", "outcome")
        let predicted = try await inOrder(try await named) { entry -> [String]? in
            guard let prediction = try? await client.call("prediction.get", ["id": entry["prediction_id"] ?? .null]) else { return nil }
            return [Record.from(prediction)?.label ?? "", prediction["outcome"]?.stringValue ?? ""]
        }
        for row in predicted.compactMap({ $0 }) { predictions.add(row) }
        lines.append(predictions.rows.isEmpty ? "  (none)" : Brief.indent(predictions.render(maxWidth: 90)))
        return lines.joined(separator: "\n")
    }

    static func list(_ client: TreatyClient, _ kind: String, _ filter: [String: JSONValue]) async throws -> [JSONValue] {
        try await client.call("\(kind).list", ["filter": .object(filter), "limit": 10000])["records"]?.arrayValue ?? []
    }

    static func label(_ id: JSONValue?, _ client: TreatyClient) async throws -> String {
        guard let id, id != .null, let record = try? await client.call("record.get", ["id": id]) else { return "" }
        return Record.from(record)?.label ?? id.stringValue ?? ""
    }

    /// `body` of each item, up to `window` at a time (the calls in flight on the connection stay bounded however
    /// many agreements an actor has), answers in the items' order.
    static func inOrder<Item: Sendable, Answer: Sendable>(
        _ items: [Item], window: Int = 32, _ body: @escaping @Sendable (Item) async throws -> Answer
    ) async throws -> [Answer] {
        try await withThrowingTaskGroup(of: (Int, Answer).self) { group in
            var answers = [Answer?](repeating: nil, count: items.count)
            var next = 0
            func start() {
                guard next < items.count else { return }
                let (index, item) = (next, items[next])
                group.addTask { (index, try await body(item)) }
                next += 1
            }
            for _ in 0..<window { start() }
            for try await (index, answer) in group {
                answers[index] = answer
                start()
            }
            return answers.map { $0! }
        }
    }
}
