import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import TreatyClient
import TreatyModel
import TreatyProtocol

struct PredictionListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "Predictions, with later agreements that match an open one's condition.")

    @OptionGroup var global: GlobalOptions
    @Flag(help: "Only open predictions.") var open = false
    @Option(help: "Only those due by this day, YYYY-MM-DD.") var due: String?
    @Option(help: "Only this speaker's (short id or prefix).") var person: String?

    func run() async throws {
        try await global.withClient { client in
            let entries = try await client.call(RPC.PredictionReview.self, .init(open: open, dueBy: due, person: person)).predictions
            if global.json { return global.print(json: RPCCoding.json(entries)) }
            if entries.isEmpty { return print("(none)") }
            for entry in entries {
                let prediction = entry.prediction
                var line = "\(prediction.id.prefix(8))  [\(prediction.text("outcome") ?? "open")]  \(Brief.ref(entry.speaker)): "
                    + (prediction.text("text") ?? "")
                if let by = prediction.text("by") { line += "  (by \(by))" }
                if let p = prediction.fields["probability"]?.doubleValue {
                    line += "  p=\(p) (\(prediction.text("probability_by") ?? "?"))"
                }
                print(line)
                var condition = [String]()
                if !entry.parties.isEmpty { condition.append("parties " + entry.parties.map(\.label).joined(separator: ", ")) }
                if let kind = prediction.text("agreement_kind") { condition.append(Grammar.a(kind.words)) }
                if !entry.provisions.isEmpty { condition.append("carrying " + entry.provisions.joined(separator: ", ")) }
                if !condition.isEmpty { print("          condition: " + condition.joined(separator: "; ")) }
                for candidate in entry.candidates {
                    print("          candidate: \(candidate.label)  (\(candidate.id.prefix(8)))")
                }
            }
        }
    }
}

struct PredictionResolveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve", abstract: "Settle a prediction, naming the agreement or lifecycle event that settled it.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The prediction (short id or prefix).") var id: String
    @Option(help: "true, false, partly or unknowable.") var outcome: String
    @Option(name: .customLong("settled-by"), help: "The agreement or lifecycle event that settled it.") var settledBy: String?
    @Option(help: "Why it was settled so.") var note: String?

    func run() async throws {
        try await global.withClient { client in
            var params: [String: JSONValue] = ["id": .string(id), "outcome": .string(outcome)]
            if let settledBy { params["settled_by"] = .string(settledBy) }
            if let note { params["note"] = .string(note) }
            let record = try await client.call("prediction.resolve", params)
            if global.json { return global.print(json: record) }
            print("resolved \(record["short_id"]?.stringValue ?? id): \(outcome)")
        }
    }
}

struct TrackRecordCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record", abstract: "A speaker's predictions, how they turned out, and the Brier score.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The person (short id or prefix).") var id: String

    func run() async throws {
        try await global.withClient { client in
            let record = try await client.call(RPC.PersonRecord.self, .init(id: id))
            if global.json { return global.print(json: RPCCoding.json(record)) }
            print(record.person.label)
            let counts = ["true", "false", "partly", "unknowable"].map { "\($0) \(record.resolved[$0] ?? 0)" }
            print("  made \(record.made), open \(record.open); " + counts.joined(separator: ", "))
            if let brier = record.brier {
                print("  Brier score \(decimal(brier, places: 3)) over \(record.scored) (0 is perfect, 0.25 is always saying 50%)")
            } else {
                print("  no Brier score yet: it needs true/false outcomes that carried a probability")
            }
        }
    }
}

struct ChangesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "changes", abstract: "What changed, who changed it (office, user) and when, with fields before and after.",
        discussion: """
            Changes are listed in the order of their clock stamps (the stamps of the change sets that made them, \
            which every office holding the same change sets agrees on), newest last. Besides records created, \
            updated and deleted, it lists edits merged from another office that lost to a concurrent edit (kept \
            as conflicts) and conflicts settled, here or at another office.
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "Since this day (YYYY-MM-DD, YYYY-MM, YYYY, today, yesterday, 7d, 2w) or time.") var since: String?
    @Option(help: "Only changes from this office (name, id or prefix).") var office: String?
    @Option(help: "Only changes by this user.") var user: String?
    @Option(help: "Only changes to this record (short id or prefix).") var record: String?
    @Option(help: "The newest this many.") var limit = 1000

    func run() async throws {
        try await global.withClient { client in
            // A full time (…T…Z) goes as it is; a day as a person types it becomes the day it names.
            let from = try since.map { $0.contains("T") ? $0 : try DayArgument.day($0, edge: .first) }
            let changes = try await client.call(
                RPC.ChangesList.self, .init(since: from, office: office, user: user, record: record, limit: limit)
            ).changes
            if global.json { return global.print(json: RPCCoding.json(changes)) }
            if changes.isEmpty { return print("(no changes)") }
            // Offices by the name the offices table gives them, where it gives one.
            let names = try await officeNames(client)
            for change in changes {
                let office = names[change.office].flatMap { $0.isEmpty ? nil : $0 } ?? String(change.office.prefix(12))
                print(
                    "\(change.at)  \(change.user)@\(office)  \(change.operation) \(change.kind) \(change.recordId.prefix(8))  "
                        + (change.label ?? ""))
                let before = change.before
                let after = change.after
                for key in Set(before.keys).union(after.keys).sorted() {
                    switch change.operation {
                    case "updated": print("    \(key): \(show(before[key])) -> \(show(after[key]))")
                    case "lost": print("    \(key): \(show(after[key])) lost to \(show(before[key])) (kept as a conflict)")
                    case "settled": print("    \(key): kept \(show(after[key])), let go \(show(before[key]))")
                    default: break
                    }
                }
            }
        }
    }

    func show(_ value: JSONValue?) -> String {
        guard let value, !value.isNull else { return "(none)" }
        return value.stringValue.map { "\"\($0)\"" } ?? JSONCodec.string(value)
    }
}
