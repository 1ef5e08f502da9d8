import Foundation
import GRDB
import Testing
import TreatyModel
@testable import TreatyStore

@Suite("Bad input changes nothing")
struct BadInputTests {
    static let good = #"{"type":"person","id":"goodperson","name":"Adalət Verdiyev"}"#

    /// (the bad line, what the error must be named, the words its message must contain)
    static let badLines: [(String, String, String)] = [
        (#"{"type":"person","note":"no name"}"#, "invalid_record", "person needs \"name\""),
        (#"{"type":"provision","agreement_id":"goodagreement","provision_type":"cyber"}"#,
         "unknown_provision_type", "unknown provision type \"cyber\""),
        (#"{"type":"party","agreement_id":"goodagreement","actor_id":"nobody"}"#,
         "dangling_reference", "party.actor_id refers to \"nobody\""),
        (#"{"type":"lifecycle_event","agreement_id":"goodagreement","kind":"signed","date":"2021-13"}"#,
         "invalid_record", "\"2021-13\" is not a real date"),
        (#"{"type":"person","name":"x","colour":"red"}"#, "invalid_record", "person has no field \"colour\""),
        (#"{"type":"person","name":17}"#, "invalid_record", "person.name must be a string, not integer"),
        (#"{"type":"spaceship","name":"x"}"#, "invalid_record", "unknown record type \"spaceship\""),
        (#"{"type":"person","name":"x""#, "invalid_json", "line 3"),
        (#"{"type":"party","agreement_id":"goodperson","actor_id":"goodperson"}"#,
         "wrong_reference_kind", "must refer to an agreement"),
        (Self.good, "duplicate_id", "goodperson"),
    ]

    @Test("A bad line in the middle of an import: a typed error naming the line, and nothing written", arguments: badLines)
    func badLineInImport(bad: String, name: String, words: String) async throws {
        let fixture = try StoreFixture()
        let before = try await fixture.store.counts()
        let path = try fixture.file(
            "bad.jsonl",
            lines: [Self.good, #"{"type":"agreement","id":"goodagreement","kind":"memorandum"}"#, bad,
                    #"{"type":"person","name":"After"}"#])
        do {
            _ = try await fixture.store.importJSONLines(from: path, user: "t")
            Issue.record("the import should have failed")
        } catch {
            #expect(error.name.rawValue == name)
            #expect(error.line == 3)
            #expect(error.description.contains(words), "\(error.description)")
        }
        #expect(try await fixture.store.counts() == before)
        #expect(try await fixture.store.search("Verdiyev").isEmpty)
    }

    @Test("An import with many bad lines names each (up to 20) and how many in all, and writes nothing")
    func everyBadLine() async throws {
        let fixture = try StoreFixture()
        let before = try await fixture.store.counts()
        // Seven kinds of bad line found as they are read (a reference to a record not yet seen is checked at the
        // end of the file), each three times, between good ones: 21 bad lines.
        let bad = [0, 3, 4, 5, 6, 7, 8].map { Self.badLines[$0].0 }
        var lines = [Self.good, #"{"type":"agreement","id":"goodagreement","kind":"memorandum"}"#]
        for round in 0..<3 {
            for line in bad { lines += [line, #"{"type":"person","name":"Good \#(round)"}"#] }
        }
        let path = try fixture.file("many.jsonl", lines: lines)
        do {
            _ = try await fixture.store.importJSONLines(from: path, user: "t")
            Issue.record("the import should have failed")
        } catch {
            guard case .badLines(let errors, let total) = error else {
                Issue.record("expected every bad line, got \(error)")
                return
            }
            #expect(total == 21)
            #expect(errors.count == 20)
            let expected: [Int?] = (0..<20).map { 3 + 2 * $0 }
            #expect(errors.map(\.line) == expected)
            #expect(error.description.contains("(1 more bad lines not listed)"))
        }
        #expect(try await fixture.store.counts() == before)
    }

    @Test("A UTF-8 file that starts with a byte-order mark imports")
    func byteOrderMark() async throws {
        let fixture = try StoreFixture()
        let path = fixture.directory + "/bom.jsonl"
        try Data([0xEF, 0xBB, 0xBF] + Array((Self.good + "\n").utf8)).write(to: URL(fileURLWithPath: path))
        let summary = try await fixture.store.importJSONLines(from: path, user: "t")
        #expect(summary.created == 1)
        #expect(try await fixture.store.get("goodperson").text("name") == "Adalət Verdiyev")
    }

    @Test("A file that carries a record already here twice is refused at its second line, and nothing changes")
    func existingRecordTwice() async throws {
        let fixture = try StoreFixture()
        _ = try await fixture.store.importJSONLines(from: try fixture.file("one.jsonl", lines: [Self.good]), user: "t")
        let edit = #"{"type":"person","id":"goodperson","name":"Elşən Verdiyev","note":"edited"}"#
        let path = try fixture.file("twice.jsonl", lines: [edit, #"{"type":"person","name":"Other"}"#, edit])
        await #expect(throws: StoreError.duplicateID("goodperson", line: 3)) {
            try await fixture.store.importJSONLines(from: path, user: "t")
        }
        #expect(try await fixture.store.get("goodperson").text("note") == nil)
    }

    @Test("Creating through the API refuses the same mistakes", arguments: [
        (RecordKind.person, ["note": JSONValue.string("x")] as [String: JSONValue], "invalid_record"),
        (.lifecycleEvent, ["agreement_id": "nothere", "kind": "signed"], "dangling_reference"),
        (.provision, ["agreement_id": "nothere", "provision_type": "Not A Slug"], "invalid_record"),
        (.prediction, ["statement_id": "x", "text": "t", "probability": 1.5], "invalid_record"),
        (.lifecycleEvent, ["agreement_id": "x", "kind": "exploded"], "invalid_record"),
    ])
    func badCreate(kind: RecordKind, fields: [String: JSONValue], name: String) async throws {
        let fixture = try StoreFixture()
        let before = try await fixture.store.counts()
        do {
            _ = try await fixture.store.create(kind, fields: fields, user: "t")
            Issue.record("should have failed")
        } catch {
            #expect(error.name.rawValue == name, "\(error)")
        }
        #expect(try await fixture.store.counts() == before)
    }

    @Test("A database from a newer Treaty is refused and left byte for byte as it was")
    func newerSchema() async throws {
        let fixture = try StoreFixture()
        let path = fixture.store.path
        try fixture.store.close()
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in try db.execute(sql: "PRAGMA user_version = 99") }
        try queue.close()
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(throws: StoreError.newerSchema(path: path, found: 99, supported: Schema.version)) {
            _ = try TreatyStore.open(path: path)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test("A database whose office key went missing is refused with the path to restore")
    func missingKey() async throws {
        let fixture = try StoreFixture()
        try fixture.store.close()
        try FileManager.default.removeItem(atPath: TreatyStore.keyPath(forDatabase: fixture.store.path))
        do {
            _ = try TreatyStore.open(path: fixture.store.path)
            Issue.record("should have failed")
        } catch {
            #expect(error.name == .officeKey)
            #expect(error.description.contains(".key"))
        }
    }
}
