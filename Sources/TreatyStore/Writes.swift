import Foundation
import GRDB
import TreatyModel

/// Writes on an open transaction: create, update and delete (a tombstone), each keeping the search index
/// and the id index in step and checking every reference.
enum Writes {
    /// Creates `record` (validated again here), generating an id when it has none.
    ///
    /// - Parameters:
    ///   - provenance: kept as given (an import); nil stamps a new one from `context`.
    ///   - deferReferences: during an import, references to records not yet seen are noted there and
    ///     checked when the import ends; otherwise they must exist now.
    @discardableResult
    static func create(
        _ db: Database, _ record: Record, context: WriteContext, provenance: Provenance? = nil,
        deferReferences: ImportLedger?, line: Int? = nil
    ) throws -> Record {
        var record = record
        do {
            try context.layout.check(record.fields.keys, of: record.kind)
            record.fields = try Record.validate(fields: record.fields, of: record.kind, requireAll: true)
        } catch {
            throw StoreError.invalidRecord(error, line: line)
        }
        if record.id.isEmpty { record.id = RecordID.generate() }
        if record.kind == .provisionType, let slug = ProvisionVocabulary.aliases[record.id] {
            throw StoreError.invalidRecord(
                .invalidValue(
                    kind: .provisionType, field: "id", value: record.id,
                    reason: "is another spelling of the built-in provision type \(slug)"), line: line)
        }
        if record.kind == .provisionType, !ProvisionVocabulary.isWellFormed(record.id) {
            throw StoreError.invalidRecord(
                .invalidValue(
                    kind: .provisionType, field: "id", value: record.id,
                    reason: "is not a slug (lowercase letters, digits and hyphens)"), line: line)
        }
        if record.kind == .office {
            // An office's id is the SHA-256 of its public key: anything else would let a key be pinned under a
            // false name.
            let key = Data(base64Encoded: record.text("public_key") ?? "") ?? Data()
            guard key.count == 32, OfficeIdentity.id(of: key) == record.id else {
                throw StoreError.invalidRecord(
                    .invalidValue(
                        kind: .office, field: "id", value: record.id,
                        reason: "must be the SHA-256 (hex) of public_key, a base64 Ed25519 key of 32 bytes"), line: line)
            }
        }
        // An import has looked the id up already (an id it holds is an update there).
        if deferReferences == nil, let existing = try RecordRows.kind(of: record.id, db) {
            throw StoreError.invalidArgument("\(Grammar.a(existing.rawValue)) with id \(record.id) exists already")
        }
        try checkReferences(db, record, changed: Set(record.fields.keys), ledger: deferReferences, line: line)
        let stamp = provenance ?? context.newProvenance()
        // A name changes its owner's document, a person the documents of statements already made with them as the
        // speaker (an import may give those first); any other record's is new.
        let owners =
            record.kind == .name || record.kind == .person
            ? try SearchIndex.detach(db, kind: record.kind, id: record.id, owners: [record.text("owner_id")])
                .filter { $0 != record.id } : []
        try db.cachedStatement(sql: context.layout.insertSQL(for: record.kind))
            .execute(arguments: StatementArguments(context.layout.values(for: record, provenance: stamp)))
        try db.cachedStatement(sql: "INSERT INTO record_index (id, kind) VALUES (?, ?)")
            .execute(arguments: [record.id, record.kind.rawValue])
        record.provenance = stamp
        let seq = db.lastInsertedRowID
        try SearchIndex.add(db, record, seq: seq)
        try SearchIndex.attach(db, owners)
        try ChangeLog.append(
            db, operation: "created", record: record, seq: seq, before: [:], after: record.fields, at: stamp.updatedAt,
            office: stamp.updatedOffice, user: stamp.updatedUser)
        return record
    }

    /// Changes the given fields of a record at `version`; a null clears a field.
    static func update(
        _ db: Database, id: String, version: Int64, set changes: [String: JSONValue], context: WriteContext
    ) throws -> Record {
        var record = try current(db, id: id)
        let stored = record
        guard var provenance = record.provenance else { throw StoreError.notFound(id) }
        guard !provenance.deleted else { throw StoreError.deleted(id) }
        guard provenance.version == version else {
            throw StoreError.staleVersion(id: id, given: version, current: provenance.version)
        }
        let patch: [String: JSONValue]
        do {
            try context.layout.check(changes.keys, of: record.kind)
            patch = try Record.validate(fields: changes, of: record.kind, requireAll: false)
        } catch {
            throw StoreError.invalidRecord(error, line: nil)
        }
        let old = record.fields
        for name in changes.keys { record.fields[name] = patch[name] }
        try checkReferences(db, record, changed: Set(patch.keys), ledger: nil, line: nil)
        provenance.version += 1
        provenance.updatedAt = context.now
        provenance.updatedOffice = context.office
        provenance.updatedUser = context.user
        try save(db, record, provenance: provenance, replacing: stored, layout: context.layout)
        let (before, after) = ChangeLog.difference(old, record.fields)
        try ChangeLog.append(
            db, operation: "updated", record: record, before: before, after: after, at: context.now,
            office: context.office, user: context.user)
        return record.with(provenance)
    }

    /// Marks a record deleted. The row stays as a tombstone so the delete can travel to other offices.
    static func delete(_ db: Database, id: String, version: Int64?, context: WriteContext) throws -> Record {
        let record = try current(db, id: id)
        guard var provenance = record.provenance else { throw StoreError.notFound(id) }
        guard !provenance.deleted else { throw StoreError.deleted(id) }
        if let version, provenance.version != version {
            throw StoreError.staleVersion(id: id, given: version, current: provenance.version)
        }
        if record.kind == .office, record.id == context.office {
            throw StoreError.invalidArgument("this office cannot delete its own office record")
        }
        provenance.version += 1
        provenance.deleted = true
        provenance.updatedAt = context.now
        provenance.updatedOffice = context.office
        provenance.updatedUser = context.user
        try save(db, record, provenance: provenance, replacing: record, layout: context.layout)
        try ChangeLog.append(
            db, operation: "deleted", record: record, before: record.fields, after: [:], at: context.now,
            office: context.office, user: context.user)
        return record.with(provenance)
    }

    /// Replaces an existing record's row as it is in an import: same id, newer version.
    static func replace(
        _ db: Database, _ record: Record, provenance: Provenance, context: WriteContext, ledger: ImportLedger, line: Int
    ) throws {
        do {
            try context.layout.check(record.fields.keys, of: record.kind)
        } catch {
            throw StoreError.invalidRecord(error, line: line)
        }
        try checkReferences(db, record, changed: Set(record.fields.keys), ledger: ledger, line: line)
        guard let stored = try RecordRows.fetch(db, kind: record.kind, id: record.id) else {
            throw StoreError.notFound(record.id)
        }
        try save(db, record, provenance: provenance, replacing: stored, layout: context.layout)
        let (before, after) = ChangeLog.difference(stored.fields, record.fields)
        try ChangeLog.append(
            db, operation: provenance.deleted ? "deleted" : "updated", record: record, before: before, after: after,
            at: provenance.updatedAt, office: provenance.updatedOffice, user: provenance.updatedUser)
    }

    static func current(_ db: Database, id: String) throws -> Record {
        guard let kind = try RecordRows.kind(of: id, db), let record = try RecordRows.fetch(db, kind: kind, id: id)
        else { throw StoreError.notFound(id) }
        return record
    }

    /// Writes a new version of the `stored` record, keeping the search index in step.
    private static func save(
        _ db: Database, _ record: Record, provenance: Provenance, replacing stored: Record, layout: RecordLayout
    ) throws {
        let documents = try SearchIndex.detach(
            db, kind: record.kind, id: record.id, owners: [stored.text("owner_id"), record.text("owner_id")])
        let values = layout.values(for: record, provenance: provenance)
        try db.cachedStatement(sql: layout.updateSQL(for: record.kind))
            .execute(arguments: StatementArguments(Array(values.dropFirst()) + [record.id.databaseValue]))
        try SearchIndex.attach(db, documents)
    }

    /// Checks that every changed reference names a live record of an allowed kind, and that provision
    /// types are known. With a ledger, targets not present yet are noted for the end of the import.
    static func checkReferences(
        _ db: Database, _ record: Record, changed: Set<String>, ledger: ImportLedger?, line: Int?
    ) throws {
        for field in record.kind.fields where changed.contains(field.name) {
            guard let target = record.fields[field.name]?.stringValue else { continue }
            switch field.type {
            case .reference(let allowed):
                guard let actual = try RecordRows.kind(of: target, db) else {
                    if let ledger {
                        try ledger.note(db, line: line ?? 0, kind: record.kind, field: field.name, target: target)
                        continue
                    }
                    throw StoreError.danglingReference(kind: record.kind, field: field.name, target: target, line: line)
                }
                guard allowed.contains(actual) else {
                    throw StoreError.wrongReferenceKind(
                        kind: record.kind, field: field.name, target: target, actual: actual, line: line)
                }
                if ledger == nil, try isDeleted(db, kind: actual, id: target) {
                    throw StoreError.deleted(target)
                }
            case .provisionType:
                if ProvisionVocabulary.builtInSlugs.contains(target) { continue }
                let defined = try Bool.fetchOne(
                    db.cachedStatement(sql: "SELECT deleted = 0 FROM provision_type WHERE id = ?"), arguments: [target])
                if defined == true { continue }
                if let ledger, defined == nil {
                    try ledger.note(db, line: line ?? 0, kind: record.kind, field: field.name, target: target)
                    continue
                }
                throw StoreError.unknownProvisionType(target, line: line)
            default:
                continue
            }
        }
    }

    static func isDeleted(_ db: Database, kind: RecordKind, id: String) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT deleted FROM \"\(kind.rawValue)\" WHERE id = ?"), arguments: [id]) ?? false
    }
}

extension Record {
    func with(_ provenance: Provenance) -> Record {
        var copy = self
        copy.provenance = provenance
        return copy
    }
}
