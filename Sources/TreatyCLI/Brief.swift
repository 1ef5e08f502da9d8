import TreatyClient
import TreatyModel
import TreatyProtocol

/// Human renderings of records and query results.
enum Brief {
    static func ref(_ value: RecordRef?) -> String {
        value?.label ?? "—"
    }

    static func date(_ text: String?) -> String {
        text.flatMap(PartialDate.init)?.spelledOut ?? "date unknown"
    }

    /// An agreement as a brief: what it is, its status, parties, provisions, timeline, relations, commentary.
    static func agreement(_ dossier: AgreementDossier) -> String {
        let record = dossier.agreement
        var lines: [String] = []
        lines.append(record.label + "  [\(record.text("kind")?.words ?? "")]  \(record.id)")
        if !dossier.names.isEmpty {
            lines.append("  also: " + dossier.names.compactMap { $0.text("name") }.joined(separator: "; "))
        }
        if let summary = record.text("summary") { lines.append("  " + summary) }
        if let place = record.text("place") { lines.append("  place: \(place)") }
        lines.append("  text: \(record.text("text_status") ?? "unknown")")
        lines.append("")
        lines.append("Status as of \(dossier.asOf): \(status(dossier.status))")
        if !dossier.parties.isEmpty {
            lines.append("")
            lines.append("Parties")
            var table = Table("party", "role", "status")
            for party in dossier.parties {
                table.add([ref(party.actor), party.party.text("role") ?? "", status(party.status)])
            }
            lines.append(indent(table.render()))
        }
        if !dossier.provisions.isEmpty {
            lines.append("")
            lines.append("Provisions")
            var table = Table("type", "article", "what")
            for p in dossier.provisions {
                var what = p.text("excerpt") ?? ""
                if let condition = p.text("condition") { what += " (if: \(condition))" }
                if let basis = p.text("legal_basis") { what += " [\(basis)]" }
                table.add([p.text("provision_type") ?? "", p.text("article") ?? "—", what])
            }
            lines.append(indent(table.render(maxWidth: 90, wholeLastColumn: true)))
        }
        lines.append("")
        lines.append("Timeline")
        if dossier.timeline.isEmpty { lines.append("  (no lifecycle events recorded)") }
        for event in dossier.timeline {
            var line = "  \(date(event.text("date")).padding(18))  \(event.text("kind")?.words ?? "")"
            if let place = event.text("place") { line += " in \(place)" }
            if let note = event.text("note") { line += " — \(note)" }
            lines.append(line)
        }
        if !dossier.relationsOut.isEmpty || !dossier.relationsIn.isEmpty {
            lines.append("")
            lines.append("Relations")
            for link in dossier.relationsOut {
                lines.append("  → \(link.relation.text("kind")?.words ?? "") \(ref(link.other))")
            }
            for link in dossier.relationsIn {
                lines.append("  ← \(ref(link.other)) \(link.relation.text("kind")?.words ?? "") this")
            }
        }
        if !dossier.statements.isEmpty {
            lines.append("")
            lines.append("What was said")
            for comment in dossier.statements {
                var who = ref(comment.speaker)
                if let role = comment.role { who += " (\(role))" }
                let when = comment.statement.text("date") ?? "undated"
                let text = comment.statement.text("text") ?? ""
                lines.append("  \(who), \(when), \(ref(comment.source)):")
                lines.append("    “\(text.count > 220 ? String(text.prefix(219)) + "…" : text)”")
            }
        }
        return lines.joined(separator: "\n")
    }

    static func status(_ value: DerivedStatus) -> String {
        value.isCertain ? value.lower.rawValue.words : "uncertain (\(value.lower.rawValue.words) or \(value.upper.rawValue.words))"
    }

    /// Any record as `field: value` lines, references shown with their labels.
    static func record(_ json: JSONValue, client: TreatyClient) async throws -> String {
        guard let record = Record.from(json) else { return JSONCodec.pretty(json) }
        var lines = ["\(record.kind.rawValue) \(json["short_id"]?.stringValue ?? record.id)  \(record.label)"]
        if record.provenance?.deleted == true { lines[0] += "  (deleted)" }
        for field in record.kind.fields {
            guard let value = record.fields[field.name] else { continue }
            var text = value.stringValue ?? JSONCodec.string(value)
            if !field.referencedKinds.isEmpty, let target = try? await client.call("record.get", ["id": value]) {
                text = "\(Record.from(target)?.label ?? text)  (\(target["short_id"]?.stringValue ?? text))"
            }
            lines.append("  \(field.name.padding(16)) \(text)")
        }
        if [.actor, .person, .event, .agreement].contains(record.kind) {
            let names = try await client.call("name.list", ["filter": ["owner_id": .string(record.id)]])
            for name in names["records"]?.arrayValue ?? [] {
                lines.append("  \("also".padding(16)) \(name["name"]?.stringValue ?? "")  [\(name["kind"]?.stringValue ?? "")]")
            }
        }
        if let p = record.provenance {
            lines.append("  version \(p.version), created \(p.createdAt) by \(p.createdUser), changed \(p.updatedAt) by \(p.updatedUser)")
        }
        return lines.joined(separator: "\n")
    }

    /// Records as a table: short id, label, and the kind's choice and date fields.
    static func table(_ records: [JSONValue], kind: RecordKind) -> String {
        let extra = kind.fields.filter {
            if case .choice = $0.type { return true }
            if case .date = $0.type { return true }
            return false
        }.prefix(3)
        var table = Table("id", "label")
        table.header += extra.map(\.name)
        for json in records {
            let record = Record.from(json)
            var row = [json["short_id"]?.stringValue ?? "", record?.label ?? ""]
            row += extra.map { record?.text($0.name)?.words ?? "" }
            if record?.provenance?.deleted == true { row[1] += " (deleted)" }
            table.add(row)
        }
        return records.isEmpty ? "(none)" : table.render()
    }

    static func indent(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
    }
}

extension String {
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
