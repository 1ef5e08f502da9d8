import Foundation
import Testing
import TreatyModel
@testable import TreatyStore

@Suite("Import and export")
struct InterchangeTests {
    @Test("The seed imports whole, and export gives back the same records")
    func seedRoundTrip() async throws {
        let fixture = try StoreFixture()
        let summary = try await fixture.store.importJSONLines(from: StoreFixture.seedPath, user: "seed")
        let seedLines = try String(contentsOfFile: StoreFixture.seedPath, encoding: .utf8)
            .split(separator: "\n")
        #expect(summary.created == seedLines.count)
        var first: [String] = []
        try fixture.store.exportJSONLines { first.append($0) }
        // Every seed record is there with the same fields.
        let exported = try Dictionary(uniqueKeysWithValues: first.map { line in
            let record = try Record(json: try JSONCodec.decode(line))
            return (record.id, record)
        })
        for line in seedLines {
            let seed = try Record(json: try JSONCodec.decode(String(line)))
            #expect(exported[seed.id]?.fields == seed.fields, "\(seed.id)")
        }
        // Into a second store and out again: the same lines, provenance included (bar the new office's own row).
        // The export holds the first office's own record: admitting it is said on purpose.
        let second = try StoreFixture()
        let again = try await second.store.importJSONLines(
            from: try fixture.file("export.jsonl", lines: first), user: "someone-else", admitting: [fixture.store.office.id])
        #expect(again.created == first.count)
        #expect(again.admitted == [fixture.store.office.id])
        var roundTripped: [String] = []
        try second.store.exportJSONLines { roundTripped.append($0) }
        let secondOffice = second.store.office.id
        #expect(roundTripped.filter { !$0.contains(secondOffice) }.sorted() == first.sorted())
    }

    @Test("An import admits only the offices it is told to; any other office record refuses the file")
    func officesAdmittedOnPurpose() async throws {
        let stranger = Forger()
        let line = #"{"type":"office","id":"\#(stranger.id)","public_key":"\#(stranger.publicKeyBase64)","name":"Stranger"}"#
        let fixture = try StoreFixture()
        let path = try fixture.file("office.jsonl", lines: [#"{"type":"person","name":"Kars"}"#, line])
        await #expect(throws: StoreError.self) { try await fixture.store.importJSONLines(from: path, user: "ana") }
        #expect(try await fixture.store.offices().count == 1)
        #expect(try await fixture.store.list(.person).isEmpty)
        // Its change sets held here apply once it is admitted on purpose.
        let held = try stranger.envelope(
            seq: 1, clock: 1 << 16, changeset: try HostileChangeSetTests.person("aaaaaaaaaaaaaaaaaaaa", name: "Gabala"))
        #expect(try await fixture.store.receive([held]).applied == 0)
        let summary = try await fixture.store.importJSONLines(from: path, user: "ana", admitting: [stranger.id])
        #expect(summary.admitted == [stranger.id])
        #expect(try await fixture.store.offices().map(\.id).contains(stranger.id))
        #expect(try await fixture.store.syncStatus().held.isEmpty)
        // An office admitted already is no admission: the same file imports without the flag.
        let again = try await fixture.store.importJSONLines(from: path, user: "ana")
        #expect(again.admitted.isEmpty)
    }

    @Test("An edited export imported again: at the stored version an edit, at an older one counted as stale")
    func editsReimported() async throws {
        let fixture = try await StoreFixture.seeded()
        var lines: [String] = []
        try fixture.store.exportJSONLines(includeDeleted: false) { lines.append($0) }
        let index = try #require(lines.firstIndex { $0.contains(#""type":"agreement""#) })
        var record = try Record(json: try JSONCodec.decode(lines[index]))
        record.fields["summary"] = "An analyst's new summary."
        lines[index] = JSONCodec.string(record.json)
        let path = try fixture.file("edited.jsonl", lines: lines)
        let dry = try await fixture.store.importJSONLines(from: path, user: "ana", dryRun: true)
        #expect(dry.updated == 1)
        let summary = try await fixture.store.importJSONLines(from: path, user: "ana")
        #expect(summary.updated == 1)
        #expect(summary.unchanged == lines.count - 1)
        let edited = try await fixture.store.get(record.id)
        #expect(edited.text("summary") == "An analyst's new summary.")
        #expect(edited.provenance?.version == (record.provenance?.version ?? 0) + 1)
        // The same file once more: its line is now an older version with other content than the edit stored.
        record.fields["summary"] = "A second edit on the old copy."
        lines[index] = JSONCodec.string(record.json)
        let stale = try await fixture.store.importJSONLines(
            from: try fixture.file("stale.jsonl", lines: lines), user: "ana")
        #expect(stale.stale == 1)
        #expect(stale.staleLines == [index + 1])
        #expect(stale.updated == 0)
        #expect(try await fixture.store.get(record.id).text("summary") == "An analyst's new summary.")
    }

    @Test("Importing the same file twice changes nothing the second time")
    func idempotent() async throws {
        let fixture = try await StoreFixture.seeded()
        let again = try await fixture.store.importJSONLines(from: StoreFixture.seedPath, user: "seed")
        #expect(again.created == 0 && again.updated == 0)
        #expect(again.unchanged == again.lines)
    }

    @Test("Ten thousand records made in one import get distinct short ids of at most ten characters")
    func shortIDs() async throws {
        let fixture = try StoreFixture()
        let lines = (0..<10_000).map { "{\"type\":\"person\",\"name\":\"Person \($0)\"}" }
        let summary = try await fixture.store.importJSONLines(from: try fixture.file("p.jsonl", lines: lines), user: "t")
        #expect(summary.created == 10_000)
        let people = try await fixture.store.list(.person, limit: 20_000)
        let shorts = try await fixture.store.shortIDs(people.map(\.id))
        #expect(Set(shorts.values).count == 10_000)
        #expect(shorts.values.allSatisfy { $0.count <= 10 && $0.count >= RecordID.shortMinimum })
        // Each short id resolves back to its record, as users type it.
        for person in people.prefix(500) {
            let resolved = try await fixture.store.resolve(shorts[person.id]!)
            #expect(resolved.id == person.id)
        }
        // A prefix shared by two records is refused as ambiguous.
        let sorted = people.map(\.id).sorted()
        let shared = zip(sorted, sorted.dropFirst()).map { a, b in String(a.prefix(zip(a, b).prefix { $0 == $1 }.count)) }
            .max { $0.count < $1.count }!
        await #expect(throws: StoreError.self) { try await fixture.store.resolve(shared) }
    }

    @Test("Records may refer to records later in the same file")
    func forwardReferences() async throws {
        let fixture = try StoreFixture()
        let path = try fixture.file(
            "fwd.jsonl",
            lines: [
                #"{"type":"name","owner_id":"p1","name":"Jalil Khalilov","kind":"english"}"#,
                #"{"type":"provision","agreement_id":"a1","provision_type":"cyber"}"#,
                #"{"type":"person","id":"p1","name":"Cəlil Xəlilov"}"#,
                #"{"type":"provision_type","id":"cyber","label":"Cyber defence"}"#,
                #"{"type":"agreement","id":"a1","kind":"memorandum"}"#,
            ])
        let summary = try await fixture.store.importJSONLines(from: path, user: "t")
        #expect(summary.created == 5)
        #expect(try await fixture.store.search("Jalil").map(\.id) == ["p1"])
    }
}
