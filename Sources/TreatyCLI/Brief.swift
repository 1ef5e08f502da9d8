import TreatyClient
import TreatyModel

/// Human renderings of records and query results.
enum Brief {
    static func ref(_ value: JSONValue?) -> String {
        guard let value, let label = value["label"]?.stringValue else { return "—" }
        return label
    }

    static func date(_ value: JSONValue?) -> String {
        value?.stringValue.flatMap(PartialDate.init)?.spelledOut ?? "date unknown"
    }

    /// An agreement as a brief: what it is, its status, parties, provisions, timeline, relations, commentary.
    static func agreement(_ dossier: JSONValue) -> String {
        let agreement = dossier["agreement"] ?? .null
        let record = Record.from(agreement)
        var lines: [String] = []
        lines.append((record?.label ?? "agreement") + "  [\(record?.text("kind")?.words ?? "")]  \(agreement["id"]?.stringValue ?? "")")
        if let names = dossier["names"]?.arrayValue, !names.isEmpty {
            lines.append("  also: " + names.compactMap { $0["name"]?.stringValue }.joined(separator: "; "))
        }
        if let summary = record?.text("summary") { lines.append("  " + summary) }
        if let place = record?.text("place") { lines.append("  place: \(place)") }
        lines.append("  text: \(record?.text("text_status") ?? "unknown")")
        let asOf = dossier["as_of"]?.stringValue ?? ""
        lines.append("")
        lines.append("Status as of \(asOf): \(status(dossier["status"]))")
        if let parties = dossier["parties"]?.arrayValue, !parties.isEmpty {
            lines.append("")
            lines.append("Parties")
            var table = Table("party", "role", "status")
            for party in parties {
                table.add([ref(party["actor"]), party["party"]?["role"]?.stringValue ?? "", status(party["status"])])
            }
            lines.append(indent(table.render()))
        }
        if let provisions = dossier["provisions"]?.arrayValue, !provisions.isEmpty {
            lines.append("")
            lines.append("Provisions")
            var table = Table("type", "article", "what")
            for p in provisions {
                var what = p["excerpt"]?.stringValue ?? ""
                if let condition = p["condition"]?.stringValue { what += " (if: \(condition))" }
                if let basis = p["legal_basis"]?.stringValue { what += " [\(basis)]" }
                table.add([p["provision_type"]?.stringValue ?? "", p["article"]?.stringValue ?? "—", what])
            }
            lines.append(indent(table.render(maxWidth: 90, wholeLastColumn: true)))
        }
        lines.append("")
        lines.append("Timeline")
        let timeline = dossier["timeline"]?.arrayValue ?? []
        if timeline.isEmpty { lines.append("  (no lifecycle events recorded)") }
        for event in timeline {
            var line = "  \(date(event["date"]).padding(18))  \(event["kind"]?.stringValue?.words ?? "")"
            if let place = event["place"]?.stringValue { line += " in \(place)" }
            if let note = event["note"]?.stringValue { line += " — \(note)" }
            lines.append(line)
        }
        let outgoing = dossier["relations_out"]?.arrayValue ?? []
        let incoming = dossier["relations_in"]?.arrayValue ?? []
        if !outgoing.isEmpty || !incoming.isEmpty {
            lines.append("")
            lines.append("Relations")
            for link in outgoing {
                lines.append("  → \(link["relation"]?["kind"]?.stringValue?.words ?? "") \(ref(link["other"]))")
            }
            for link in incoming {
                lines.append("  ← \(ref(link["other"])) \(link["relation"]?["kind"]?.stringValue?.words ?? "") this")
            }
        }
        if let statements = dossier["statements"]?.arrayValue, !statements.isEmpty {
            lines.append("")
            lines.append("What was said")
            for comment in statements {
                let statement = comment["statement"] ?? .null
                var who = ref(comment["speaker"])
                if let role = comment["role"]?.stringValue { who += " (\(role))" }
                let when = statement["date"].flatMap { $0.stringValue } ?? "undated"
                let text = statement["text"]?.stringValue ?? ""
                lines.append("  \(who), \(when), \(ref(comment["source"])):")
                lines.append("    “\(text.count > 220 ? String(text.prefix(219)) + "…" : text)”")
            }
        }
        return lines.joined(separator: "\n")
    }

    static func status(_ value: JSONValue?) -> String {
        guard let value, let name = value["status"]?.stringValue else { return "—" }
        if name == "uncertain" {
            return "uncertain (\(value["lower"]?.stringValue?.words ?? "?") or \(value["upper"]?.stringValue?.words ?? "?"))"
        }
        return name.words
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
