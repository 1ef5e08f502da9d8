import Foundation
import GRDB
import Testing
import TreatyModel
import TreatySync

@testable import TreatyStore

/// A bulk write travels as change sets of a bounded size, committed together, each standing on those before it.
@Suite("Bounded change sets")
struct BoundedChangeSetTests {
    static let small = StoreOptions(durable: false, maxChangeSetRecords: 500)

    static func people(_ count: Int, from: Int = 0) -> [String] {
        (from..<from + count).map { #"{"type":"person","id":"\#(Self.id($0))","name":"Person \#($0)"}"# }
    }

    /// A well-formed record id for `n`.
    static func id(_ n: Int) -> String { "p" + String(format: "%019d", n) }

    @Test("a large import is several change sets under the bound, committed together")
    func largeImportSplits() async throws {
        let fixture = try StoreFixture(options: Self.small)
        let before = try await fixture.store.syncStatus().logChangeSets
        let summary = try await fixture.store.importJSONLines(
            from: try fixture.file("many.jsonl", lines: Self.people(5_000)), user: "ana")
        #expect(summary.created == 5_000)
        let sets = try await fixture.store.changeSets(missingFrom: VersionVector()).filter { $0.seq > UInt64(before) }
        #expect(sets.count == 10)
        #expect(sets.map(\.seq) == Array(UInt64(before + 1)...UInt64(before + 10)))
        let rows = try sets.map { try Changeset.rows($0.changeset).count }
        #expect(rows.allSatisfy { $0 == 500 }, "\(rows)")
        // Each depends on the one before; their stamps grow.
        #expect(zip(sets, sets.dropFirst()).allSatisfy { $1.dependencies[$1.origin] == $0.seq && $1.clock > $0.clock })
    }

    @Test("a bad last line leaves none of the change sets, and nothing of the import")
    func allOrNone() async throws {
        let fixture = try StoreFixture(options: Self.small)
        let before = try await fixture.store.syncStatus()
        let lines = Self.people(2_000) + [#"{"type":"person","note":"no name"}"#]
        await #expect(throws: StoreError.self) {
            try await fixture.store.importJSONLines(from: try fixture.file("bad.jsonl", lines: lines), user: "ana")
        }
        let after = try await fixture.store.syncStatus()
        #expect(after.logChangeSets == before.logChangeSets)
        #expect(after.vector == before.vector)
        #expect(try await fixture.store.list(.person).isEmpty)
    }

    @Test("references that point forward keep a change set open until their target is in; applied one by one, each stands")
    func forwardReferences() async throws {
        let a = try StoreFixture(options: Self.small)
        let b = try StoreFixture(options: Self.small)
        try await SyncStoreTests.pair([a, b])
        // Names of person 0 early on, the person itself only near the end; and a backward reference at the end.
        var lines = Self.people(1_500, from: 1)
        lines.insert(#"{"type":"name","owner_id":"\#(Self.id(0))","name":"Early name","language":"en"}"#, at: 10)
        lines.append(contentsOf: Self.people(1))
        lines += Self.people(1_000, from: 2_000)
        lines.append(#"{"type":"name","owner_id":"\#(Self.id(5))","name":"Late name","language":"en"}"#)
        _ = try await a.store.importJSONLines(from: try a.file("forward.jsonl", lines: lines), user: "ana")
        let sets = try await a.store.changeSets(missingFrom: try await b.store.versionVector())
        #expect(sets.count >= 4)
        // The change set holding the early name also holds person 0.
        let names = try sets.map { set in try Changeset.rows(set.changeset).compactMap { $0.key.first?.storage.value as? String } }
        let early = try #require(names.firstIndex { $0.contains(Self.id(0)) })
        #expect(names[early].count > 1_000)
        for set in sets {
            let summary = try await b.store.receive([set])
            #expect(summary.applied == 1, "\(summary.held)")
            #expect(try await b.store.integrityCheck() == "ok")
        }
        try await SyncStoreTests.send(b, a)  // the pairing B made
        let (digestA, digestB) = (try await a.store.contentDigest(), try await b.store.contentDigest())
        #expect(digestA == digestB)
    }
}
