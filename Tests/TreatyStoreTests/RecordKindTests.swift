import Foundation
import Testing
import TreatyModel
@testable import TreatyStore

@Suite("Every record kind")
struct RecordKindTests {
    /// A value of the right type for every field (only the required ones when `full` is false), making
    /// referenced records, with their required fields only, as needed.
    static func sampleFields(_ kind: RecordKind, in store: TreatyStore, full: Bool = true) async throws
        -> [String: JSONValue]
    {
        var fields: [String: JSONValue] = [:]
        for field in kind.fields where full || field.required {
            switch field.type {
            case .text: fields[field.name] = .string("\(field.name) of a \(kind.rawValue), Şuşa")
            case .integer: fields[field.name] = 373
            case .number: fields[field.name] = 0.25
            case .boolean: fields[field.name] = true
            case .date: fields[field.name] = "2021-06"
            case .choice(let options): fields[field.name] = .string(options.last!)
            case .provisionType: fields[field.name] = "defense"
            case .reference(let kinds):
                let target = kinds.first { $0 != kind } ?? kinds[0]
                let made = try await store.create(
                    target, fields: try await sampleFields(target, in: store, full: false), user: "t")
                fields[field.name] = .string(made.id)
            }
        }
        if kind == .office { fields["public_key"] = .string(Self.officeKey.base64EncodedString()) }
        return fields
    }

    /// 32 bytes standing for another office's Ed25519 public key.
    static let officeKey = Data((0..<32).map { UInt8($0 * 7 % 256) })

    @Test("Each kind stores every field and reads it back with provenance", arguments: RecordKind.allCases)
    func roundTrip(kind: RecordKind) async throws {
        let fixture = try StoreFixture()
        let fields = try await Self.sampleFields(kind, in: fixture.store)
        let id = kind == .provisionType ? "cyber-defense" : kind == .office ? OfficeIdentity.id(of: Self.officeKey) : nil
        let created = try await fixture.store.create(kind, fields: fields, id: id, user: "analyst")
        let read = try await fixture.store.get(created.id)
        #expect(read.kind == kind)
        #expect(read.fields == fields)
        let provenance = try #require(read.provenance)
        #expect(provenance.createdUser == "analyst")
        #expect(provenance.createdOffice == fixture.store.office.id)
        #expect(provenance.createdAt == "2025-10-08T12:00:00.000Z")
        #expect(provenance.version == 1 && !provenance.deleted)
    }

    @Test(
        "At every record schema version the migrated tables have exactly that version's columns, in its order",
        arguments: 1...Schema.version)
    func tablesMatchLayout(version: Int) async throws {
        var options = StoreOptions(durable: false)
        options.recordSchema = version
        let fixture = try StoreFixture(options: options)
        let layout = try #require(RecordLayout.at(version))
        for kind in RecordKind.allCases {
            let columns = try fixture.store.readSync { db in try db.columns(in: kind.rawValue).map(\.name) }
            #expect(columns == layout.columns(of: kind), "table \(kind.rawValue) at schema \(version)")
            #expect(Set(columns).isSuperset(of: kind.fields(inSchema: version).map(\.name)))
        }
        #expect(try fixture.store.readSync { db in try Int.fetchOne(db, sql: "PRAGMA user_version") } == version)
    }

    @Test("A new database makes an office: key beside it with mode 0600, id = SHA-256 of the public key")
    func officeIdentity() async throws {
        let fixture = try StoreFixture()
        let keyPath = TreatyStore.keyPath(forDatabase: fixture.store.path)
        let attributes = try FileManager.default.attributesOfItem(atPath: keyPath)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let office = try await fixture.store.get(fixture.store.office.id)
        #expect(office.kind == .office)
        let publicKey = try #require(Data(base64Encoded: office.text("public_key") ?? ""))
        #expect(OfficeIdentity.id(of: publicKey) == office.id)
        #expect(office.id.count == 64)
        // Reopening keeps the same office.
        try fixture.store.close()
        let reopened = try TreatyStore.open(path: fixture.store.path)
        #expect(reopened.office.id == fixture.store.office.id)
        try reopened.close()
    }

    @Test("An office whose id is not the SHA-256 of its key is refused")
    func officeIDMustMatchKey() async throws {
        let fixture = try StoreFixture()
        let key: JSONValue = .string(Self.officeKey.base64EncodedString())
        await #expect(throws: StoreError.self) {
            try await fixture.store.create(.office, fields: ["public_key": key], id: String(repeating: "a", count: 64), user: "t")
        }
        let made = try await fixture.store.create(
            .office, fields: ["public_key": key], id: OfficeIdentity.id(of: Self.officeKey), user: "t")
        #expect(made.id == OfficeIdentity.id(of: Self.officeKey))
    }

    @Test("Edits name the version they edit; an outdated one is refused, not overwritten")
    func staleVersion() async throws {
        let fixture = try StoreFixture()
        let person = try await fixture.store.create(.person, fields: ["name": "Rizvan Nəbiyev"], user: "a")
        let edited = try await fixture.store.update(person.id, version: 1, set: ["note": "MP"], user: "b")
        #expect(edited.provenance?.version == 2)
        #expect(edited.provenance?.updatedUser == "b")
        await #expect(throws: StoreError.staleVersion(id: person.id, given: 1, current: 2)) {
            try await fixture.store.update(person.id, version: 1, set: ["note": "overwrite"], user: "c")
        }
        #expect(try await fixture.store.get(person.id).text("note") == "MP")
    }

    @Test("An update or delete that names the wrong kind is refused and changes nothing")
    func wrongKind() async throws {
        let fixture = try StoreFixture()
        let person = try await fixture.store.create(.person, fields: ["name": "Rizvan Nəbiyev"], user: "a")
        await #expect(throws: StoreError.wrongKind(id: person.id, expected: .agreement, actual: .person)) {
            try await fixture.store.update(person.id, kind: .agreement, version: 1, set: ["note": "x"], user: "b")
        }
        await #expect(throws: StoreError.wrongKind(id: person.id, expected: .agreement, actual: .person)) {
            try await fixture.store.delete(person.id, kind: .agreement, user: "b")
        }
        let after = try await fixture.store.get(person.id)
        #expect(after.provenance?.version == 1 && after.provenance?.deleted == false && after.text("note") == nil)
    }

    @Test("A delete leaves a tombstone that lists skip and references may not point at")
    func tombstones() async throws {
        let fixture = try StoreFixture()
        let person = try await fixture.store.create(.person, fields: ["name": "Aydın Mirzəzadə"], user: "a")
        let deleted = try await fixture.store.delete(person.id, user: "a")
        #expect(deleted.provenance?.deleted == true)
        #expect(try await fixture.store.get(person.id).provenance?.deleted == true)
        #expect(try await fixture.store.list(.person).isEmpty)
        #expect(try await fixture.store.list(.person, includeDeleted: true).count == 1)
        await #expect(throws: StoreError.deleted(person.id)) {
            try await fixture.store.create(.name, fields: ["owner_id": .string(person.id), "name": "x"], user: "a")
        }
        #expect(try await fixture.store.search("Mirzazade").isEmpty)
    }
}
