import TreatyClient
import TreatyModel

/// `treaty actor show AZE`: everything about an actor in one page, from the records that hold it: its
/// agreements by standing today, its memberships, what was said about it, and the predictions naming it.
enum ActorBrief {
    static func render(_ actor: JSONValue, on day: String?, client: TreatyClient) async throws -> String {
        let id = actor["id"]?.stringValue ?? ""
        let record = Record.from(actor)
        var lines = ["\(record?.label ?? id)  [\(record?.text("kind")?.words ?? "actor")]  \(id)"]
        for field in ["iso3", "cow_code", "founded", "dissolved", "note"] {
            if let value = actor[field], value != .null { lines.append("  \(field.words): \(value.stringValue ?? "\(value.intValue ?? 0)")") }
        }

        lines += ["", "Agreements"]
        var agreements = Table("agreement", "role", "status")
        for party in try await list(client, "party", ["actor_id": .string(id)]) {
            guard let agreement = party["agreement_id"]?.stringValue,
                let current = try? await client.call("agreement.get", ["id": .string(agreement)]), current["deleted"] != true
            else { continue }
            var params: [String: JSONValue] = ["id": .string(agreement)]
            if let day { params["as_of"] = .string(day) }
            let status = try await client.call("agreement.status", params)
            let mine = status["parties"]?.arrayValue?.first { $0["actor"]?["id"]?.stringValue == id }?["status"]
            agreements.add([Record.from(current)?.label ?? agreement, party["role"]?.stringValue ?? "", Brief.status(mine ?? status["status"])])
        }
        lines.append(agreements.rows.isEmpty ? "  (none)" : Brief.indent(agreements.render()))

        lines += ["", "Memberships"]
        var memberships = Table("organization", "role", "from", "until")
        for membership in try await list(client, "membership", ["member_id": .string(id)]) {
            let organization = try await label(membership["organization_id"], client)
            memberships.add([
                organization, membership["role"]?.stringValue ?? "", Brief.date(membership["start"]),
                membership["end"].map { $0 == .null ? "" : Brief.date($0) } ?? "",
            ])
        }
        lines.append(memberships.rows.isEmpty ? "  (none)" : Brief.indent(memberships.render()))

        lines += ["", "What was said about it"]
        var said = Table("date", "who", "what")
        for about in try await list(client, "about", ["subject_id": .string(id)]) {
            guard let statement = try? await client.call("statement.get", ["id": about["statement_id"] ?? .null]) else { continue }
            said.add([Brief.date(statement["date"]), try await label(statement["speaker_id"], client), statement["text"]?.stringValue ?? ""])
        }
        lines.append(said.rows.isEmpty ? "  (nothing)" : Brief.indent(said.render(maxWidth: 90)))

        lines += ["", "Predictions naming it"]
        var predictions = Table("prediction", "outcome")
        for named in try await list(client, "prediction_party", ["actor_id": .string(id)]) {
            guard let prediction = try? await client.call("prediction.get", ["id": named["prediction_id"] ?? .null]) else { continue }
            predictions.add([Record.from(prediction)?.label ?? "", prediction["outcome"]?.stringValue ?? ""])
        }
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
}
