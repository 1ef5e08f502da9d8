import Foundation
import GRDB
import Testing
import TreatyModel
@testable import TreatyStore

@Suite("Migrations")
struct MigrationTests {
    @Test("A version-1 database (before search existed) upgrades and its records become searchable")
    func fromV1() async throws {
        let directory = NSTemporaryDirectory() + "treaty-migration-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/treaty.sqlite"
        // Lay down the old schema by hand, as an older treatyd left it, with one record in it.
        let old = try DatabaseQueue(path: path)
        try Migrations.migrator(upTo: "v1-records").migrate(old)
        try await old.write { db in
            try db.execute(
                sql: """
                    INSERT INTO person (id, name, created_at, created_office, created_user, updated_at,
                        updated_office, updated_user, version, deleted)
                    VALUES ('oldperson', 'Hikmət Babaoğlu', '2024-01-01T00:00:00.000Z', 'o', 'u',
                        '2024-01-01T00:00:00.000Z', 'o', 'u', 1, 0)
                    """)
            #expect(try db.tableExists("search_fts") == false)
        }
        try old.close()
        _ = try OfficeIdentity.create(at: TreatyStore.keyPath(forDatabase: path))

        let store = try TreatyStore.open(path: path)
        defer { try? store.close() }
        #expect(try await store.search("Babaoglu").map(\.id) == ["oldperson"])
        #expect(try await store.resolve("oldp").id == "oldperson")
        let applied = try store.readSync { db in try Migrations.migrator().appliedMigrations(db) }
        #expect(applied == Migrations.names)
    }

    @Test("A version-4 database's held change sets stay held, with their reasons, after the upgrade")
    func fromV4() async throws {
        let directory = NSTemporaryDirectory() + "treaty-migration-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/treaty.sqlite"
        let office = String(repeating: "ab", count: 32)
        let old = try DatabaseQueue(path: path)
        try Migrations.migrator(upTo: "v4-sync").migrate(old)
        try await old.write { db in
            try db.execute(sql: "INSERT INTO sync_origin (n, office) VALUES (1, ?)", arguments: [office])
            // Applied 1 and 2; 4 and 6 held, as a v4 treatyd marked them (3 and 5 are not here).
            for (seq, held) in [(1, nil), (2, nil), (4, "waiting for change set 3"), (6, "waiting for change set 5")] as [(Int, String?)] {
                try db.execute(
                    sql: "INSERT INTO sync_log (origin, seq, clock, user, applied, held, envelope) VALUES (1, ?, ?, 'u', ?, ?, x'00')",
                    arguments: [seq, seq, held == nil, held])
            }
        }
        try old.close()
        _ = try OfficeIdentity.create(at: TreatyStore.keyPath(forDatabase: path))

        let store = try TreatyStore.open(path: path)
        defer { try? store.close() }
        #expect(try await store.versionVector()[office] == 2)
        #expect(
            try await store.syncStatus().held == [
                HeldChangeSet(origin: office, seq: 4, reason: "waiting for change set 3"),
                HeldChangeSet(origin: office, seq: 6, reason: "waiting for change set 5"),
            ])
    }

    @Test("A version-5 database gets a search index without a copy of the text, and history without copies of creations")
    func fromV5() async throws {
        let directory = NSTemporaryDirectory() + "treaty-migration-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/treaty.sqlite"
        let old = try DatabaseQueue(path: path)
        try Migrations.migrator(upTo: "v5-sync-held").migrate(old)
        try await old.write { db in
            try db.execute(
                sql: """
                    INSERT INTO person (id, name, note, created_at, created_office, created_user, updated_at,
                        updated_office, updated_user, version, deleted)
                    VALUES ('oldperson', 'Hikmət Hacıyev', 'spokesman', '2024-01-01T00:00:00.000Z', 'o', 'u',
                        '2024-02-01T00:00:00.000Z', 'o', 'u', 2, 0);
                    INSERT INTO record_index (id, kind) VALUES ('oldperson', 'person');
                    INSERT INTO search_fts (kind, id, text, phonetic) VALUES ('person', 'oldperson', 'Hikmət Hacıyev', 'x');
                    INSERT INTO change_log (at, office, user, record_id, kind, operation, before, after) VALUES
                        ('2024-01-01T00:00:00.000Z', 'o', 'u', 'oldperson', 'person', 'created', '{}',
                         '{"name":"Hikmət Hacıyev","note":"press"}'),
                        ('2024-02-01T00:00:00.000Z', 'o', 'u', 'oldperson', 'person', 'updated', '{"note":"press"}',
                         '{"note":"spokesman"}');
                    """)
        }
        try old.close()
        _ = try OfficeIdentity.create(at: TreatyStore.keyPath(forDatabase: path))

        let store = try TreatyStore.open(path: path)
        defer { try? store.close() }
        #expect(try await store.search("Hajiyev").map(\.id) == ["oldperson"])
        let passage = try await store.search("Hajiyev").first?.passage
        #expect(passage == "Hikmət [Hacıyev] spokesman")
        let history = try await store.changes(record: "oldperson")
        #expect(history.map(\.after) == [["name": "Hikmət Hacıyev", "note": "press"], ["note": "spokesman"]])
        let (columns, creations) = try store.readSync { db in
            (
                try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info('search_fts')"),
                try Int.fetchOne(db, sql: "SELECT count(*) FROM change_log WHERE after IS NULL AND record_id = 'oldperson'")
            )
        }
        #expect(columns == ["text", "phonetic"])
        #expect(creations == 1)
    }
}
