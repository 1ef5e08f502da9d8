import Foundation
import Testing
import TreatyModel
import TreatySync

@testable import TreatyStore

/// Offices upgrade at different times. An office of record schema 1 here is this code run at schema 1
/// (``StoreOptions/recordSchema``): its tables made by the migrations of schema 1, its change sets captured from
/// them, as a Treaty of that version made them.
@Suite("Sync across record schema versions")
struct SchemaVersionTests {
    /// Two offices that admitted each other: `old` at record schema 1, `new` at this build's.
    static func offices() async throws -> (old: StoreFixture, new: StoreFixture) {
        var options = StoreOptions(durable: false)
        options.recordSchema = 1
        let old = try StoreFixture(clock: StoreFixture.tickingClock(), options: options)
        let new = try StoreFixture(clock: StoreFixture.tickingClock(), options: StoreOptions(durable: false))
        for (here, there) in [(old, new), (new, old)] {
            _ = try await here.store.addOffice(
                id: there.store.office.id, publicKey: there.store.office.publicKeyBase64, name: nil, user: "admin")
        }
        return (old, new)
    }

    /// What `source` holds that `target` lacks, as a peer sends it.
    static func deliver(_ source: StoreFixture, to target: StoreFixture) async throws -> ReceiveSummary {
        try await target.store.receive(
            try await source.store.changeSets(missingFrom: try await target.store.versionVector()))
    }

    /// What `source` holds that `target` lacks, as a bundle file carries it.
    static func carry(_ source: StoreFixture, to target: StoreFixture) async throws -> ReceiveSummary {
        let path = source.directory + "/out.bundle"
        _ = try await source.store.exportBundle(missingFrom: try await target.store.versionVector(), to: path)
        return try await target.store.importBundle(from: .file(path))
    }

    @Test(
        "v1 and v2 offices edit concurrently: v1's change sets apply at v2, v2's are held at v1 until it is upgraded in place; then both agree"
    )
    func olderAndNewerOffice() async throws {
        let (old, new) = try await Self.offices()
        #expect(old.store.recordSchema == 1 && new.store.recordSchema == Schema.version)

        // The old office records an agreement and its signing (no place: schema 1 has none).
        let agreement = try await old.store.create(.agreement, fields: ["kind": "memorandum", "title": "Shusha"], user: "ana")
        let signing = try await old.store.create(
            .lifecycleEvent, fields: ["agreement_id": .string(agreement.id), "kind": "signed", "date": "2021-06-15"],
            user: "ana")
        await #expect(throws: StoreError.self) {
            try await old.store.update(signing.id, version: 1, set: ["place": "Shusha"], user: "ana")
        }
        // Schema 1's change sets apply at schema 2, by a bundle: the field schema 1 lacks is left empty.
        // (Each office's first two change sets are its own office record and its admission of the other.)
        let first = try await Self.carry(old, to: new)
        #expect(first.applied == 4 && first.held.isEmpty)
        #expect(try await new.store.get(signing.id).fields["place"] == nil)

        // Concurrent edits: the new office writes the new field and a note, the old office the same note.
        _ = try await new.store.update(signing.id, version: 1, set: ["place": "Shusha", "note": "in Shusha"], user: "ben")
        _ = try await new.store.create(
            .lifecycleEvent,
            fields: ["agreement_id": .string(agreement.id), "kind": "ratified", "date": "2021-07", "place": "Baku"],
            user: "ben")
        _ = try await old.store.update(signing.id, version: 1, set: ["note": "at the summit"], user: "ana")

        // Schema 2's change sets are held at the old office, by a peer and by a bundle, named in its status.
        let byPeer = try await Self.deliver(new, to: old)
        #expect(byPeer.applied == 0)
        let held = try await old.store.syncStatus().held
        #expect(held.count == 4)
        #expect(held.allSatisfy { $0.origin == new.store.office.id && $0.reason.contains("upgrade Treaty") })
        let byBundle = try await Self.carry(new, to: old)
        #expect(byBundle.applied == 0 && byBundle.alreadyHad == 4)
        #expect(try await old.store.get(signing.id).text("note") == "at the summit")

        // The old office's concurrent edit applies at the new one.
        #expect(try await Self.deliver(old, to: new).applied == 1)

        // The old office is upgraded in place: its database migrated by this build, its held change sets applied.
        let path = old.store.path
        try old.store.close()
        let upgraded = try TreatyStore.open(path: path, clock: StoreFixture.tickingClock(), options: StoreOptions(durable: false))
        defer { try? upgraded.close() }
        #expect(upgraded.recordSchema == Schema.version)
        #expect(try await upgraded.applyHeld() == 4)
        #expect(try await upgraded.syncStatus().held.isEmpty)
        #expect(try await upgraded.get(signing.id).text("place") == "Shusha")

        let (a, b) = (try await upgraded.syncStatus(), try await new.store.syncStatus())
        #expect(a.vector == b.vector)
        #expect(a.digest == b.digest)
        let conflicts = try await upgraded.conflicts().map(SyncLab.describe)
        #expect(conflicts == (try await new.store.conflicts().map(SyncLab.describe)))
        #expect(conflicts.count == 1, "the two notes written concurrently: \(conflicts)")
        // And the upgraded office now writes the new field, which the other applies.
        let ratified = try await upgraded.list(.lifecycleEvent, filter: ["kind": "ratified"])
        #expect(ratified.first?.text("place") == "Baku")
    }

    @Test("A change set stamped with a schema no Treaty has is held with the reason, never applied")
    func unknownSchema() async throws {
        let fixture = try StoreFixture()
        let forger = Forger()
        try await forger.admit(at: fixture.store)
        let values = Forger.row(.person, id: "aaaaaaaaaaaaaaaaaaaa", fields: ["name": "Forged".databaseValue])
        let changeset = try Forger.changeset(table: "person", operation: .insert, values: values)
        let summary = try await fixture.store.receive([
            try forger.envelope(
                seq: 1, clock: HybridClock.stamp(milliseconds: StoreFixture.fixedClock()), schema: 0, changeset: changeset)
        ])
        #expect(summary.applied == 0)
        #expect(summary.held.first?.reason == "refused: made with record schema 0, which no Treaty has")
    }

    @Test("A schema 1 change set with a schema 2 row (its columns match no version it could be made with) is held")
    func columnsOfAnotherVersion() async throws {
        let fixture = try StoreFixture()
        let forger = Forger()
        try await forger.admit(at: fixture.store)
        let agreement = try await fixture.store.create(.agreement, fields: ["kind": "treaty"], user: "ana")
        let values = Forger.row(
            .lifecycleEvent, id: "bbbbbbbbbbbbbbbbbbbb",
            fields: ["agreement_id": agreement.id.databaseValue, "kind": "signed".databaseValue, "place": "Baku".databaseValue])
        let changeset = try Forger.changeset(table: "lifecycle_event", operation: .insert, values: values)
        let summary = try await fixture.store.receive([
            try forger.envelope(
                seq: 1, clock: HybridClock.stamp(milliseconds: StoreFixture.fixedClock()), schema: 1, changeset: changeset)
        ])
        #expect(summary.applied == 0)
        #expect(summary.held.first?.reason.contains("18 columns where record schema 1 has 17") == true)
        #expect(try await fixture.store.list(.lifecycleEvent).isEmpty)
    }
}
