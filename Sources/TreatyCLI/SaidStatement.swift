import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import TreatyClient
import TreatyModel

/// `treaty said PERSON "TEXT" --as ROLE --in SOURCE --about AGREEMENT`: who said what, in which role, where and
/// about what, in one command. Built on the records that hold it: the statement, the role (a membership, reused
/// when the person already holds it), the source (a URL makes one), and what it is about. Everything is checked
/// before anything is written.
struct SaidStatementCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "said", abstract: "Record that a person said something: in which role, where, when, about what.",
        discussion: """
            PERSON and --about take ids or names (`Hikmət Babaoğlu`, `AZE`, an agreement's short id). --as names the \
            role the person spoke in; with --at, where they hold it. The person's membership in that role is used, or \
            made. --in is a source's id, or a URL (a source is made for it).
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Who said it: an id or a name.") var person: String
    @Argument(help: "What they said.") var text: String
    @Option(name: .customLong("as"), help: "The role they spoke in: \"MP\", \"military expert\".") var role: String?
    @Option(help: "Where they hold the role: an organization (id or name).") var at: String?
    @Option(name: .customLong("in"), help: "Where it was said: a source id, or a URL.") var source: String?
    @Option(help: "What it is about: agreements, actors, events or persons, comma-separated (ids or names).") var about: String?
    @Option(help: "When it was said: YYYY-MM-DD, YYYY-MM or YYYY.") var on: String?
    @Option(help: "quote, paraphrase or summary.") var mode: String = "quote"

    func run() async throws {
        try await global.withClient { client in
            // Everything named is resolved first: a mistake writes nothing.
            let speaker = try await NameResolution.id(person, kinds: [.person], client: client)
            var organization: String?
            if let at { organization = try await NameResolution.id(at, kinds: [.actor], client: client) }
            var subjects: [String] = []
            for subject in about?.split(separator: ",").map(\.trimmed) ?? [] {
                subjects.append(try await NameResolution.id(subject, kinds: [.agreement, .actor, .event, .person], client: client))
            }
            if let on, PartialDate(on) == nil { throw CLIFailure("--on \(on): a date is YYYY, YYYY-MM or YYYY-MM-DD", code: 2) }
            var sourceID: String?
            if let source, !source.contains("://") {
                sourceID = try await NameResolution.id(source, kinds: [.source], client: client)
            }

            if let source, sourceID == nil {
                sourceID = try await client.call("source.add", ["url": .string(source)])["id"]?.stringValue
            }
            var membership: String?
            if let role {
                var filter: [String: JSONValue] = ["member_id": .string(speaker), "role": .string(role)]
                if let organization { filter["organization_id"] = .string(organization) }
                let held = try await client.call("membership.list", ["filter": .object(filter)])["records"]?.arrayValue ?? []
                membership = held.first?["id"]?.stringValue
                if membership == nil {
                    membership = try await client.call("membership.add", filter)["id"]?.stringValue
                }
            }
            var fields: [String: JSONValue] = ["speaker_id": .string(speaker), "text": .string(text), "mode": .string(mode)]
            if let membership { fields["membership_id"] = .string(membership) }
            if let sourceID { fields["source_id"] = .string(sourceID) }
            if let on { fields["date"] = .string(on) }
            let statement = try await client.call("statement.add", fields)
            for subject in subjects {
                _ = try await client.call("about.add", ["statement_id": statement["id"] ?? .null, "subject_id": .string(subject)])
            }
            if global.json { return global.print(json: statement) }
            print("added statement \(statement["short_id"]?.stringValue ?? "")"
                + (role.map { " by \(person) as \($0)" } ?? " by \(person)")
                + (subjects.isEmpty ? "" : ", about \(subjects.count) record\(subjects.count == 1 ? "" : "s")"))
        }
    }
}
