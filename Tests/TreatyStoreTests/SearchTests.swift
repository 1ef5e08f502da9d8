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

    @Test("A word in most records still answers, ranked among the newest window")
    func commonWord() async throws {
        let fixture = try StoreFixture()
        let lines = (0..<(SearchIndex.rankingWindow + 500)).map { i in
            "{\"type\":\"event\",\"kind\":\"other\",\"name\":\"Defence talks \(i)\"}"
        }
        _ = try await fixture.store.importJSONLines(from: try fixture.file("many.jsonl", lines: lines), user: "t")
        let hits = try await fixture.store.search("defence", limit: 20)
        #expect(hits.count == 20)
        // A narrow query finds an old record: the window only bounds ranking of very common matches.
        let rare = try await fixture.store.search("talks 17")
        #expect(rare.map(\.label) == ["Defence talks 17"])
    }
}
