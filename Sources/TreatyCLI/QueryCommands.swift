import ArgumentParser
import Foundation
import TreatyClient
import TreatyModel

struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search", abstract: "Find anything by a word or a name, in any spelling.",
        discussion: "Case, diacritics and news transliterations do not matter: `Jalil Khalilov` finds `Cəlil Xəlilov`. "
            + "Exact spellings rank first.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Words to find.") var words: [String]
    @Option(help: "Only records of this kind (repeatable).") var kind: [String] = []
    @Option(help: "At most this many.") var limit = 20

    func run() async throws {
        try await global.withClient { client in
            var params: [String: JSONValue] = ["query": .string(words.joined(separator: " ")), "limit": .int(Int64(limit))]
            if !kind.isEmpty {
                params["kinds"] = .array(try kind.map { name in
                    guard let k = RecordKind(named: name) else { throw CLIFailure("unknown kind \"\(name)\"", code: 2) }
                    return .string(k.rawValue)
                })
            }
            let result = try await client.call("search", params)
            let hits = result["hits"]?.arrayValue ?? []
            if global.json { return global.print(json: .array(hits)) }
            if hits.isEmpty { return print("no match for \"\(words.joined(separator: " "))\"") }
            var table = Table("id", "kind", "record", "passage")
            for hit in hits {
                table.add([
                    hit["short_id"]?.stringValue ?? "", hit["kind"]?.stringValue ?? "", hit["label"]?.stringValue ?? "",
                    hit["passage"]?.stringValue ?? "",
                ])
            }
            print(table.render(maxWidth: 70))
        }
    }
}

struct AgreementStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "An agreement's status on a day, overall and per party.")

    @OptionGroup var global: GlobalOptions
    @Argument var id: String
    @Option(help: "The day: YYYY-MM-DD, YYYY-MM or YYYY (its last day), today, yesterday, 7d (today).") var on: String?

    func run() async throws {
        try await global.withClient { client in
            var params: [String: JSONValue] = ["id": .string(id)]
            if let on { params["as_of"] = .string(try DayArgument.day(on, edge: .last)) }
            let result = try await client.call("agreement.status", params)
            if global.json { return global.print(json: result) }
            print("as of \(result["as_of"]?.stringValue ?? ""): \(Brief.status(result["status"]))")
            var table = Table("party", "status")
            for party in result["parties"]?.arrayValue ?? [] { table.add([Brief.ref(party["actor"]), Brief.status(party["status"])]) }
            print(table.render())
        }
    }
}

struct ChainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chain", abstract: "The chain of agreements this one sits in, and what each step added.")

    @OptionGroup var global: GlobalOptions
    @Argument var id: String

    func run() async throws {
        try await global.withClient { client in
            let chain = try await client.call("agreement.chain", ["id": .string(id)])
            if global.json { return global.print(json: chain) }
            for step in chain["steps"]?.arrayValue ?? [] {
                let signed = step["signed"]?.stringValue.flatMap(PartialDate.init)?.spelledOut ?? "signing date unknown"
                let provisions = step["provisions"]?.arrayValue?.compactMap(\.stringValue).joined(separator: ", ") ?? ""
                print("\(Brief.ref(step["agreement"]))  (\(signed))")
                if !provisions.isEmpty { print("    provisions: \(provisions)") }
            }
            for edge in chain["edges"]?.arrayValue ?? [] {
                let added = edge["added"]?.arrayValue?.compactMap(\.stringValue) ?? []
                var line = "  \(Brief.ref(edge["from"])) \(edge["kind"]?.stringValue?.words ?? "") \(Brief.ref(edge["to"]))"
                if !added.isEmpty { line += "; adds \(added.joined(separator: ", "))" }
                if let note = edge["note"]?.stringValue { line += " — \(note)" }
                print(line)
            }
        }
    }
}

struct AwaitingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "awaiting", abstract: "Agreements approved by a legislature, still waiting for a decree or entry into force.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "At least this many days waiting.") var days = 0
    @Option(help: "Counted to this day: YYYY-MM-DD, YYYY-MM, YYYY, today, yesterday, 7d (today).") var on: String?

    func run() async throws {
        try await global.withClient { client in
            var params: [String: JSONValue] = ["days": .int(Int64(days))]
            if let on { params["as_of"] = .string(try DayArgument.day(on, edge: .last)) }
            let result = try await client.call("agreement.awaiting", params)
            let agreements = result["agreements"]?.arrayValue ?? []
            if global.json { return global.print(json: .array(agreements)) }
            var table = Table("agreement", "approved for", "approved", "waiting at least")
            for entry in agreements {
                table.add([
                    Brief.ref(entry["agreement"]), Brief.ref(entry["party"]), Brief.date(entry["approval"]?["date"]),
                    // With the approval's date unknown, the wait is counted from when it was recorded here.
                    "\(entry["days_waiting"]?.intValue ?? 0) days"
                        + (entry["approval"]?["date"] == nil || entry["approval"]?["date"] == .null ? " since recorded" : ""),
                ])
            }
            print(agreements.isEmpty ? "(none)" : table.render())
        }
    }
}

struct SaidCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "said", abstract: "Everything a person said, over time, with the role they held then.")

    @OptionGroup var global: GlobalOptions
    @Argument var id: String

    func run() async throws {
        try await global.withClient { client in
            let result = try await client.call("person.statements", ["id": .string(id)])
            if global.json { return global.print(json: result) }
            print(Brief.ref(result["person"]))
            for entry in result["statements"]?.arrayValue ?? [] {
                let comment = entry["comment"] ?? .null
                let statement = comment["statement"] ?? .null
                let when = statement["date"]?.stringValue ?? "undated"
                let role = comment["role"]?.stringValue ?? "role not recorded"
                if entry["reported"]?.boolValue == true {
                    // This person's words as another speaker reported them.
                    print("  \(when), reported by \(Brief.ref(comment["speaker"])):")
                    print("    “\(statement["reported_text"]?.stringValue ?? statement["text"]?.stringValue ?? "")”")
                } else {
                    print("  \(when), as \(role):")
                    print("    “\(statement["text"]?.stringValue ?? "")”")
                }
                for prediction in entry["predictions"]?.arrayValue ?? [] {
                    print("    predicts: \(prediction["text"]?.stringValue ?? "") [\(prediction["outcome"]?.stringValue ?? "open")]")
                }
            }
        }
    }
}

struct GapsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gaps", abstract: "Which member pairs of an organisation have an agreement with a provision in force.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "The organisation: short id, prefix, or a name to search.") var org: String
    @Option(help: "A provision type slug, e.g. defense.") var provision: String
    @Option(help: "The day: YYYY-MM-DD, YYYY-MM or YYYY (its last day), today, yesterday, 7d (today).") var on: String?
    @Flag(help: "Count observers as members.") var observers = false

    func run() async throws {
        try await global.withClient { client in
            let organization = try await NameResolution.id(org, kinds: [.actor], client: client)
            var params: [String: JSONValue] = [
                "organization": .string(organization), "provision": .string(provision), "include_observers": .bool(observers),
            ]
            if let on { params["on"] = .string(try DayArgument.day(on, edge: .last)) }
            let report = try await client.call("gaps", params)
            if global.json { return global.print(json: report) }
            print(GapsMatrix.render(report))
        }
    }
}

/// The gaps report as a member-by-member matrix with a legend.
enum GapsMatrix {
    static let symbols: [String: String] = ["in_force": "●", "signed": "◐", "uncertain": "?", "none": "·"]

    static func render(_ report: JSONValue) -> String {
        let members = report["members"]?.arrayValue ?? []
        let labels = members.map { $0["label"]?.stringValue ?? "" }
        let ids = members.map { $0["id"]?.stringValue ?? "" }
        var cell: [String: String] = [:]
        for pair in report["pairs"]?.arrayValue ?? [] {
            let a = pair["a"]?["id"]?.stringValue ?? ""
            let b = pair["b"]?["id"]?.stringValue ?? ""
            let symbol = symbols[pair["standing"]?.stringValue ?? "none"] ?? "·"
            cell[a + "|" + b] = symbol
            cell[b + "|" + a] = symbol
        }
        let rowLabels = labels.enumerated().map { "\($0.offset + 1). \($0.element)" }
        let width = (rowLabels.map(\.count).max() ?? 0) + 2
        var lines = [
            "\(Brief.ref(report["organization"])): \(report["provision"]?.stringValue ?? "") on \(report["on"]?.stringValue ?? "")",
            "",
        ]
        lines.append(String(repeating: " ", count: width) + (0..<labels.count).map { String($0 + 1).padding(3) }.joined())
        for (i, label) in rowLabels.enumerated() {
            let row = ids.indices.map { j in i == j ? "—" : (cell[ids[i] + "|" + ids[j]] ?? "·") }
            lines.append(label.padding(width) + row.map { $0.padding(3) }.joined())
        }
        lines.append("")
        lines.append("● in force   ◐ signed, not in force   ? uncertain (partial dates)   · none")
        return lines.joined(separator: "\n")
    }
}
