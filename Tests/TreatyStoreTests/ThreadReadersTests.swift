import Foundation
import Testing
import TreatyModel

@testable import TreatyStore

@Suite("Point reads on a thread's own connection")
struct ThreadReadersTests {
    @Test("getHere and shortIDsHere answer as the pool's reads do, sees each write as soon as it commits, and names what is missing")
    func getHere() async throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let person = try await store.create(.person, fields: ["name": "İlham Əliyev"], user: "ana")
        // The first read opens this thread's connection; the edit after it must still be seen.
        let first = try store.getHere(person.id)
        #expect(first.record == person)
        #expect(first.shortID == (try await store.getWithShortID(person.id)).shortID)
        #expect(try store.shortIDsHere([person.id]) == (try await store.shortIDs([person.id])))
        let edited = try await store.update(person.id, version: 1, set: ["note": "President"], user: "ana")
        #expect(try store.getHere(String(person.id.prefix(10)), kind: .person).record == edited)
        #expect(throws: StoreError.notFound("nobody0000000000000")) { try store.getHere("nobody0000000000000") }
        #expect(throws: StoreError.self) { try store.getHere(person.id, kind: .agreement) }
    }
}
