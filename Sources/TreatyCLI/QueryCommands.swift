import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import TreatyClient
import TreatyModel
import TreatyProtocol

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
            let kinds = try kind.map { name in
                guard let kind = RecordKind(named: name) else { throw CLIFailure("unknown kind \"\(name)\"", code: 2) }
                return kind
            }
            let hits = try await client.call(
                RPC.Search.self, .init(query: words.joined(separator: " "), kinds: kinds.isEmpty ? nil : kinds, limit: limit)
            ).hits
            if global.json { return global.print(json: RPCCoding.json(hits)) }
            if hits.isEmpty { return print("no match for \"\(words.joined(separator: " "))\"") }
            var table = Table("id", "kind", "record", "passage")
            for hit in hits { table.add([hit.shortId, hit.kind.rawValue, hit.label, hit.passage]) }
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
            let day = try on.map { try DayArgument.day($0, edge: .last) }
            let result = try await client.call(RPC.StatusAsOf.self, .init(id: id, asOf: day))
            if global.json { return global.print(json: RPCCoding.json(result)) }
            print("as of \(result.asOf): \(Brief.status(result.status))")
            var table = Table("party", "status")
            for party in result.parties { table.add([party.actor.label, Brief.status(party.status)]) }
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
            let chain = try await client.call(RPC.Chain.self, .init(id: id))
            if global.json { return global.print(json: RPCCoding.json(chain)) }
            for step in chain.steps {
                let signed = step.signed.flatMap(PartialDate.init)?.spelledOut ?? "signing date unknown"
                print("\(step.agreement.label)  (\(signed))")
                if !step.provisions.isEmpty { print("    provisions: \(step.provisions.joined(separator: ", "))") }
            }
            for edge in chain.edges {
                var line = "  \(edge.from.label) \(edge.kind.words) \(edge.to.label)"
                if !edge.added.isEmpty { line += "; adds \(edge.added.joined(separator: ", "))" }
                if let note = edge.note { line += " — \(note)" }
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
            let day = try on.map { try DayArgument.day($0, edge: .last) }
            let agreements = try await client.call(RPC.Awaiting.self, .init(days: days, asOf: day)).agreements
            if global.json { return global.print(json: RPCCoding.json(agreements)) }
            var table = Table("agreement", "approved for", "approved", "waiting at least")
            for entry in agreements {
                let approved = entry.approval.text("date")
                table.add([
                    entry.agreement.label, Brief.ref(entry.party), Brief.date(approved),
                    // With the approval's date unknown, the wait is counted from when it was recorded here.
                    "\(entry.daysWaiting) days" + (approved == nil ? " since recorded" : ""),
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
            let result = try await client.call(RPC.Statements.self, .init(id: id))
            if global.json { return global.print(json: RPCCoding.json(result)) }
            print(result.person.label)
            for entry in result.statements {
                let statement = entry.comment.statement
                let when = statement.text("date") ?? "undated"
                if entry.reported {
                    // This person's words as another speaker reported them.
                    print("  \(when), reported by \(Brief.ref(entry.comment.speaker)):")
                    print("    “\(statement.text("reported_text") ?? statement.text("text") ?? "")”")
                } else {
                    print("  \(when), as \(entry.comment.role ?? "role not recorded"):")
                    print("    “\(statement.text("text") ?? "")”")
                }
                for prediction in entry.predictions {
                    print("    predicts: \(prediction.text("text") ?? "") [\(prediction.text("outcome") ?? "open")]")
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
            let day = try on.map { try DayArgument.day($0, edge: .last) }
            let report = try await client.call(
                RPC.Gaps.self, .init(organization: organization, provision: provision, on: day, includeObservers: observers))
            if global.json { return global.print(json: RPCCoding.json(report)) }
            print(GapsMatrix.render(report))
        }
    }
}

/// The gaps report as a member-by-member matrix with a legend.
enum GapsMatrix {
    static let symbols: [GapsReport.Standing: String] = [.inForce: "●", .signed: "◐", .uncertain: "?", .none: "·"]

    static func render(_ report: GapsReport) -> String {
        let labels = report.members.map(\.label)
        let ids = report.members.map(\.id)
        var cell: [String: String] = [:]
        for pair in report.pairs {
            let symbol = symbols[pair.standing] ?? "·"
            cell[pair.a.id + "|" + pair.b.id] = symbol
            cell[pair.b.id + "|" + pair.a.id] = symbol
        }
        let rowLabels = labels.enumerated().map { "\($0.offset + 1). \($0.element)" }
        let width = (rowLabels.map(\.count).max() ?? 0) + 2
        var lines = [
            "\(report.organization.label): \(report.provision) on \(report.on)",
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
