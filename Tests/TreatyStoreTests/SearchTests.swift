import Testing
import TreatyModel
@testable import TreatyStore

@Suite("Search")
struct SearchTests {
    /// (what news writes, what the record holds) from the issue and domain.md.
    static let cases: [(String, String)] = [
        ("Aliyev", "Əliyev"), ("Ismayil", "İsmayıl"), ("Babaoglu", "Babaoğlu"), ("Jalil Khalilov", "Cəlil Xəlilov"),
        ("Shusha", "Şuşa"), ("Gabala", "Qəbələ"), ("Mirzazade", "Mirzəzadə"), ("Hikmat", "Hikmət"),
    ]

    @Test("An English spelling finds the native one", arguments: cases)
    func englishFindsNative(english: String, native: String) async throws {
        let fixture = try StoreFixture()
        let person = try await fixture.store.create(.person, fields: ["name": .string("Ad \(native) Soyad")], user: "t")
        _ = try await fixture.store.create(.person, fields: ["name": "Someone Else"], user: "t")
        let hits = try await fixture.store.search(english)
        #expect(hits.map(\.id) == [person.id])
        #expect(hits.first?.passage.contains("[") == true)
    }

    @Test("A native spelling finds the English one", arguments: cases)
    func nativeFindsEnglish(english: String, native: String) async throws {
        let fixture = try StoreFixture()
        let event = try await fixture.store.create(
            .event, fields: ["kind": "meeting", "name": .string("Talks with \(english) in spring")], user: "t")
        let hits = try await fixture.store.search(native)
        #expect(hits.map(\.id) == [event.id])
    }

    @Test("An exact spelling ranks above a transliterated one, whichever is asked")
    func exactFirst() async throws {
        let fixture = try StoreFixture()
        let english = try await fixture.store.create(
            .agreement, fields: ["kind": "declaration", "title": "Shusha Declaration"], user: "t")
        let native = try await fixture.store.create(
            .agreement, fields: ["kind": "declaration", "title": "Şuşa Bəyannaməsi"], user: "t")
        let byEnglish = try await fixture.store.search("Shusha")
        #expect(byEnglish.map(\.id) == [english.id, native.id])
        #expect(byEnglish.map(\.exact) == [true, false])
        // Each hit carries its short id, read in the search's own transaction.
        for hit in byEnglish {
            #expect(hit.id.hasPrefix(hit.shortID) && hit.shortID.count < hit.id.count)
            #expect(try await fixture.store.get(hit.shortID).id == hit.id)
        }
        let byNative = try await fixture.store.search("Şuşa")
        #expect(byNative.map(\.id) == [native.id, english.id])
    }

    @Test("Case and diacritics do not matter; other names count; Cyrillic meets Latin")
    func foldsAndNames() async throws {
        let fixture = try StoreFixture()
        let person = try await fixture.store.create(.person, fields: ["name": "İlham Əliyev"], user: "t")
        _ = try await fixture.store.create(.name, fields: ["owner_id": .string(person.id), "name": "Ильхам Алиев"], user: "t")
        #expect(try await fixture.store.search("ILHAM").map(\.id) == [person.id])
        #expect(try await fixture.store.search("Алиев").map(\.id) == [person.id])
        #expect(try await fixture.store.search("aliev").map(\.id) == [person.id])
    }

    @Test("ə written e: Eliyev and Memmedov find Əliyev and Məmmədov, and the reverse; the exact spelling ranks first")
    func schwaWrittenE() async throws {
        let fixture = try StoreFixture()
        let native = try await fixture.store.create(.person, fields: ["name": "Elmar Məmmədyarov"], user: "t")
        let press = try await fixture.store.create(.person, fields: ["name": "Ramiz Memmedov"], user: "t")
        let english = try await fixture.store.create(.person, fields: ["name": "Mammadyarov Elmar"], user: "t")
        // Written e: finds the native spelling (and not the English one, which writes a).
        let byE = try await fixture.store.search("Memmedyarov")
        #expect(byE.map(\.id) == [native.id])
        #expect(byE.first?.passage == "Elmar [Məmmədyarov]")
        // The native spelling finds the one written e, and still the English one.
        #expect(Set(try await fixture.store.search("Məmmədov").map(\.id)) == [press.id])
        #expect(try await fixture.store.search("Məmmədyarov").map(\.id) == [native.id, english.id])
        #expect(try await fixture.store.search("Mammadyarov").map(\.id) == [english.id, native.id])
        // Cyrillic ә too.
        #expect(try await fixture.store.search("Мәммәдјаров").map(\.id).contains(native.id))
    }

    @Test("A person's name finds what they said, alone or with words of it; renaming the speaker follows")
    func statementsBySpeaker() async throws {
        let fixture = try StoreFixture()
        let person = try await fixture.store.create(.person, fields: ["name": "İlham Əliyev"], user: "t")
        let other = try await fixture.store.create(.person, fields: ["name": "Recep Erdoğan"], user: "t")
        let said = try await fixture.store.create(
            .statement, fields: ["speaker_id": .string(person.id), "text": "Shusha is the pearl of Karabakh"], user: "t")
        _ = try await fixture.store.create(
            .statement, fields: ["speaker_id": .string(other.id), "text": "Shusha will be our common home"], user: "t")
        #expect(try await fixture.store.search("Aliyev").map(\.id) == [person.id, said.id])
        #expect(try await fixture.store.search("Aliyev Shusha").map(\.id) == [said.id])
        #expect(try await fixture.store.search("Aliyev Shusha").first?.passage == "İlham Əliyev — [Shusha] is the pearl of Karabakh")
        #expect(try await fixture.store.search("Aliyev").last?.passage == "İlham [Əliyev] — Shusha is the pearl of Karabakh")
        _ = try await fixture.store.update(person.id, version: 1, set: ["name": "Heydar Aliyev"], user: "t")
        #expect(try await fixture.store.search("Ilham").isEmpty)
        #expect(try await fixture.store.search("Heydar").map(\.id) == [person.id, said.id])
        #expect(try SearchIndexConsistencyTests.instances(fixture.store) == (try await SearchIndexConsistencyTests.rebuilt(fixture.store)))
    }

    @Test("An import that gives statements before their speaker indexes them under the speaker's name")
    func statementBeforeSpeaker() async throws {
        let fixture = try StoreFixture()
        let path = try fixture.file(
            "said.jsonl",
            lines: [
                #"{"type":"statement","id":"saidsaidsaidsaidsaid","speaker_id":"speakerspeakerspeake","text":"We signed it in Shusha"}"#,
                #"{"type":"person","id":"speakerspeakerspeake","name":"Ceyhun Bayramov"}"#,
            ])
        _ = try await fixture.store.importJSONLines(from: path, user: "t")
        #expect(try await fixture.store.search("Jeyhun").map(\.id) == ["speakerspeakerspeake", "saidsaidsaidsaidsaid"])
        #expect(try SearchIndexConsistencyTests.instances(fixture.store) == (try await SearchIndexConsistencyTests.rebuilt(fixture.store)))
    }

    @Test("Kinds can be filtered; words must all match")
    func filters() async throws {
        let fixture = try StoreFixture()
        let person = try await fixture.store.create(.person, fields: ["name": "Cəlil Xəlilov"], user: "t")
        _ = try await fixture.store.create(.event, fields: ["kind": "other", "name": "Xəlilov lecture"], user: "t")
        #expect(try await fixture.store.search("Khalilov", kinds: [.person]).map(\.id) == [person.id])
        #expect(try await fixture.store.search("Jalil Khalilov").map(\.id) == [person.id])
        #expect(try await fixture.store.search("Khalilov").count == 2)
        await #expect(throws: StoreError.self) { try await fixture.store.search("  ,, ") }
    }

    @Test("A word in more records than the ranking window lists its newest matches, unranked")
    func commonWord() async throws {
        let fixture = try StoreFixture()
        let count = SearchIndex.rankingWindow + 500
        let lines = (0..<count).map { i in
            "{\"type\":\"event\",\"kind\":\"other\",\"name\":\"Defence talks \(i)\"}"
        }
        _ = try await fixture.store.importJSONLines(from: try fixture.file("many.jsonl", lines: lines), user: "t")
        let hits = try await fixture.store.search("defence", limit: 20)
        #expect(hits.map(\.label) == (count - 20..<count).reversed().map { "Defence talks \($0)" })
        #expect(hits.allSatisfy { $0.exact && $0.score == 0 })
        // A narrow query finds an old record: the window only bounds ranking of very common matches.
        let rare = try await fixture.store.search("talks 17")
        #expect(rare.map(\.label) == ["Defence talks 17"])
    }
}

/// The index keeps no copy of its documents, so a write that forgets to take a document out before changing it
/// leaves words behind that no query can tell from real ones. These tests compare the index, word by word and
/// position by position, with one built afresh from the tables.
@Suite("Search index consistency")
struct SearchIndexConsistencyTests {
    /// Every (word, document, column, position) in the index.
    static func instances(_ store: TreatyStore) throws -> [String] {
        try store.readSync { db in
            try db.execute(sql: "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_words USING fts5vocab(main, search_fts, instance)")
            return try String.fetchAll(
                db, sql: "SELECT term || ' ' || doc || ' ' || col || ' ' || offset FROM temp.search_words ORDER BY 1")
        }
    }

    static func rebuilt(_ store: TreatyStore) async throws -> [String] {
        try await store.writeWithoutTransaction { db in
            try db.inSavepoint {
                try SearchIndex.rebuild(db)
                return .commit
            }
        }
        return try instances(store)
    }

    static let words = ["Əliyev", "Aliyev", "Şuşa", "Shusha", "Qəbələ", "defence", "treaty", "Məmmədov", "border", "İlham"]

    static func text(_ rng: inout SplitMix64) -> JSONValue {
        .string((0..<Int.random(in: 1...4, using: &rng)).map { _ in words.randomElement(using: &rng)! }.joined(separator: " "))
    }

    @Test("Random creates, edits, renames, moved and deleted names, and merges leave the index as a rebuild makes it", arguments: [1, 2, 3] as [UInt64])
    func randomWrites(seed: UInt64) async throws {
        var rng = SplitMix64(seed: seed)
        let a = try StoreFixture()
        let b = try StoreFixture()
        try await SyncStoreTests.pair([a, b])
        var people: [String] = []
        var names: [String] = []
        var statements: [String] = []
        for step in 0..<150 {
            let store = Bool.random(using: &rng) ? a.store : b.store
            switch Int.random(in: 0..<12, using: &rng) {
            case 0...1:
                people.append(try await store.create(.person, fields: ["name": Self.text(&rng)], user: "t").id)
            case 2...3 where !people.isEmpty:
                let owner = people.randomElement(using: &rng)!
                if let name = try? await store.create(.name, fields: ["owner_id": .string(owner), "name": Self.text(&rng)], user: "t") {
                    names.append(name.id)
                }
            case 4...5 where !people.isEmpty:
                let id = people.randomElement(using: &rng)!
                if let person = try? await store.get(id), person.provenance?.deleted == false {
                    _ = try? await store.update(id, version: person.provenance!.version, set: ["name": Self.text(&rng), "note": Self.text(&rng)], user: "t")
                }
            case 6 where !names.isEmpty && !people.isEmpty:
                // A name moves to another owner: both owners' documents change.
                let id = names.randomElement(using: &rng)!
                if let name = try? await store.get(id), name.provenance?.deleted == false {
                    _ = try? await store.update(
                        id, version: name.provenance!.version,
                        set: ["owner_id": .string(people.randomElement(using: &rng)!), "name": Self.text(&rng)], user: "t")
                }
            case 7 where !names.isEmpty:
                _ = try? await store.delete(names.randomElement(using: &rng)!, user: "t")
            case 8 where !people.isEmpty:
                _ = try? await store.delete(people.randomElement(using: &rng)!, user: "t")
            case 9 where !people.isEmpty:
                // A statement's document holds its speaker's name: renaming the speaker changes it.
                let speaker = people.randomElement(using: &rng)!
                if let statement = try? await store.create(
                    .statement, fields: ["speaker_id": .string(speaker), "text": Self.text(&rng)], user: "t")
                {
                    statements.append(statement.id)
                }
            case 10 where !statements.isEmpty && !people.isEmpty:
                let id = statements.randomElement(using: &rng)!
                if let statement = try? await store.get(id), statement.provenance?.deleted == false {
                    _ = try? await store.update(
                        id, version: statement.provenance!.version,
                        set: ["speaker_id": .string(people.randomElement(using: &rng)!)], user: "t")
                }
            default:
                // Concurrent edits meet: each office merges the other's.
                _ = try await SyncStoreTests.send(a, b)
                _ = try await SyncStoreTests.send(b, a)
            }
            if step % 50 == 49 {
                for store in [a.store, b.store] {
                    let live = try Self.instances(store)
                    #expect(live == (try await Self.rebuilt(store)), "seed \(seed), step \(step)")
                }
            }
        }
        _ = try await SyncStoreTests.send(a, b)
        _ = try await SyncStoreTests.send(b, a)
        let (liveA, liveB) = (try Self.instances(a.store), try Self.instances(b.store))
        #expect(liveA == (try await Self.rebuilt(a.store)))
        #expect(liveB == (try await Self.rebuilt(b.store)))
        #expect(!liveA.isEmpty)
    }
}
