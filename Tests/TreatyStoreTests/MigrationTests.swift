import Foundation
import GRDB
import Testing
import TreatyModel
@testable import TreatyStore

@Suite("Migrations")
struct MigrationTests {
    /// A store this build opens on a database an older treatyd left: the migrations up to `last`, what `fill`
    /// writes, and the office key beside it.
    static func upgraded(from last: String, _ fill: (Database) throws -> Void) throws -> StoreFixture {
        try StoreFixture(clock: { Int64(Date().timeIntervalSince1970 * 1000) }) { path in
            let old = try DatabaseQueue(path: path)
            try Migrations.migrator(upTo: last).migrate(old)
            try old.write(fill)
            try old.close()
            _ = try OfficeIdentity.create(at: TreatyStore.keyPath(forDatabase: path))
        }
    }

    @Test("A version-1 database (before search existed) upgrades and its records become searchable")
    func fromV1() async throws {
        // Lay down the old schema by hand, as an older treatyd left it, with one record in it.
        let fixture = try Self.upgraded(from: "v1-records") { db in
            try db.execute(
                sql: """
                    INSERT INTO person (id, name, created_at, created_office, created_user, updated_at,
                        updated_office, updated_user, version, deleted)
                    VALUES ('oldperson', 'Hikmət Babaoğlu', '2024-01-01T00:00:00.000Z', 'o', 'u',
                        '2024-01-01T00:00:00.000Z', 'o', 'u', 1, 0)
                    """)
            #expect(try db.tableExists("search_fts") == false)
        }
        #expect(try await fixture.store.search("Babaoglu").map(\.id) == ["oldperson"])
        #expect(try await fixture.store.resolve("oldp").id == "oldperson")
        let applied = try fixture.store.readSync { db in try Migrations.migrator().appliedMigrations(db) }
        #expect(applied == Migrations.names)
    }

    @Test("A version-4 database's held change sets stay held, with their reasons, after the upgrade")
    func fromV4() async throws {
        let office = String(repeating: "ab", count: 32)
        let fixture = try Self.upgraded(from: "v4-sync") { db in
            try db.execute(sql: "INSERT INTO sync_origin (n, office) VALUES (1, ?)", arguments: [office])
            // Applied 1 and 2; 4 and 6 held, as a v4 treatyd marked them (3 and 5 are not here).
            for (seq, held) in [(1, nil), (2, nil), (4, "waiting for change set 3"), (6, "waiting for change set 5")] as [(Int, String?)] {
                try db.execute(
                    sql: "INSERT INTO sync_log (origin, seq, clock, user, applied, held, envelope) VALUES (1, ?, ?, 'u', ?, ?, x'00')",
                    arguments: [seq, seq, held == nil, held])
            }
        }
        #expect(try await fixture.store.versionVector()[office] == 2)
        #expect(
            try await fixture.store.syncStatus().held == [
                HeldChangeSet(origin: office, seq: 4, reason: "waiting for change set 3"),
                HeldChangeSet(origin: office, seq: 6, reason: "waiting for change set 5"),
            ])
    }

    @Test("A version-5 database gets a search index without a copy of the text, and history without copies of creations")
    func fromV5() async throws {
        let fixture = try Self.upgraded(from: "v5-sync-held") { db in
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
        #expect(try await fixture.store.search("Hajiyev").map(\.id) == ["oldperson"])
        let passage = try await fixture.store.search("Hajiyev").first?.passage
        #expect(passage == "Hikmət [Hacıyev] spokesman")
        let history = try await fixture.store.changes(record: "oldperson")
        #expect(history.map(\.after) == [["name": "Hikmət Hacıyev", "note": "press"], ["note": "spokesman"]])
        let (columns, creations) = try fixture.store.readSync { db in
            (
                try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info('search_fts')"),
                try Int.fetchOne(db, sql: "SELECT count(*) FROM change_log c JOIN record_index r ON r.seq = c.record WHERE after IS NULL AND r.id = 'oldperson'")
            )
        }
        #expect(columns == ["text", "phonetic"])
        #expect(creations == 1)
    }

    @Test("A version-9 database's history keeps each entry's office, record, user, order and values, and each field's last writer, when they become numbers")
    func fromV9() async throws {
        let (ankara, baku) = (String(repeating: "ab", count: 32), String(repeating: "cd", count: 32))
        let fixture = try Self.upgraded(from: "v9-schema-2") { db in
            try db.execute(
                sql: """
                    INSERT INTO person (id, name, note, created_at, created_office, created_user, updated_at,
                        updated_office, updated_user, version, deleted)
                    VALUES ('oldperson', 'Hikmət Hacıyev', 'spokesman', '2024-01-01T00:00:00.000Z', '\(ankara)', 'u',
                        '2024-02-01T00:00:00.000Z', '\(baku)', 'v', 2, 0);
                    INSERT INTO record_index (id, kind) VALUES ('oldperson', 'person');
                    INSERT INTO sync_origin (office) VALUES ('\(baku)');
                    INSERT INTO change_log (at, office, user, record_id, kind, operation, before, after, clock) VALUES
                        ('2024-01-01T00:00:00.000Z', '\(ankara)', 'u', 'oldperson', 'person', 'created', NULL, NULL, 7),
                        ('2024-02-01T00:00:00.000Z', '\(baku)', 'v', 'oldperson', 'person', 'updated', '{"note":"press"}',
                         '{"note":"spokesman"}', 9);
                    INSERT INTO sync_clock (tbl, pk, col, origin, seq, clock) VALUES
                        ('person', 'oldperson', '', 1, 1, 7), ('person', 'oldperson', 'note', 2, 1, 9);
                    INSERT OR REPLACE INTO treaty_meta (key, value) VALUES ('hlc', '9000000000000000000');
                    """)
        }
        let history = try await fixture.store.changes(record: "oldperson")
        #expect(history.map(\.office) == [ankara, baku])
        #expect(history.map(\.user) == ["u", "v"])
        #expect(history.map(\.operation) == ["created", "updated"])
        #expect(history.map(\.after) == [["name": "Hikmət Hacıyev", "note": "press"], ["note": "spokesman"]])
        #expect(try await fixture.store.changes(office: baku).map(\.seq) == [history[1].seq])
        #expect(try await fixture.store.changes(since: "2024-01-15", record: "oldperson").map(\.office) == [baku])
        let columns = try fixture.store.readSync { db in
            try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info('change_log')")
        }
        #expect(columns == ["seq", "at", "origin", "user", "record", "operation", "clock", "before", "after"])
        let (note, name) = try fixture.store.readSync { db in
            (try ClockEntry.get(db, id: "oldperson", column: "note"), try ClockEntry.get(db, id: "oldperson", column: "name"))
        }
        #expect(note == ClockEntry(origin: 2, seq: 1, clock: 9))
        #expect(name == ClockEntry(origin: 1, seq: 1, clock: 7, isRowEntry: true))
        // The clock every write sets lives in a table of one B-tree now, and kept its value.
        let (clock, metaIndexes) = try fixture.store.readSync { db in
            (
                try SyncTables.lastClock(db),
                try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_schema WHERE tbl_name = 'treaty_meta' AND type = 'index'")
            )
        }
        #expect(clock >= 9_000_000_000_000_000_000 && metaIndexes == 0)
    }
}
