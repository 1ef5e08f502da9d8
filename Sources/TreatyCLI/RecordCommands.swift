import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import TreatyClient
import TreatyModel
import TreatyProtocol

/// A record kind with its command group: `treaty agreement add|show|list|edit|rm`.
protocol KindCommand {
    static var kind: RecordKind { get }
    /// Commands beyond the five every kind has.
    static var extra: [ParsableCommand.Type] { get }
    /// The `list` command: the generic one unless the kind has its own.
    static var list: ParsableCommand.Type { get }
}

extension KindCommand {
    static var extra: [ParsableCommand.Type] { [] }
    static var list: ParsableCommand.Type { ListRecords<Self>.self }
}

struct RecordGroup<K: KindCommand>: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: K.kind.commandName, abstract: K.kind.summary,
            subcommands: [AddRecord<K>.self, ShowRecord<K>.self, K.list, EditRecord<K>.self, RemoveRecord<K>.self] + K.extra)
    }
}

struct AddRecord<K: KindCommand>: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "add", abstract: "Add \(Grammar.a(K.kind.rawValue)): field=value ...",
            discussion: "Fields: \(FieldAssignments.names(K.kind)). References take a short id or unambiguous prefix, "
                + "or a name."
                + (K.kind == .agreement ? " In the same command: \(AgreementComposition.usage)." : ""))
    }

    @OptionGroup var global: GlobalOptions
    @Argument(help: "field=value pairs.") var assignments: [String] = []

    func run() async throws {
        try await global.withClient { client in
            var assignments = assignments
            let composition = K.kind == .agreement ? try AgreementComposition.extract(from: &assignments) : .init()
            var params = try await FieldAssignments.parse(assignments, kind: K.kind, client: client)
            params = params.filter { !$0.value.isNull }
            let actors = try await composition.check(client: client)
            let record = try await client.call("\(K.kind.rawValue).add", params)
            let added = try await composition.add(to: record["id"]?.stringValue ?? "", actors: actors, client: client)
            if global.json { return global.print(json: record) }
            print(
                "added \(K.kind.rawValue) \(record["short_id"]?.stringValue ?? "")  \(Record.from(record)?.label ?? "")"
                    + (added.isEmpty ? "" : " with \(Self.counted(added))"))
        }
    }

    /// "2 parties, 1 provision, signed".
    static func counted(_ added: [String]) -> String {
        var seen: [String] = []
        for item in added where !seen.contains(item) { seen.append(item) }
        return seen.map { item in
            let count = added.filter { $0 == item }.count
            guard item == "party" || item == "provision" else { return item }
            return "\(count) " + (count == 1 ? item : (item == "party" ? "parties" : "provisions"))
        }.joined(separator: ", ")
    }
}

struct ShowRecord<K: KindCommand>: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "show", abstract: "Show \(Grammar.a(K.kind.rawValue)) by short id or prefix.")
    }

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Short id or unambiguous prefix (for an actor or a person, a name too).") var id: String
    @Option(help: "For agreements and actors: statuses as of this day: YYYY-MM-DD, YYYY-MM, YYYY, today, 7d (today).") var on: String?

    func run() async throws {
        try await global.withClient { client in
            if K.kind == .agreement {
                let day = try on.map { try DayArgument.day($0, edge: .last) }
                let dossier = try await client.call(RPC.Dossier.self, .init(id: id, asOf: day))
                if global.json { return global.print(json: RPCCoding.json(dossier)) }
                print(Brief.agreement(dossier))
                return
            }
            // An actor or a person may be named (AZE, Uzbekistan) as well as given by id.
            let named = K.kind == .actor || K.kind == .person ? try await NameResolution.id(id, kinds: [K.kind], client: client) : id
            let record = try await client.call("\(K.kind.rawValue).get", ["id": .string(named)])
            if global.json { return global.print(json: record) }
            if K.kind == .actor {
                return print(try await ActorBrief.render(record, on: try on.map { try DayArgument.day($0, edge: .last) }, client: client))
            }
            print(try await Brief.record(record, client: client))
        }
    }
}

struct ListRecords<K: KindCommand>: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "list", abstract: "List \(K.kind.rawValue) records; field=value filters.")
    }

    @OptionGroup var global: GlobalOptions
    @Argument(help: "field=value filters.") var filters: [String] = []
    @Option(help: "At most this many.") var limit = 100
    @Flag(help: "Include deleted records.") var deleted = false

    func run() async throws {
        try await global.withClient { client in
            let filter = try await FieldAssignments.parse(filters, kind: K.kind, client: client)
            var params: [String: JSONValue] = ["limit": .int(Int64(limit)), "include_deleted": .bool(deleted)]
            if !filter.isEmpty { params["filter"] = .object(filter) }
            let result = try await client.call("\(K.kind.rawValue).list", params)
            let records = result["records"]?.arrayValue ?? []
            if global.json { return global.print(json: .array(records)) }
            if K.kind == .provisionType, filter.isEmpty { return print(Self.vocabulary(records)) }
            print(Brief.table(records, kind: K.kind))
        }
    }

    /// Provision types by their whole slug (the slug is what `provision_type=` takes), the built-in ones first.
    static func vocabulary(_ records: [JSONValue]) -> String {
        var table = Table("slug", "label", "from")
        for entry in ProvisionVocabulary.builtIn { table.add([entry.slug, entry.label, "built in (\(entry.origin))"]) }
        for json in records {
            let record = Record.from(json)
            table.add([
                (json["id"]?.stringValue ?? "") + (record?.provenance?.deleted == true ? " (deleted)" : ""),
                record?.label ?? "", "this register",
            ])
        }
        return table.render()
    }
}

struct EditRecord<K: KindCommand>: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "edit", abstract: "Change fields of \(Grammar.a(K.kind.rawValue)): field=value, field= clears.",
            discussion: "The edit names the version it changes (the one just read, or --version): if a colleague "
                + "changed the record meanwhile, it is refused (exit 6) instead of overwriting their edit.")
    }

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Short id or prefix.") var id: String
    @Argument(help: "field=value pairs.") var assignments: [String]
    @Option(help: "The version you are editing (default: the current one).") var version: Int?

    func run() async throws {
        try await global.withClient { client in
            let current = try await client.call("\(K.kind.rawValue).get", ["id": .string(id)])
            let changes = try await FieldAssignments.parse(assignments, kind: K.kind, client: client)
            let params: [String: JSONValue] = [
                "id": current["id"] ?? .string(id), "version": .int(Int64(version ?? Int(current["version"]?.intValue ?? 1))),
                "set": .object(changes),
            ]
            let record = try await client.call("\(K.kind.rawValue).update", params)
            if global.json { return global.print(json: record) }
            print("edited \(K.kind.rawValue) \(record["short_id"]?.stringValue ?? "") (version \(record["version"]?.intValue ?? 0))")
        }
    }
}

struct RemoveRecord<K: KindCommand>: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "rm", abstract: "Delete \(Grammar.a(K.kind.rawValue)) (a tombstone that syncs).",
            aliases: ["delete", "remove"])
    }

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Short id or prefix.") var id: String
    @Option(help: "Refuse if the record is no longer at this version.") var version: Int?

    func run() async throws {
        try await global.withClient { client in
            var params: [String: JSONValue] = ["id": .string(id)]
            if let version { params["version"] = .int(Int64(version)) }
            let record = try await client.call("\(K.kind.rawValue).delete", params)
            if global.json { return global.print(json: record) }
            print("deleted \(K.kind.rawValue) \(record["short_id"]?.stringValue ?? "")")
        }
    }
}

extension Record {
    /// A record from a method's JSON result (with short_id, which is not a field).
    static func from(_ json: JSONValue) -> Record? {
        guard case .object(var object) = json else { return nil }
        object["short_id"] = nil
        return try? Record(json: .object(object))
    }
}

// The kinds, one marker each.
enum AgreementKind: KindCommand {
    static var kind: RecordKind { .agreement }
    static var extra: [ParsableCommand.Type] { [AgreementStatusCommand.self, ChainCommand.self, AwaitingCommand.self] }
}
enum ActorKind: KindCommand { static var kind: RecordKind { .actor } }
enum PersonKind: KindCommand {
    static var kind: RecordKind { .person }
    static var extra: [ParsableCommand.Type] { [SaidCommand.self, TrackRecordCommand.self] }
}
enum NameKind: KindCommand { static var kind: RecordKind { .name } }
enum MembershipKind: KindCommand { static var kind: RecordKind { .membership } }
enum PartyKind: KindCommand { static var kind: RecordKind { .party } }
enum ProvisionTypeKind: KindCommand { static var kind: RecordKind { .provisionType } }
enum ProvisionKind: KindCommand { static var kind: RecordKind { .provision } }
enum LifecycleKindCommand: KindCommand { static var kind: RecordKind { .lifecycleEvent } }
enum RelationKind: KindCommand { static var kind: RecordKind { .relation } }
enum EventKind: KindCommand { static var kind: RecordKind { .event } }
enum SourceKind: KindCommand { static var kind: RecordKind { .source } }
enum StatementKind: KindCommand { static var kind: RecordKind { .statement } }
enum AboutKind: KindCommand { static var kind: RecordKind { .about } }
enum PredictionKind: KindCommand {
    static var kind: RecordKind { .prediction }
    static var list: ParsableCommand.Type { PredictionListCommand.self }
    static var extra: [ParsableCommand.Type] { [PredictionResolveCommand.self] }
}
enum PredictionPartyKind: KindCommand { static var kind: RecordKind { .predictionParty } }
enum PredictionProvisionKind: KindCommand { static var kind: RecordKind { .predictionProvision } }
enum OfficeKind: KindCommand { static var kind: RecordKind { .office } }
