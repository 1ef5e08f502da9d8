import Foundation
import GRDB
import Synchronization
import Testing
import TreatyModel
import TreatySync

@testable import TreatyStore

/// Change sets signed by an admitted office that say something no honest office would: held with a reason,
/// never applied in part, never a crash.
@Suite("Hostile change sets")
struct HostileChangeSetTests {
    /// A store whose clock a test moves.
    final class Clock: Sendable {
        let now = Atomic<Int64>(StoreFixture.fixedClock())
        func read() -> Int64 { now.load(ordering: .relaxed) }
        func advance(_ ms: Int64) { now.add(ms, ordering: .relaxed) }
    }

    static func person(_ id: String, name: String) throws -> Data {
        try Forger.changeset(
            table: "person", operation: .insert, values: Forger.row(.person, id: id, fields: ["name": name.databaseValue]))
    }

    @Test("a change set stamped at the top of the clock range is held, and local writes go on")
    func topOfClockRange() async throws {
        let fixture = try StoreFixture()
        let forger = Forger()
        try await forger.admit(at: fixture.store)
        let summary = try await fixture.store.receive([try forger.envelope(seq: 1, clock: .max, changeset: Data())])
        #expect(summary.applied == 0)
        #expect(summary.held.first?.reason.contains("ahead of this office's clock") == true)
        _ = try await fixture.store.create(.person, fields: ["name": "Cəlil Xəlilov"], user: "ana")
        // A database that took such a stamp before it was held: the next local stamp saturates instead of trapping.
        try await fixture.store.pool.write { db in try SyncTables.setLastClock(db, .max) }
        _ = try await fixture.store.create(.person, fields: ["name": "Aydın Mirzəzadə"], user: "ana")
        #expect(try await fixture.store.list(.person).count == 2)
    }

    @Test("a stamp further ahead than the accepted skew waits until this office's clock is within it")
    func clockSkewHeld() async throws {
        let clock = Clock()
        let fixture = try StoreFixture(clock: { clock.read() })
        let forger = Forger()
        try await forger.admit(at: fixture.store)
        let hour: Int64 = 3_600_000
        let ahead = HybridClock.stamp(milliseconds: clock.read() + hour)
        let envelope = try forger.envelope(seq: 1, clock: ahead, changeset: try Self.person("aaaaaaaaaaaaaaaaaaaa", name: "Kars"))
        let summary = try await fixture.store.receive([envelope])
        #expect(summary.applied == 0)
        let reason = try #require(try await fixture.store.syncStatus().held.first?.reason)
        #expect(reason.contains("60 minutes ahead"), "\(reason)")
        #expect(reason.contains("10 minutes accepted"), "\(reason)")
        // Still more than ten minutes ahead: held.
        clock.advance(hour - 11 * 60_000)
        #expect(try await fixture.store.applyHeld() == 0)
        clock.advance(2 * 60_000)
        #expect(try await fixture.store.applyHeld() == 1)
        #expect(try await fixture.store.syncStatus().held.isEmpty)
        #expect(try await fixture.store.list(.person).map { $0.text("name") } == ["Kars"])
    }

    @Test("change sets held for their stamp are applied by themselves once the clock has caught up")
    func clockSkewReleased() async throws {
        let fixture = try StoreFixture(
            clock: { Int64(Date().timeIntervalSince1970 * 1000) }, options: StoreOptions(durable: false, maxClockSkew: 0))
        let forger = Forger()
        try await forger.admit(at: fixture.store)
        let soon = HybridClock.stamp(milliseconds: Int64(Date().timeIntervalSince1970 * 1000) + 400)
        let summary = try await fixture.store.receive(
            [try forger.envelope(seq: 1, clock: soon, changeset: try Self.person("bbbbbbbbbbbbbbbbbbbb", name: "Gabala"))])
        #expect(summary.applied == 0)
        let deadline = Date().addingTimeInterval(10)
        while try await !fixture.store.syncStatus().held.isEmpty, Date() < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(try await fixture.store.syncStatus().held.isEmpty)
        #expect(try await fixture.store.list(.person).count == 1)
    }

    @Test(
        "changeset bytes that SQLite's iterator loops on forever are refused, and what capture makes is accepted",
        arguments: ["5419ba9b7df50b", "54d828517cc8b001f0ca84010b3a0968af11272336de5a91a7ad69b49e7eee705616c1d3de72d4ce3c58"])
    func changesetIteratorHang(hex: String) async throws {
        let fixture = try StoreFixture()
        let forger = Forger()
        try await forger.admit(at: fixture.store)
        let bytes = Data(hex.chunks(of: 2).map { UInt8($0, radix: 16)! })
        #expect(!Changeset.isWellFormed(bytes))
        let summary = try await fixture.store.receive(
            [try forger.envelope(seq: 1, clock: HybridClock.stamp(milliseconds: StoreFixture.fixedClock()), changeset: bytes)])
        #expect(summary.held.first?.reason == "refused: its changeset does not parse")
        // Every shape capture makes passes the walk: inserts, updates, deletes, every value type.
        let values: [DatabaseValue] = ["id".databaseValue, .null, 7.databaseValue, 2.5.databaseValue, "ə".databaseValue, Data([1, 2]).databaseValue]
        for operation in [Forger.Operation.insert, .update, .delete] {
            #expect(Changeset.isWellFormed(try Forger.changeset(table: "t", operation: operation, values: values)))
        }
        // A composite primary key numbers its columns (settling a conflict deletes such rows).
        let settled = Data(
            "54070102030405000063000900030161030162030163030164010000000000000001010000000000000002030176".chunks(of: 2)
                .map { UInt8($0, radix: 16)! })
        #expect(Changeset.isWellFormed(settled))
    }

    @Test("a change set with more columns than this office's table is held with the reason", arguments: [false, true])
    func moreColumns(update: Bool) async throws {
        let fixture = try StoreFixture()
        let forger = Forger()
        try await forger.admit(at: fixture.store)
        let person = try await fixture.store.create(.person, fields: ["name": "Cəlil Xəlilov"], user: "ana")
        let values = Forger.row(.person, id: person.id, fields: ["name": "Forged".databaseValue], version: 2) + ["extra".databaseValue]
        let changeset = try Forger.changeset(table: "person", operation: update ? .update : .insert, values: values)
        let summary = try await fixture.store.receive(
            [try forger.envelope(seq: 1, clock: HybridClock.stamp(milliseconds: StoreFixture.fixedClock()), changeset: changeset)])
        #expect(summary.applied == 0)
        #expect(summary.held.first?.reason.contains("12 columns where record schema 2 has 11") == true)
        #expect(try await fixture.store.get(person.id).text("name") == "Cəlil Xəlilov")
        #expect(try await fixture.store.integrityCheck() == "ok")
    }

    @Test(
        "values that do not fit their columns, dangling references and rows never had are refused whole",
        arguments: [
            ("version", "text where a number belongs"), ("deleted", "7"), ("name", "bytes"), ("name", "null"),
            ("owner", "missing"), ("update", "never had"), ("table", "unknown"), ("delete", "row"),
        ])
    func refusedValues(column: String, what: String) async throws {
        let fixture = try StoreFixture()
        let forger = Forger()
        try await forger.admit(at: fixture.store)
        let id = "cccccccccccccccccccc"
        var values = Forger.row(.person, id: id, fields: ["name": "Forged".databaseValue])
        var table = "person"
        var operation = Forger.Operation.insert
        switch (column, what) {
        case ("version", _): values[9] = "abc".databaseValue
        case ("deleted", _): values[10] = 7.databaseValue
        case ("name", "bytes"): values[1] = Data([0xFF, 0x00]).databaseValue
        case ("name", _): values[1] = .null
        case ("owner", _):
            table = "name"
            values = Forger.row(.name, id: id, fields: ["owner_id": "dddddddddddddddddddd".databaseValue, "name": "x".databaseValue])
        case ("update", _): operation = .update
        case ("table", _): table = "treaty_meta"
        default: operation = .delete
        }
        let forged = try forger.envelope(
            seq: 1, clock: HybridClock.stamp(milliseconds: StoreFixture.fixedClock()),
            changeset: try Forger.changeset(table: table, operation: operation, values: values))
        // The office's next, honest change set waits behind it; another office is not held up.
        let next = try forger.envelope(
            seq: 2, clock: HybridClock.stamp(milliseconds: StoreFixture.fixedClock()) + 1,
            changeset: try Self.person("eeeeeeeeeeeeeeeeeeee", name: "Kars"))
        let other = Forger()
        try await other.admit(at: fixture.store)
        let honest = try other.envelope(
            seq: 1, clock: HybridClock.stamp(milliseconds: StoreFixture.fixedClock()),
            changeset: try Self.person("ffffffffffffffffffff", name: "Baku"))
        let summary = try await fixture.store.receive([forged, next, honest])
        #expect(summary.applied == 1)
        let held = try await fixture.store.syncStatus().held
        #expect(held.count == 2)
        #expect(held.first { $0.seq == 1 && $0.origin == forger.id }?.reason.hasPrefix("refused: ") == true, "\(held)")
        #expect(try await fixture.store.list(.person).map { $0.text("name") } == ["Baku"])
        #expect(try await fixture.store.integrityCheck() == "ok")
        _ = try await fixture.store.create(.person, fields: ["name": "Cəlil Xəlilov"], user: "ana")
    }
}

extension TreatyStore {
    /// `PRAGMA integrity_check`'s first line.
    func integrityCheck() async throws -> String {
        try await pool.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "" }
    }
}

extension String {
    /// The string cut into pieces of `size` characters.
    func chunks(of size: Int) -> [String] {
        stride(from: 0, to: count, by: size).map {
            String(self[index(startIndex, offsetBy: $0)..<index(startIndex, offsetBy: min($0 + size, count))])
        }
    }
}
