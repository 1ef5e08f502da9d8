import TreatyClient
import TreatyModel
import TreatyProtocol

/// What a person types for a record: its id or a prefix of it, or for an actor its ISO3 code or any of its
/// names, for a person any of theirs: as written, else in any case and any spelling search joins (a name that
/// reads the same word for word, ``NameFolding/readTheSame(_:_:)``). The same resolution for `actor_id=…`, `--org`
/// and `--actors`; more than one match is an error that lists them.
enum NameResolution {
    static func id(_ text: String, kinds: [RecordKind], client: TreatyClient) async throws -> String {
        if let record = try? await client.call("record.get", ["id": .string(text)]),
            let kind = record["type"]?.stringValue.flatMap(RecordKind.init(rawValue:)), kinds.contains(kind),
            let id = record["id"]?.stringValue
        {
            return id
        }
        var found: [String: String] = [:]  // id -> label
        func add(_ records: JSONValue?) {
            for record in records?["records"]?.arrayValue ?? [] {
                if let id = record["id"]?.stringValue { found[id] = record["name"]?.stringValue ?? id }
            }
        }
        for kind in kinds where kind == .actor || kind == .person {
            if kind == .actor, text.count == 3 {
                add(try await client.call("actor.list", ["filter": ["iso3": .string(text.uppercased())]]))
            }
            add(try await client.call("\(kind.rawValue).list", ["filter": ["name": .string(text)]]))
        }
        if kinds.contains(.actor) || kinds.contains(.person) {
            // Other names: English, Russian, abbreviations, former names.
            for name in try await client.call("name.list", ["filter": ["name": .string(text)]])["records"]?.arrayValue ?? [] {
                guard let owner = name["owner_id"]?.stringValue, found[owner] == nil,
                    let record = try? await client.call("record.get", ["id": .string(owner)]),
                    let kind = record["type"]?.stringValue.flatMap(RecordKind.init(rawValue:)), kinds.contains(kind)
                else { continue }
                found[owner] = record["name"]?.stringValue ?? owner
            }
        }
        if found.isEmpty, kinds.contains(.actor) || kinds.contains(.person) {
            found = try await readingTheSame(text, kinds: kinds.filter { $0 == .actor || $0 == .person }, client: client)
        }
        let what = kinds.map(\.rawValue).joined(separator: " or ")
        guard found.count == 1, let id = found.keys.first else {
            if found.isEmpty {
                throw CLIFailure("no \(what) is \"\(text)\": give an id, \(kinds.contains(.actor) ? "an ISO3 code " : "")or a name", code: 5)
            }
            let candidates = found.sorted { $0.value < $1.value }.map { "\($0.key.prefix(6)) \($0.value)" }
            throw CLIFailure("\"\(text)\" names \(found.count) records: \(candidates.joined(separator: ", ")); give an id", code: 5)
        }
        return id
    }

    /// The records search finds for `text` whose name or other name reads the same as it (id -> name).
    static func readingTheSame(_ text: String, kinds: [RecordKind], client: TreatyClient) async throws -> [String: String] {
        guard !NameFolding.words(of: text).isEmpty else { return [:] }
        guard let hits = try? await client.call(RPC.Search.self, .init(query: text, kinds: kinds, limit: 20)).hits else { return [:] }
        var found: [String: String] = [:]
        for id in hits.map(\.id) {
            guard let record = try? await client.call("record.get", ["id": .string(id)]) else { continue }
            var names = [record["name"]?.stringValue].compactMap { $0 }
            names += try await client.call("name.list", ["filter": ["owner_id": .string(id)], "limit": 1000])["records"]?
                .arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
            if names.contains(where: { NameFolding.readTheSame($0, text) }) { found[id] = names.first ?? id }
        }
        return found
    }
}
