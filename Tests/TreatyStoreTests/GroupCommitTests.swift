import Foundation
import Testing
import TreatyModel
import TreatySync

@testable import TreatyStore

@Suite("Group commit")
struct GroupCommitTests {
    @Test("writes that arrive together commit together, each its own change set, and a bad one fails alone")
    func concurrentWrites() async throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let person = try await store.create(.person, fields: ["name": "Hikmət Hacıyev"], user: "ana")
        let before = try await store.syncStatus().logChangeSets
        // 48 writers at once: creates that succeed, edits with a stale version and creates naming a record that is
        // not here, which fail.
        let outcomes = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
            for n in 0..<48 {
                group.addTask {
                    do {
                        switch n % 4 {
                        case 0:
                            _ = try await store.update(person.id, version: 99, set: ["note": .string("stale \(n)")], user: "u\(n)")
                        case 1:
                            _ = try await store.create(
                                .statement, fields: ["speaker_id": "nobody0000000000000", "text": .string("said \(n)")], user: "u\(n)")
                        default:
                            _ = try await store.create(.person, fields: ["name": .string("Person \(n)")], user: "u\(n)")
                        }
                        return (n, true)
                    } catch {
                        return (n, false)
                    }
                }
            }
            return try await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
        }
        #expect(outcomes.filter { $0.value }.keys.sorted() == (0..<48).filter { $0 % 4 >= 2 })
        // One change set per write that succeeded, each by its own user.
        let sets = try await store.changeSets(missingFrom: VersionVector())
        #expect(sets.count - before == 24)
        #expect(Set(sets.suffix(24).map(\.user)) == Set((0..<48).filter { $0 % 4 >= 2 }.map { "u\($0)" }))
        #expect(try await store.list(.person, limit: 100).count == 25)
        #expect(try store.readSync { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") } == ["ok"])
    }
}

@Suite("Durability")
struct DurabilityTests {
    @Test("a durable store's writer syncs the WAL at every commit (synchronous = FULL), whatever GRDB's default")
    func writerSyncsEveryCommit() throws {
        let fixture = try StoreFixture(options: StoreOptions(durable: true))
        let level = try fixture.store.pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(level == 2, "2 is FULL; GRDB's pools set 1, NORMAL, which syncs only at checkpoints")
    }
}
