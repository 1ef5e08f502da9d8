import Foundation
import GRDB
import Testing
import TreatyModel
import TreatySync

@testable import TreatyStore

/// Two or three stores passing change sets as bundles, as offices do.
@Suite("Sync between stores")
struct SyncStoreTests {
    /// Admits each store's office at every other one.
    static func pair(_ stores: [StoreFixture]) async throws {
        for store in stores {
            for other in stores where other !== store {
                _ = try await store.store.addOffice(
                    id: other.store.office.id, publicKey: other.store.office.publicKeyBase64, name: nil, user: "admin")
            }
        }
    }

    /// Everything `from` has that `to` lacks, through a bundle.
    @discardableResult
    static func send(_ from: StoreFixture, _ to: StoreFixture) async throws -> ReceiveSummary {
        let bundle = try await from.store.exportBundle(missingFrom: try await to.store.versionVector())
        return try await to.store.importBundle(bundle)
    }

    @Test("subscribers hear of each record a small merge brings, and of a large one as one summary with its counts")
    func mergeEvents() async throws {
        let a = try StoreFixture()
        let b = try StoreFixture()
        try await Self.pair([a, b])
        let events = b.store.changes.subscribe()
        var heard = events.makeAsyncIterator()
        for name in ["Cəlil Xəlilov", "Aydın Mirzəzadə"] {
            _ = try await a.store.create(.person, fields: ["name": .string(name)], user: "ana")
        }
        try await Self.send(a, b)
        var names: [String] = []
        while names.count < 2, let event = await heard.next() {
            // The offices table rows that pairing wrote arrive too.
            guard event.record?.kind == .person else { continue }
            #expect(event.operation == .created)
            names.append(event.record?.text("name") ?? "")
        }
        #expect(names == ["Cəlil Xəlilov", "Aydın Mirzəzadə"])

        // More records than MergedChanges keeps one by one: one summary, counted without holding them all.
        let count = MergedChanges.recordLimit + 200
        let lines = (0..<count).map { #"{"type":"person","name":"Person \#($0)"}"# }
        _ = try await a.store.importJSONLines(from: try a.file("many.jsonl", lines: lines), user: "ana")
        try await Self.send(a, b)
        let summary = try #require(await heard.next())
        #expect(summary.operation == .imported)
        #expect(summary.record == nil)
        #expect(summary.summary?.lines == count)
        #expect(summary.summary?.created == count)
        #expect(summary.summary?.updated == 0)
    }

    @Test("a change set from an office not in the offices table is held, shown in status, and applied once admitted")
    func unknownOfficeHeld() async throws {
        let a = try StoreFixture()
        let b = try StoreFixture()
        _ = try await a.store.create(.person, fields: ["name": "Cəlil Xəlilov"], user: "ana")
        let summary = try await Self.send(a, b)
        #expect(summary.applied == 0)
        #expect(summary.held.count == 2)
        let status = try await b.store.syncStatus()
        #expect(status.held.map(\.origin) == [a.store.office.id, a.store.office.id])
        #expect(status.held[0].reason.contains("not in the offices table"))
        #expect(try await b.store.search("Xəlilov").isEmpty)
        // The key comes from the held change sets: the id is its hash.
        _ = try await b.store.addOffice(id: a.store.office.id, publicKey: nil, name: "Ankara", user: "admin")
        #expect(try await b.store.syncStatus().held.isEmpty)
        #expect(try await b.store.search("Xəlilov").count == 1)
    }

    @Test("an office admitted by its id alone, with nothing of it here yet, is applied from its first change set on")
    func admitByIDAlone() async throws {
        let a = try StoreFixture()
        let b = try StoreFixture()
        let admission = try await b.store.addOffice(id: a.store.office.id, publicKey: nil, name: "Ankara", user: "admin")
        guard case .pending(let office, "Ankara") = admission, office == a.store.office.id else {
            Issue.record("expected a pending admission, got \(admission)")
            return
        }
        #expect(try await b.store.offices().first { $0.id == office }?.pending == true)
        _ = try await a.store.create(.person, fields: ["name": "Cəlil Xəlilov"], user: "ana")
        let summary = try await Self.send(a, b)
        #expect(summary.held.isEmpty)
        #expect(summary.applied == 2, "the office's own record and the person")
        #expect(try await b.store.search("Xəlilov").count == 1)
        let entry = try #require(try await b.store.offices().first { $0.id == office })
        #expect(!entry.pending)
        #expect(entry.name == "Ankara")
        #expect(entry.publicKey == a.store.office.publicKeyBase64)
        #expect(entry.addedBy == "admin")
        // The record B made travels back: both hold the same content once each has the other's change sets.
        _ = try await a.store.addOffice(id: b.store.office.id, publicKey: b.store.office.publicKeyBase64, name: nil, user: "ana")
        try await Self.send(b, a)
        try await Self.send(a, b)
        #expect(try await a.store.contentDigest() == (try await b.store.contentDigest()))
    }

    @Test("an import counts the conflicts `conflicts list` shows: none for two offices writing the same value")
    func conflictCounts() async throws {
        let a = try StoreFixture()
        let b = try StoreFixture()
        // Each admits the other with its key: the office record is created twice, with the same key.
        try await Self.pair([a, b])
        #expect(try await Self.send(a, b).conflicts == 0)
        #expect(try await Self.send(b, a).conflicts == 0)
        #expect(try await a.store.syncStatus().conflicts == 0)

        let person = try await a.store.create(.person, fields: ["name": "Cəlil Xəlilov"], user: "ana")
        try await Self.send(a, b)
        _ = try await a.store.update(person.id, version: 1, set: ["note": "Ankara's reading"], user: "ana")
        _ = try await b.store.update(person.id, version: 1, set: ["note": "Baku's reading"], user: "bob")
        let toB = try await Self.send(a, b)
        let toA = try await Self.send(b, a)
        // Each office keeps the value that lost: one conflict on each, counted by each import.
        #expect(toB.conflicts == 1)
        #expect(toA.conflicts == 1)
        #expect(try await a.store.syncStatus().conflicts == 1)
        #expect(try await b.store.syncStatus().conflicts == 1)
        // Settled by keeping the value of the office named (as offices are named everywhere else).
        let office = try await b.store.get(a.store.office.id)
        _ = try await b.store.update(
            a.store.office.id, version: office.provenance?.version ?? 1, set: ["name": "Ankara"], user: "bob")
        let kept = try await b.store.settleConflict(record: person.id, field: "note", choice: .office("ankara"), user: "bob")
        #expect(kept.text("note") == "Ankara's reading")
    }

    @Test("a change set made with a newer record schema is held with the reason, never applied")
    func newerSchemaHeld() async throws {
        let a = try StoreFixture()
        let b = try StoreFixture()
        try await Self.pair([a, b])
        try await Self.send(a, b)
        _ = try await a.store.create(.person, fields: ["name": "Şahin Cəfərli"], user: "ana")
        // A's next change set, re-signed by A as if A ran a newer schema.
        let latest = try await a.store.changeSets(missingFrom: try await b.store.versionVector())
        #expect(latest.count == 1)
        let original = latest[0]
        let newer = try ChangeSetEnvelope(
            signingKey: a.store.office.privateKey, publicKey: a.store.office.publicKeyBytes, seq: original.seq,
            clock: original.clock, schemaVersion: UInt32(Schema.version + 1), user: original.user,
            dependencies: original.dependencies, changeset: original.changeset)
        let summary = try await b.store.receive([newer])
        #expect(summary.applied == 0)
        #expect(summary.held.first?.reason.contains("upgrade Treaty") == true)
        #expect(try await b.store.search("Cəfərli").isEmpty)
    }

    @Test("a bundle with one flipped byte is refused and nothing in it is applied")
    func flippedByte() async throws {
        let a = try StoreFixture()
        let b = try StoreFixture()
        try await Self.pair([a, b])
        _ = try await a.store.create(.person, fields: ["name": "Cəlil Xəlilov"], user: "ana")
        var bundle = try await a.store.exportBundle(missingFrom: try await b.store.versionVector())
        bundle[bundle.count / 2] ^= 0x10
        let before = try await b.store.syncStatus()
        await #expect(throws: StoreError.self) { try await b.store.importBundle(bundle) }
        #expect(try await b.store.syncStatus() == before)
    }

    @Test("a delete and a concurrent reference to the deleted record both survive: the party points at a tombstone")
    func deleteAgainstReference() async throws {
        let a = try StoreFixture()
        let b = try StoreFixture()
        try await Self.pair([a, b])
        let agreement = try await a.store.create(.agreement, fields: ["kind": "memorandum"], user: "ana")
        let state = try await a.store.create(.actor, fields: ["kind": "state", "name": "Türkiyə"], user: "ana")
        try await Self.send(a, b)
        _ = try await a.store.delete(agreement.id, user: "ana")
        let party = try await b.store.create(
            .party, fields: ["agreement_id": .string(agreement.id), "actor_id": .string(state.id)], user: "baku")
        try await Self.send(a, b)
        try await Self.send(b, a)
        for store in [a.store, b.store] {
            #expect(try await store.get(agreement.id).provenance?.deleted == true)
            #expect(try await store.get(party.id).fields["agreement_id"] == .string(agreement.id))
            #expect(try await store.get(party.id).provenance?.deleted == false)
        }
        #expect(try await a.store.contentDigest() == b.store.contentDigest())
    }

    @Test("subscribers hear of records that arrive by sync")
    func subscriptionsFire() async throws {
        let a = try StoreFixture()
        let b = try StoreFixture()
        try await Self.pair([a, b])
        try await Self.send(a, b)
        let events = b.store.changes.subscribe()
        let person = try await a.store.create(.person, fields: ["name": "Elşən Verdiyev"], user: "ana")
        try await Self.send(a, b)
        var iterator = events.makeAsyncIterator()
        let event = await iterator.next()
        #expect(event?.record?.id == person.id)
        #expect(event?.operation == .created)
    }

    @Test("change sets are stored deflated, and travel as signed")
    func deflatedLog() async throws {
        let a = try StoreFixture()
        let b = try StoreFixture()
        try await Self.pair([a, b])
        let note = String(repeating: "the defence cooperation agreement was ratified by parliament; ", count: 200)
        _ = try await a.store.create(.person, fields: ["name": "Zakir Həsənov", "note": .string(note)], user: "ana")
        let (deflated, stored) = try a.store.readSync { db in
            let row = try Row.fetchOne(db, sql: "SELECT deflated, length(envelope) FROM sync_log ORDER BY rowid DESC LIMIT 1")!
            return (row[0] as Bool, row[1] as Int)
        }
        #expect(deflated)
        #expect(stored < note.utf8.count / 4, "\(stored) bytes stored")
        let summary = try await Self.send(a, b)
        #expect(summary.held.isEmpty)
        #expect(try await b.store.search("Həsənov").first?.passage.contains("[Həsənov]") == true)
        _ = try await Self.send(b, a)
        #expect(try await a.store.contentDigest() == (try await b.store.contentDigest()))
    }

    @Test("one small edit in a database of 100,000 records travels in a bundle under 1 KB")
    func smallBundle() async throws {
        let a = try StoreFixture(clock: StoreFixture.tickingClock())
        // 100,000 agreements written by SQL in one captured local transaction: the path any write takes, without
        // the import's per-line validation (which would make this test take a minute in a debug build).
        let office = a.store.office.id
        try await a.store.write(user: "bulk") { db in
            try db.execute(
                sql: """
                    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
                    INSERT INTO agreement (id, kind, title, created_at, created_office, created_user, updated_at,
                        updated_office, updated_user, version)
                    SELECT printf('bulk%016d', i), 'memorandum', 'Agreement ' || i, '2025-10-08T12:00:00.000Z', ?, 'bulk',
                        '2025-10-08T12:00:00.000Z', ?, 'bulk', 1 FROM n
                    """, arguments: [office, office])
            try db.execute(sql: "INSERT INTO record_index (id, kind) SELECT id, 'agreement' FROM agreement")
        }
        #expect(try await a.store.counts()[.agreement] == 100_000)
        // A peer holding everything so far is sent only the edit.
        let peer = try await a.store.versionVector()
        let one = try await a.store.list(.agreement, limit: 1, offset: 5_000)[0]
        _ = try await a.store.update(one.id, version: 1, set: ["place": "Bakı"], user: "ana")
        let bundle = try await a.store.exportBundle(missingFrom: peer)
        #expect(bundle.count < 1024, "\(bundle.count) bytes")
        let (_, envelopes) = try BundleFile.read(bundle)
        #expect(envelopes.count == 1)
        let rows = try Changeset.rows(envelopes[0].changeset)
        #expect(rows.count == 1)
        #expect(rows.first?.operation == .update)
        #expect(rows.first?.key == [one.id.databaseValue])
    }
}
