import GRDB
import TreatyModel

extension TreatyStore {
    /// Creates a record of `kind`. The id is generated unless given.
    ///
    /// - Throws: ``StoreError`` when a field is missing or wrong, a reference dangles or names a deleted
    ///   record, or a provision type is unknown. Nothing is written then.
    public func create(_ kind: RecordKind, fields: [String: JSONValue], id: String? = nil, user: String)
        async throws(StoreError) -> TreatyModel.Record
    {
        if let id, !RecordID.isValid(id) { throw .invalidRecord(.invalidID(id), line: nil) }
        let record = Record(kind: kind, id: id ?? "", fields: fields)
        let context = context(user: user)
        return try await write(user: user, events: { [ChangeEvent(operation: .created, record: $0, summary: nil)] }) { db in
            try Writes.create(db, record, context: context, deferReferences: nil)
        }
    }

    /// The record with this id or unambiguous id prefix; a deleted one comes back with `deleted` set.
    public func get(_ idOrPrefix: String, kind: RecordKind? = nil) async throws(StoreError) -> TreatyModel.Record {
        try await read { db in try Self.fetch(db, idOrPrefix, kind: kind) }
    }

    /// The record with this id or prefix and its short id, read in one go (`onThisThread`: see ``read(onThisThread:_:)``).
    public func getWithShortID(_ idOrPrefix: String, kind: RecordKind? = nil, onThisThread: Bool = false)
        async throws(StoreError) -> (record: TreatyModel.Record, shortID: String)
    {
        try await read(onThisThread: onThisThread) { db in
            let record = try Self.fetch(db, idOrPrefix, kind: kind)
            return (record, try Resolve.shortIDs(db, [record.id])[record.id] ?? record.id)
        }
    }

    /// Changes fields of the record at `version`; a null clears a field.
    ///
    /// - Throws: ``StoreError/staleVersion(id:given:current:)`` when the record changed since `version`.
    /// - Parameter kind: when given, the record must be of this kind (checked in the same transaction).
    public func update(
        _ idOrPrefix: String, kind: RecordKind? = nil, version: Int64, set changes: [String: JSONValue], user: String
    ) async throws(StoreError) -> TreatyModel.Record {
        guard !changes.isEmpty else { throw .invalidArgument("nothing to change") }
        let context = context(user: user)
        return try await write(user: user, events: { [ChangeEvent(operation: .updated, record: $0, summary: nil)] }) { db in
            let id = try Resolve.id(db, idOrPrefix, kind: kind).id
            return try Writes.update(db, id: id, version: version, set: changes, context: context)
        }
    }

    /// Deletes a record (a tombstone that syncs). With `version`, refuses if the record changed since.
    public func delete(_ idOrPrefix: String, kind: RecordKind? = nil, version: Int64? = nil, user: String)
        async throws(StoreError) -> TreatyModel.Record
    {
        let context = context(user: user)
        return try await write(user: user, events: { [ChangeEvent(operation: .deleted, record: $0, summary: nil)] }) { db in
            let id = try Resolve.id(db, idOrPrefix, kind: kind).id
            return try Writes.delete(db, id: id, version: version, context: context)
        }
    }

    /// Records of a kind, oldest first, optionally only those whose fields equal `filter`.
    public func list(
        _ kind: RecordKind, filter: [String: JSONValue] = [:], includeDeleted: Bool = false, limit: Int = 100,
        offset: Int = 0
    ) async throws(StoreError) -> [TreatyModel.Record] {
        for name in filter.keys where kind.field(name) == nil {
            throw .invalidRecord(.unknownField(kind: kind, field: name), line: nil)
        }
        // A value no record can hold (a kind that is not one) is a mistake to say, not an empty list.
        var filter = filter
        do {
            try layout.check(filter.keys, of: kind)
            // Values as stored: another spelling of a provision type's slug is its slug.
            filter.merge(try Record.validate(fields: filter, of: kind, requireAll: false)) { _, checked in checked }
        } catch {
            throw .invalidArgument(error.description)
        }
        guard limit > 0, offset >= 0 else { throw .invalidArgument("limit must be positive and offset not negative") }
        let stored = filter
        return try await read { db in
            var conditions = includeDeleted ? [] : ["deleted = 0"]
            var arguments: [DatabaseValue] = []
            for name in stored.keys.sorted() {
                conditions.append("\"\(name)\" = ?")
                arguments.append(RecordRows.databaseValue(stored[name]))
            }
            let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            return try Row.fetchAll(
                db, sql: "SELECT * FROM \"\(kind.rawValue)\" \(whereClause) ORDER BY rowid LIMIT ? OFFSET ?",
                arguments: StatementArguments(arguments + [limit.databaseValue, offset.databaseValue])
            ).map { RecordRows.record(from: $0, kind: kind) }
        }
    }

    /// The full id and kind for an id or unambiguous prefix.
    public func resolve(_ idOrPrefix: String) async throws(StoreError) -> (id: String, kind: RecordKind) {
        let resolved = try await read { db in try Resolve.id(db, idOrPrefix) }
        return (resolved.id, resolved.kind)
    }

    /// The short id (at most ten characters, unambiguous now) of each id (`onThisThread`: see
    /// ``read(onThisThread:_:)``).
    public func shortIDs(_ ids: [String], onThisThread: Bool = false) async throws(StoreError) -> [String: String] {
        try await read(onThisThread: onThisThread) { db in try Resolve.shortIDs(db, ids) }
    }

    /// Ranked full-text search, insensitive to case, diacritics and news transliterations.
    public func search(_ query: String, kinds: [RecordKind]? = nil, limit: Int = 20) async throws(StoreError)
        -> [SearchHit]
    {
        guard (1...1000).contains(limit) else { throw .invalidArgument("limit must be between 1 and 1000") }
        let spin = options.slowSearchForTests
        return try await read { db in
            if spin { try SearchIndex.spin(db) }
            return try SearchIndex.search(db, query: query, kinds: kinds, limit: limit)
        }
    }

    /// How many live records of each kind there are.
    public func counts() async throws(StoreError) -> [RecordKind: Int] {
        try await read { db in
            var counts: [RecordKind: Int] = [:]
            for kind in RecordKind.allCases {
                counts[kind] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \"\(kind.rawValue)\" WHERE deleted = 0")
            }
            return counts
        }
    }

    /// The actor named, which must be an organisation (an alliance, a bloc): what its member states are is asked.
    static func organization(_ db: Database, _ idOrPrefix: String) throws -> TreatyModel.Record {
        let actor = try fetch(db, idOrPrefix, kind: .actor)
        let type = actor.text("kind") ?? ""
        guard type == "organization" else {
            throw StoreError.invalidArgument(
                "\(try Lookup.displayName(db, actor)) is \(Grammar.a(type)), "
                    + "not an organization: name an organization (treaty actor list kind=organization)")
        }
        return actor
    }

    /// The provision type a query names: a built-in slug or a defined one, or another spelling of a built-in one.
    static func provisionType(_ db: Database, _ text: String) throws -> String {
        // A built-in type needs no query.
        if case let slug = ProvisionVocabulary.canonical(text), ProvisionVocabulary.builtInSlugs.contains(slug) { return slug }
        do {
            return try ProvisionVocabulary.resolve(text, defined: try String.fetchAll(db, sql: "SELECT id FROM provision_type WHERE deleted = 0"))
        } catch let unknown as UnknownProvisionType {
            throw StoreError.unknownProvisionType(text, near: unknown.near, line: nil)
        }
    }

    static func fetch(_ db: Database, _ idOrPrefix: String, kind: RecordKind? = nil) throws -> TreatyModel.Record {
        let resolved = try Resolve.id(db, idOrPrefix)
        if let kind, kind != resolved.kind {
            throw StoreError.wrongKind(id: resolved.id, expected: kind, actual: resolved.kind)
        }
        guard let record = try RecordRows.fetch(db, kind: resolved.kind, id: resolved.id) else {
            throw StoreError.notFound(idOrPrefix)
        }
        return record
    }
}

/// Ids and prefixes, like git's.
enum Resolve {
    struct Resolved: Sendable {
        let id: String
        let kind: RecordKind
    }

    /// The record an id or prefix names; with `kind`, it must be of that kind.
    static func id(_ db: Database, _ text: String, kind: RecordKind?) throws -> Resolved {
        let resolved = try id(db, text)
        if let kind, kind != resolved.kind {
            throw StoreError.wrongKind(id: resolved.id, expected: kind, actual: resolved.kind)
        }
        return resolved
    }

    static func id(_ db: Database, _ text: String) throws -> Resolved {
        let prefix = text.lowercased()
        guard RecordID.isValid(prefix) else { throw StoreError.notFound(text) }
        if let kind = try RecordRows.kind(of: prefix, db) { return Resolved(id: prefix, kind: kind) }
        let rows = try Row.fetchAll(
            db, sql: "SELECT id, kind FROM record_index WHERE id > ? AND id < ? ORDER BY id LIMIT 5",
            arguments: [prefix, prefix + "~"])
        guard let first = rows.first, let kind = RecordKind(rawValue: first["kind"]) else {
            throw StoreError.notFound(text)
        }
        if rows.count > 1 {
            throw StoreError.ambiguous(prefix: text, candidates: rows.map { "\($0["id"] as String) (\($0["kind"] as String))" })
        }
        return Resolved(id: first["id"], kind: kind)
    }

    static func shortIDs(_ db: Database, _ ids: [String]) throws -> [String: String] {
        var result: [String: String] = [:]
        // The ids either side in one statement: each statement run has a fixed cost a point read feels.
        let neighbours = try db.cachedStatement(
            sql: """
                SELECT (SELECT id FROM record_index WHERE id < ?1 ORDER BY id DESC LIMIT 1),
                       (SELECT id FROM record_index WHERE id > ?1 ORDER BY id LIMIT 1)
                """)
        for id in ids where result[id] == nil {
            let rows = try Row.fetchCursor(neighbours, arguments: [id])
            let row = try rows.next()
            result[id] = RecordID.short(id, previous: row?[0], next: row?[1])
        }
        return result
    }
}
