import GRDB
import Foundation
import Testing
import TreatyModel
@testable import TreatyStore

@Suite("Predictions and track records")
struct PredictionTests {
    @Test("The Brier score counts only true/false outcomes that carried a probability (worked by hand)")
    func brier() async throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let person = try await store.create(.person, fields: ["name": "Adalət Verdiyev"], user: "t")
        let statement = try await store.create(.statement, fields: ["speaker_id": .string(person.id), "text": "t"], user: "t")
        // (probability, outcome): squared errors 0.09, 0.04, 0.81; the last two are not scored.
        let cases: [(Double?, String)] = [(0.7, "true"), (0.2, "false"), (0.9, "false"), (nil, "true"), (0.5, "partly"), (0.4, "open")]
        for (probability, outcome) in cases {
            var fields: [String: JSONValue] = ["statement_id": .string(statement.id), "text": "claim"]
            if let probability { fields["probability"] = .double(probability) }
            let prediction = try await store.create(.prediction, fields: fields, user: "t")
            if outcome != "open" {
                _ = try await store.resolvePrediction(prediction.id, outcome: outcome, settledBy: nil, note: nil, user: "t")
            }
        }
        let record = try await store.trackRecord(of: person.id)
        #expect(record.made == 6)
        #expect(record.open == 1)
        #expect(record.resolved == ["true": 2, "false": 2, "partly": 1])
        #expect(record.scored == 3)
        let brier = try #require(record.brier)
        #expect(abs(brier - (0.09 + 0.04 + 0.81) / 3) < 1e-12)
    }

    @Test("A seed prediction gets a later agreement as candidate, is resolved by it, and counts in the record")
    func resolvedByLaterAgreement() async throws {
        let fixture = try await StoreFixture.seeded(clock: StoreFixture.tickingClock())
        let store = fixture.store
        let nabiyev = try await fixture.one(.person, "name", "Rizvan Nəbiyev")
        let open = try await store.predictions(open: true, person: nabiyev.id)
        #expect(open.count == 1)
        #expect(open[0].candidates.isEmpty, "the memorandum (Azerbaijan-Turkey) does not meet an Azerbaijan-Uzbekistan condition")
        // From public record: the Treaty on Allied Relations between Azerbaijan and Uzbekistan, signed in 2024.
        let azerbaijan = try await fixture.one(.actor, "iso3", "AZE")
        let uzbekistan = try await fixture.one(.actor, "iso3", "UZB")
        let later = try await store.create(
            .agreement,
            fields: [
                "kind": "treaty", "title": "Treaty on Allied Relations between the Republic of Azerbaijan and the Republic of Uzbekistan",
            ], user: "t")
        for state in [azerbaijan, uzbekistan] {
            _ = try await store.create(.party, fields: ["agreement_id": .string(later.id), "actor_id": .string(state.id)], user: "t")
        }
        _ = try await store.create(
            .lifecycleEvent, fields: ["agreement_id": .string(later.id), "kind": "signed", "date": "2024"], user: "t")
        // Without the provision the condition names, it is not a candidate yet.
        #expect(try await store.predictions(open: true, person: nabiyev.id)[0].candidates.isEmpty)
        _ = try await store.create(
            .provision, fields: ["agreement_id": .string(later.id), "provision_type": "defense"], user: "t")
        let withCandidate = try await store.predictions(open: true, person: nabiyev.id)
        #expect(withCandidate[0].candidates.map(\.id) == [later.id])
        // Nothing resolves on its own; an analyst settles it.
        #expect(withCandidate[0].prediction.text("outcome") == "open")
        let resolved = try await store.resolvePrediction(
            withCandidate[0].prediction.id, outcome: "true", settledBy: String(later.id.prefix(8)),
            note: "allied relations include mutual assistance", user: "analyst")
        #expect(resolved.text("settled_by_id") == later.id)
        #expect(try await store.predictions(open: true, person: nabiyev.id).isEmpty)
        let record = try await store.trackRecord(of: nabiyev.id)
        #expect(record.made == 1 && record.resolved == ["true": 1] && record.brier == nil)
        await #expect(throws: StoreError.self) {
            try await store.resolvePrediction(resolved.id, outcome: "maybe", settledBy: nil, note: nil, user: "t")
        }
    }

    @Test("Due predictions: only those with a deadline by the day")
    func due() async throws {
        let fixture = try await StoreFixture.seeded()
        let store = fixture.store
        let statement = try await store.list(.statement, limit: 1)[0]
        _ = try await store.create(
            .prediction, fields: ["statement_id": .string(statement.id), "text": "by mid 2026", "by": "2026-06"], user: "t")
        #expect(try await store.predictions(dueBy: Day("2026-07-01")).map { $0.prediction.text("text") } == ["by mid 2026"])
        #expect(try await store.predictions(dueBy: Day("2026-05-31")).isEmpty)
    }
}

@Suite("Change history")
struct ChangeHistoryTests {
    @Test("Each change is logged with who, when, which office, and the fields before and after")
    func logged() async throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let person = try await store.create(.person, fields: ["name": "Cəlil Xəlilov"], user: "alice")
        _ = try await store.update(person.id, version: 1, set: ["note": "military expert"], user: "bob")
        _ = try await store.delete(person.id, user: "carol")
        let changes = try await store.changes(record: person.id)
        #expect(changes.map(\.operation) == ["created", "updated", "deleted"])
        #expect(changes.map(\.user) == ["alice", "bob", "carol"])
        #expect(changes.allSatisfy { $0.office == store.office.id })
        #expect(changes[1].before == ["note": .null] && changes[1].after == ["note": "military expert"])
        #expect(try await store.changes(user: "bob").count == 1)
        #expect(try await store.changes(since: "2099-01-01").isEmpty)
        await #expect(throws: StoreError.self) { try await store.changes(since: "last week") }
    }

    @Test("A creation shows the fields it was made with after later edits, a merged edit and a delete, and keeps no copy of them")
    func creationUndone() async throws {
        let a = try StoreFixture()
        let b = try StoreFixture()
        try await SyncStoreTests.pair([a, b])
        let person = try await a.store.create(.person, fields: ["name": "Cəlil Xəlilov"], user: "alice")
        _ = try await a.store.update(person.id, version: 1, set: ["note": "military expert"], user: "bob")
        _ = try await SyncStoreTests.send(a, b)
        _ = try await b.store.update(person.id, version: 2, set: ["name": "Jalil Khalilov", "note": .null], user: "baku")
        _ = try await SyncStoreTests.send(b, a)
        _ = try await a.store.delete(person.id, user: "carol")
        for store in [a.store, b.store] {
            let created = try await store.changes(record: person.id)[0]
            #expect(created.operation == "created")
            #expect(created.before == [:])
            #expect(created.after == ["name": "Cəlil Xəlilov"])
            let stored = try store.readSync { db in
                try Row.fetchOne(db, sql: "SELECT before, after FROM change_log WHERE record = (SELECT seq FROM record_index WHERE id = ?) ORDER BY seq LIMIT 1", arguments: [person.id])
            }
            #expect(stored?["after"] == nil as String? && stored?["before"] == nil as String?)
        }
        #expect(try await a.store.changes(record: person.id).map(\.operation) == ["created", "updated", "updated", "deleted"])
    }

    @Test(
        "History is in clock-stamp order on every office, with a merged edit that lost and the settlement of the conflict"
    )
    func historyInStampOrder() async throws {
        // A's clock is a minute behind B's: A's edit is older by stamp, and loses.
        let a = try StoreFixture(clock: { StoreFixture.fixedClock() - 60_000 })
        let b = try StoreFixture(clock: StoreFixture.fixedClock)
        try await SyncStoreTests.pair([a, b])
        let person = try await a.store.create(.person, fields: ["name": "Cəlil Xəlilov"], user: "alice")
        _ = try await SyncStoreTests.send(a, b)
        // Concurrent edits of the note: B's stamp is later, so B's wins everywhere.
        _ = try await b.store.update(person.id, version: 1, set: ["note": "spokesman"], user: "baku")
        _ = try await a.store.update(person.id, version: 1, set: ["note": "military expert"], user: "ankara")
        _ = try await SyncStoreTests.send(b, a)
        _ = try await SyncStoreTests.send(a, b)
        func history(_ store: TreatyStore) async throws -> [String] {
            try await store.changes(record: person.id).map { entry in
                "\(entry.operation) by \(entry.user): \(entry.before["note"]?.stringValue.map { "\"\($0)\"" } ?? "-") -> "
                    + "\(entry.after["note"]?.stringValue.map { "\"\($0)\"" } ?? "-")"
            }
        }
        // At B, A's losing edit arrived after B's own; at A, B's winning edit arrived after A's own: both list A's
        // edit first (its stamp is older).
        let expected = [
            "created by alice: - -> -", "lost by ankara: \"spokesman\" -> \"military expert\"",
            "updated by baku: - -> \"spokesman\"",
        ]
        #expect(try await history(b.store) == expected)
        let atA = try await history(a.store)
        let won = "updated by baku: \"military expert\" -> \"spokesman\""
        #expect(atA == [expected[0], "updated by ankara: - -> \"military expert\"", won], "\(atA)")
        // B settles for A's value; A hears of it.
        _ = try await b.store.settleConflict(record: person.id, field: "note", choice: .office(a.store.office.id), user: "baku")
        _ = try await SyncStoreTests.send(b, a)
        for store in [a.store, b.store] {
            let last = try await history(store).suffix(2)
            #expect(
                Array(last) == [
                    "updated by baku: \"spokesman\" -> \"military expert\"",
                    "settled by baku: \"military expert\" -> \"military expert\"",
                ], "\(last)")
            #expect(try await store.get(person.id).text("note") == "military expert")
        }
    }

    @Test("A failed import leaves no history behind")
    func failedImportLogsNothing() async throws {
        let fixture = try StoreFixture()
        let before = try await fixture.store.changes().count
        let path = try fixture.file("bad.jsonl", lines: [#"{"type":"person","name":"a"}"#, #"{"type":"person"}"#])
        await #expect(throws: StoreError.self) { try await fixture.store.importJSONLines(from: path, user: "t") }
        #expect(try await fixture.store.changes().count == before)
    }
}
