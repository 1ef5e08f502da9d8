import Synchronization
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

extension GroupCommitTests {
    @Test(
        "subscribers hear writes in the order they commit, also when each writer is slow to go on after its commit",
        arguments: [1, 2, 3] as [UInt64])
    func eventsInCommitOrder(seed: UInt64) async throws {
        var options = StoreOptions(durable: false)
        // Each write's caller pauses 0-15 ms after its commit: publishing after the write returned reordered events.
        let delays = Mutex(SplitMix64(seed: seed))
        options.afterCommitForTests = {
            let pause = delays.withLock { $0.next() % 16 }
            try? await Task.sleep(for: .milliseconds(pause))
        }
        let fixture = try StoreFixture(options: options)
        let events = fixture.store.changes.subscribe()
        let count = 48
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<count {
                group.addTask {
                    let person = try await fixture.store.create(.person, fields: ["name": .string("P\(n)")], user: "t")
                    if n % 3 == 0 {
                        _ = try await fixture.store.update(person.id, version: 1, set: ["note": "edited"], user: "t")
                    }
                }
            }
            try await group.waitForAll()
        }
        var heard: [Int64] = []
        for await event in events {
            // Order by the change log's sequence: each create and each edit has its own entry.
            let entry = try fixture.store.readSync { db in
                try Int64.fetchOne(
                    db, sql: "SELECT seq FROM change_log WHERE record_id = ? AND operation = ?",
                    arguments: [event.record!.id, event.operation.rawValue])
            }
            heard.append(try #require(entry))
            if heard.count == count + count / 3 { break }
        }
        #expect(heard == heard.sorted(), "seed \(seed): \(heard)")
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
