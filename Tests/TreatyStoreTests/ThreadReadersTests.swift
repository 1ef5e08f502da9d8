import Foundation
import Testing
import TreatyModel

@testable import TreatyStore

@Suite("Point reads on a thread's own connection")
struct ThreadReadersTests {
    @Test("a read on this thread answers as the pool's does, sees each write as soon as it commits, and names what is missing")
    func readOnThisThread() async throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let person = try await store.create(.person, fields: ["name": "İlham Əliyev"], user: "ana")
        // The first read opens this thread's connection; the edit after it must still be seen.
        let first = try await store.getWithShortID(person.id, onThisThread: true)
        #expect(first.record == person)
        #expect(first.shortID == (try await store.getWithShortID(person.id)).shortID)
        #expect(try await store.shortIDs([person.id], onThisThread: true) == (try await store.shortIDs([person.id])))
        let edited = try await store.update(person.id, version: 1, set: ["note": "President"], user: "ana")
        #expect(try await store.getWithShortID(String(person.id.prefix(10)), kind: .person, onThisThread: true).record == edited)
        await #expect(throws: StoreError.notFound("nobody0000000000000")) {
            try await store.getWithShortID("nobody0000000000000", onThisThread: true)
        }
        await #expect(throws: StoreError.self) { try await store.getWithShortID(person.id, kind: .agreement, onThisThread: true) }
    }
}
