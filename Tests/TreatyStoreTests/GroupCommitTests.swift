import Synchronization
import Foundation
import GRDB
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
    @Test("a batch makes one change set per run of one user's writes; a bad write inside fails alone and leaves nothing in it")
    func oneChangeSetPerRun() async throws {
        let a = try StoreFixture()
        let b = try StoreFixture()
        try await SyncStoreTests.pair([a, b])
        let store = a.store
        let target = try await store.create(.person, fields: ["name": "Hikmət Hacıyev"], user: "ana")
        let before = try await store.changeSets(missingFrom: VersionVector()).count
        let created = try #require(try await store.changes(record: target.id).first)
        let outcomes = Mutex<[String: Bool]>([:])
        func job(_ name: String, _ user: String, _ body: @escaping @Sendable (Database, WriteContext) throws -> Void)
            -> WriteBatcher.Job
        {
            let context = store.context(user: user)
            return WriteBatcher.Job(user: user) { db in
                try body(db, context)
                return []
            } done: { error in
                outcomes.withLock { $0[name] = error == nil }
            }
        }
        func person(_ name: String) -> @Sendable (Database, WriteContext) throws -> Void {
            { db, context in
                try Writes.create(db, Record(kind: .person, id: "", fields: ["name": .string(name)]), context: context, deferReferences: nil)
            }
        }
        // One batch, as the writer thread takes it when these arrive together: ana, ana, ana (stale), ana (dangling),
        // ana, then ben, then ana again.
        store.batcher.commit([
            job("x1", "ana", person("X1")),
            job("note", "ana") { db, context in
                _ = try Writes.update(db, id: target.id, version: 1, set: ["note": "seen in Baku"], context: context)
            },
            job("stale", "ana") { db, context in
                _ = try Writes.update(db, id: target.id, version: 1, set: ["note": "stale"], context: context)
            },
            job("dangling", "ana") { db, context in
                try Writes.create(
                    db, Record(kind: .statement, id: "", fields: ["speaker_id": "nobody0000000000000", "text": "said"]),
                    context: context, deferReferences: nil)
            },
            job("x2", "ana", person("X2")),
            job("x3", "ben", person("X3")),
            job("x4", "ana", person("X4")),
        ])
        #expect(outcomes.withLock { $0 } == [
            "x1": true, "note": true, "stale": false, "dangling": false, "x2": true, "x3": true, "x4": true,
        ])
        // Three runs: ana's five writes (three that succeeded), ben's, ana's last.
        let sets = try await store.changeSets(missingFrom: VersionVector()).dropFirst(before)
        #expect(sets.map(\.user) == ["ana", "ben", "ana"])
        // The history stays one entry per write, each with its user; a run's entries share its change set's stamp.
        let history = try await store.changes(limit: 100).filter { $0.seq > created.seq }
        #expect(history.map(\.user) == ["ana", "ana", "ana", "ben", "ana"])
        #expect(history.map(\.operation) == ["created", "updated", "created", "created", "created"])
        let stamps = try store.readSync { db in
            try Int64.fetchAll(db, sql: "SELECT clock FROM change_log WHERE seq > ? ORDER BY seq", arguments: [created.seq])
        }
        #expect(stamps.count == 5 && Set(stamps.prefix(3)).count == 1 && Set(stamps).count == 3)

        // The other office gets exactly what committed, and the same history.
        try await SyncStoreTests.send(a, b)
        let names = try await b.store.list(.person, limit: 10).compactMap { $0.text("name") }.sorted()
        #expect(names == ["Hikmət Hacıyev", "X1", "X2", "X3", "X4"])
        #expect(try await b.store.get(target.id).text("note") == "seen in Baku")
        #expect(try await b.store.list(.statement, limit: 10).isEmpty)
        let merged = try await b.store.changes(limit: 100).filter { $0.kind == "person" }
        #expect(Dictionary(merged.map { ($0.label ?? "", $0.user) }, uniquingKeysWith: { $1 })["X3"] == "ben")
        try await SyncStoreTests.send(b, a)
        #expect(try await a.store.syncStatus().digest == b.store.syncStatus().digest)
    }

    @Test("a batch's runs: consecutive writes by one user, never reordered")
    func runs() {
        let jobs = ["a", "a", "b", "a", "a", "c"].map { WriteBatcher.Job(user: $0, body: { _ in [] }, done: { _ in }) }
        #expect(WriteBatcher.runs(of: jobs).map { $0.map(\.user) } == [["a", "a"], ["b"], ["a", "a"], ["c"]])
        #expect(WriteBatcher.runs(of: []).isEmpty)
    }

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
                    db, sql: "SELECT seq FROM change_log WHERE record = (SELECT seq FROM record_index WHERE id = ?) AND operation = ?",
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
