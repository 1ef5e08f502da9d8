import TreatyClient
import TreatyModel
import TreatyProtocol

/// `treaty agreement add` with what an agreement is recorded with, in one command: `parties=AZE,TUR`,
/// `provisions=defense,training` and a date for each step of its life (`signed=2021-06-15`,
/// `entered_into_force=2022`). Built on the records that hold them (party, provision, lifecycle_event). Everything
/// is checked before anything is written; if a write still fails midway, the message says what was added.
struct AgreementComposition {
    var parties: [String] = []
    var provisions: [String] = []
    var steps: [(kind: LifecycleKind, date: String)] = []

    static let usage = "parties=STATE,STATE provisions=TYPE,TYPE and a date per step (signed=YYYY-MM-DD, "
        + LifecycleKind.allCases.dropFirst().prefix(3).map { "\($0.rawValue)=…" }.joined(separator: ", ") + ", …)"

    /// Takes its own arguments out of `arguments`, leaving the agreement's fields.
    static func extract(from arguments: inout [String]) throws(CLIFailure) -> AgreementComposition {
        var composition = AgreementComposition()
        var rest: [String] = []
        for argument in arguments {
            guard let equals = argument.firstIndex(of: "=") else {
                rest.append(argument)
                continue
            }
            let name = String(argument[..<equals])
            let value = String(argument[argument.index(after: equals)...])
            let list = value.split(separator: ",").map(\.trimmed).filter { !$0.isEmpty }
            if RecordKind.agreement.field(name) != nil {
                rest.append(argument)
            } else if name == "parties" {
                composition.parties += list
            } else if name == "provisions" {
                composition.provisions += list
            } else if let kind = LifecycleKind(rawValue: name) {
                guard PartialDate(value) != nil else {
                    throw CLIFailure("\(name)=\(value): a date is YYYY, YYYY-MM or YYYY-MM-DD", code: 2)
                }
                composition.steps.append((kind, value))
            } else {
                rest.append(argument)
            }
        }
        arguments = rest
        return composition
    }

    /// Resolves the parties and checks the provision types, so that nothing is written for a mistake.
    func check(client: TreatyClient) async throws -> [String] {
        var actors: [String] = []
        for party in parties { actors.append(try await NameResolution.id(party, kinds: [.actor], client: client)) }
        let defined = try await client.call("provision_type.list", ["limit": 10000])["records"]?.arrayValue?
            .compactMap { $0["id"]?.stringValue } ?? []
        for slug in provisions {
            do {
                _ = try ProvisionVocabulary.resolve(slug, defined: defined)
            } catch {
                // As the daemon would answer the provision's write.
                throw CLIFailure(
                    error.description, code: ErrorName.unknownProvisionType.exitCode, name: ErrorName.unknownProvisionType.rawValue)
            }
        }
        return actors
    }

    /// Adds the parties, provisions and steps to the agreement just made.
    func add(to agreement: String, actors: [String], client: TreatyClient) async throws -> [String] {
        var added: [String] = []
        do {
            for actor in actors {
                _ = try await client.call("party.add", ["agreement_id": .string(agreement), "actor_id": .string(actor)])
                added.append("party")
            }
            for slug in provisions {
                _ = try await client.call("provision.add", ["agreement_id": .string(agreement), "provision_type": .string(slug)])
                added.append("provision")
            }
            for step in steps {
                _ = try await client.call(
                    "lifecycle_event.add",
                    ["agreement_id": .string(agreement), "kind": .string(step.kind.rawValue), "date": .string(step.date)])
                added.append(step.kind.rawValue.words)
            }
        } catch {
            let failure = CLIFailure(error)
            throw CLIFailure(
                "the agreement \(agreement.prefix(6)) was added" + (added.isEmpty ? "" : " with \(added.joined(separator: ", "))")
                    + ", then: \(failure.message)", code: failure.code, name: failure.name, data: failure.data)
        }
        return added
    }
}
