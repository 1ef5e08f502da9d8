import Crypto
import Foundation
import GRDB
import TreatyModel
import TreatySync

/// An office in the offices table, with what this office holds from it.
public struct OfficeEntry: Sendable, Equatable {
    public let id: String
    public let name: String?
    public let publicKey: String
    /// Who added it, from which office, when.
    public let addedBy: String
    public let addedByOffice: String
    public let addedAt: String
    public let isSelf: Bool
    public let removed: Bool
    /// The highest sequence number applied from it.
    public let holds: UInt64
    /// Its change sets stored but held back.
    public let held: Int
    /// Admitted here by its id alone: its record is made when its first change set brings the key.
    public var pending = false
}

/// What admitting an office did.
public enum OfficeAdmission: Sendable {
    /// Its record is in the offices table, and its held change sets were applied.
    case admitted(TreatyModel.Record)
    /// Admitted by its id alone, with no change set of it here yet: the record is made, with the key, when the
    /// first one arrives (the key must hash to the id, or the change set does not parse).
    case pending(office: String, name: String?)
}

/// Where a page of change sets ended: its (clock, local origin number, sequence).
public struct ChangeSetCursor: Sendable, Hashable {
    let clock: Int64
    let origin: Int64
    let seq: Int64
}

/// What `treaty sync status` shows.
public struct SyncStatus: Sendable, Equatable {
    public let office: String
    public let vector: VersionVector
    public let held: [HeldChangeSet]
    public let logChangeSets: Int
    public let logBytes: Int64
    public let conflicts: Int
    /// SHA-256 over every synced table, tombstones included: equal on offices holding the same change sets.
    public let digest: String
}

/// One field written concurrently by offices that had not seen each other's write.
public struct Conflict: Sendable, Equatable {
    public let recordID: String
    public let kind: RecordKind
    public let field: String
    /// The value every office shows: the winner by (clock, office).
    public let current: ConflictValue
    /// The concurrent values that lost.
    public let losers: [ConflictValue]
}

/// A value written by one change set, with who wrote it, where and when.
public struct ConflictValue: Sendable, Equatable {
    public let value: JSONValue
    public let office: String
    public let seq: UInt64
    public let user: String
    public let at: String
}

/// How to settle a conflict.
public enum ConflictChoice: Sendable, Equatable {
    /// Keep the value that won.
    case current
    /// Keep the losing value written by the office with this id or id prefix.
    case office(String)
    /// Write a new value.
    case value(JSONValue)
}

extension TreatyStore {
    // MARK: Offices

    /// Adds an office to the offices table (synced: the others learn of it too). Its change sets held
    /// until now are applied.
    ///
    /// - Parameter publicKey: base64 of its raw Ed25519 key; when nil, taken from a change set of that
    ///   office held here (its id is the hash of the key, so the key cannot be a wrong one). With none here yet
    ///   the admission waits, here only, for the first one (``OfficeAdmission/pending(office:name:)``).
    public func addOffice(id: String, publicKey: String?, name: String?, user: String) async throws(StoreError)
        -> OfficeAdmission
    {
        try await admit(id: id, publicKey: publicKey, name: name, user: user).admission
    }

    /// ``addOffice(id:publicKey:name:user:)``, with what applying the office's held change sets did.
    private func admit(id: String, publicKey: String?, name: String?, user: String) async throws(StoreError)
        -> (admission: OfficeAdmission, applied: ReceiveSummary)
    {
        let id = id.lowercased()
        guard OfficeID.isWellFormed(id) else {
            throw .invalidArgument("an office id is 64 hex characters (treaty identity prints it), not \"\(id)\"")
        }
        var key = publicKey
        if key == nil { key = try await read { db in try Self.keyFromLog(db, office: id) } }
        guard let key else {
            let at = timestamp()
            try await writeUncaptured { db in
                if try Bool.fetchOne(db, sql: "SELECT 1 FROM office WHERE id = ?", arguments: [id]) == true {
                    throw StoreError.invalidArgument("office \(id.prefix(12)) is in the offices table already")
                }
                try db.execute(
                    sql: "INSERT OR REPLACE INTO office_admission (office, name, user, at) VALUES (?, ?, ?, ?)",
                    arguments: [id, name, user, at])
            }
            return (.pending(office: id, name: name), ReceiveSummary())
        }
        var fields: [String: JSONValue] = ["public_key": .string(key)]
        if let name { fields["name"] = .string(name) }
        let record = try await create(.office, fields: fields, id: id, user: user)
        try await writeUncaptured { db in try db.execute(sql: "DELETE FROM office_admission WHERE office = ?", arguments: [id]) }
        let applied = try await merge { merge in
            var summary = ReceiveSummary()
            summary.applied = try merge.applyHeld()
            summary.conflicts = try merge.shownConflicts()
            return summary
        }
        return (.admitted(record), applied)
    }

    /// Makes the records of offices admitted by id whose first change set has arrived since, as the user who
    /// admitted them, and applies their change sets; returns what that applied.
    func completeAdmissions() async throws(StoreError) -> ReceiveSummary {
        let due = try await read { db in
            try Row.fetchAll(db, sql: "SELECT office, name, user FROM office_admission").compactMap { row -> (String, String, String?, String)? in
                let office: String = row["office"]
                return try Self.keyFromLog(db, office: office).map { (office, $0, row["name"], row["user"]) }
            }
        }
        var total = ReceiveSummary()
        for (office, key, name, user) in due {
            // Two receptions at once (two peers, a bundle) may both find it due: the second finds the record made.
            guard let applied = try? await admit(id: office, publicKey: key, name: name, user: user).applied else { continue }
            total.applied += applied.applied
            total.conflicts += applied.conflicts
        }
        return total
    }

    /// The public key (base64) an office's change sets here carry, if any is here.
    static func keyFromLog(_ db: Database, office: String) throws -> String? {
        let rowid = try Int64.fetchOne(
            db,
            sql: "SELECT l.rowid FROM sync_log l JOIN sync_origin o ON o.n = l.origin WHERE o.office = ? LIMIT 1",
            arguments: [office])
        return try rowid.map { try SyncTables.envelope(db, rowid: $0).publicKey.base64EncodedString() }
    }

    /// The offices table, with what this office holds from each.
    public func offices() async throws(StoreError) -> [OfficeEntry] {
        let me = office.id
        return try await read { db in
            let vector = try SyncTables.vector(db)
            var held: [String: Int] = [:]
            for entry in try Merge.held(db) { held[entry.origin, default: 0] += 1 }
            return try Row.fetchAll(db, sql: "SELECT * FROM office ORDER BY created_at, id").map { row in
                let id: String = row["id"]
                return OfficeEntry(
                    id: id, name: row["name"], publicKey: row["public_key"], addedBy: row["created_user"],
                    addedByOffice: row["created_office"], addedAt: row["created_at"], isSelf: id == me,
                    removed: row["deleted"], holds: vector[id], held: held[id] ?? 0)
            }
                + Row.fetchAll(db, sql: "SELECT * FROM office_admission ORDER BY at, office").map { row in
                    let id: String = row["office"]
                    var entry = OfficeEntry(
                        id: id, name: row["name"], publicKey: "", addedBy: row["user"], addedByOffice: me,
                        addedAt: row["at"], isSelf: false, removed: false, holds: vector[id], held: held[id] ?? 0)
                    entry.pending = true
                    return entry
                }
        }
    }

    // MARK: Status

    /// This office's version vector.
    public func versionVector() async throws(StoreError) -> VersionVector {
        try await read { db in try SyncTables.vector(db) }
    }

    /// Version vector, held change sets, log size, conflicts and the content digest.
    public func syncStatus() async throws(StoreError) -> SyncStatus {
        let me = office.id
        return try await read { db in
            let log = try Row.fetchOne(db, sql: "SELECT COUNT(*), COALESCE(SUM(LENGTH(envelope)), 0) FROM sync_log")!
            let vector = try SyncTables.vector(db)
            return SyncStatus(
                office: me, vector: vector, held: try Merge.held(db), logChangeSets: log[0], logBytes: log[1],
                conflicts: try Self.conflicts(db, recordID: nil).count, digest: try self.digest(db, at: vector))
        }
    }

    /// SHA-256 over every row of every synced table in id order, tombstones included.
    public func contentDigest() async throws(StoreError) -> String {
        try await read { db in try self.digest(db, at: try SyncTables.vector(db)) }
    }

    /// The digest of the content at `vector` (read in the same transaction), computed once per vector: reading
    /// every row of 100,000 records takes seconds, and `sync status` is what one polls to watch a peer catch up.
    private func digest(_ db: Database, at vector: VersionVector) throws -> String {
        if let cached = digestCache.withLock({ $0 }), cached.vector == vector { return cached.digest }
        let digest = try Self.digest(db)
        digestCache.withLock { $0 = (vector, digest) }
        return digest
    }

    static func digest(_ db: Database) throws -> String {
        var hash = SHA256()
        for kind in RecordKind.allCases.sorted(by: { $0.rawValue < $1.rawValue }) {
            hash.update(data: Data("table \(kind.rawValue)\n".utf8))
            let rows = try Row.fetchCursor(db, sql: "SELECT * FROM \"\(kind.rawValue)\" ORDER BY id")
            while let row = try rows.next() {
                var line = ""
                for value in row.databaseValues {
                    switch value.storage {
                    case .null: line += "n;"
                    case .int64(let i): line += "i\(i);"
                    case .double(let d): line += "d\(d.bitPattern);"
                    case .string(let s): line += "s\(s.utf8.count):\(s);"
                    case .blob(let b): line += "b\(b.base64EncodedString());"
                    }
                }
                hash.update(data: Data((line + "\n").utf8))
            }
        }
        return Data(hash.finalize()).hex
    }

    // MARK: Change sets in and out

    /// Change sets held here (applied or held back) that a holder of `vector` lacks, in causal order.
    public func changeSets(missingFrom vector: VersionVector) async throws(StoreError) -> [ChangeSetEnvelope] {
        var result: [ChangeSetEnvelope] = []
        var cursor: ChangeSetCursor?
        repeat {
            let page = try await changeSets(missingFrom: vector, after: cursor, limit: 1000)
            result += page.envelopes
            cursor = page.next
        } while cursor != nil
        return result
    }

    /// One page of ``changeSets(missingFrom:)``: at most `limit` change sets after `cursor` and, past the first, at
    /// most `maxBytes` of them, and the cursor of the next page (nil at the end). A sender reads page by page, so
    /// its memory does not grow with how far behind the receiver is, nor with how large its change sets are.
    public func changeSets(
        missingFrom vector: VersionVector, after cursor: ChangeSetCursor?, limit: Int, maxBytes: Int = 4 << 20
    ) async throws(StoreError) -> (envelopes: [ChangeSetEnvelope], next: ChangeSetCursor?) {
        try await read { db in
            // Causal order: a change set's clock is greater than those of everything it depends on.
            var arguments: [DatabaseValue] = []
            var floors = "SELECT NULL AS office, 0 AS seq WHERE 0"
            for (office, seq) in vector.entries {
                floors += " UNION ALL SELECT ?, ?"
                arguments += [office.databaseValue, Int64(seq).databaseValue]
            }
            // Without a cursor, start at the oldest change set the holder lacks (each origin's clocks grow with its
            // sequence numbers): a peer that lacks only the last few costs a few rows, not a scan of the log.
            var start = cursor
            if start == nil {
                var oldest: Int64?
                for origin in try Row.fetchAll(db, sql: "SELECT n, office FROM sync_origin") {
                    let clock = try Int64.fetchOne(
                        db.cachedStatement(sql: "SELECT clock FROM sync_log WHERE origin = ? AND seq > ? ORDER BY seq LIMIT 1"),
                        arguments: [origin["n"] as Int64, Int64(vector[origin["office"] as String])])
                    if let clock { oldest = min(oldest ?? clock, clock) }
                }
                guard let oldest else { return ([], nil) }
                start = ChangeSetCursor(clock: oldest, origin: Int64.min, seq: Int64.min)
            }
            let after = start!
            arguments += [after.clock.databaseValue, after.origin.databaseValue, after.seq.databaseValue, limit.databaseValue]
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    WITH floor(office, seq) AS (\(floors))
                    SELECT l.clock, l.origin, l.seq, l.rowid FROM sync_log l
                    JOIN sync_origin o ON o.n = l.origin LEFT JOIN floor f ON f.office = o.office
                    WHERE l.seq > COALESCE(f.seq, 0) AND (l.clock, l.origin, l.seq) > (?, ?, ?)
                    ORDER BY l.clock, l.origin, l.seq LIMIT ?
                    """, arguments: StatementArguments(arguments))
            var envelopes: [ChangeSetEnvelope] = []
            var bytes = 0
            var last: ChangeSetCursor?
            while let row = try rows.next() {
                let envelope = try SyncTables.envelope(db, rowid: row[3])
                envelopes.append(envelope)
                bytes += envelope.encoded.count
                last = ChangeSetCursor(clock: row[0], origin: row[1], seq: row[2])
                // Full by count or by size: the next page starts after this one.
                if envelopes.count == limit || bytes >= maxBytes { return (envelopes, last) }
            }
            return (envelopes, nil)
        }
    }

    /// What the office `text` (id, id prefix or name) is known to hold: the vector its latest change set
    /// here was made on, plus that change set. Empty if none of its change sets is here.
    public func knownVector(of text: String) async throws(StoreError) -> (office: String, vector: VersionVector) {
        try await read { db in
            let office = try Self.resolveOffice(db, text)
            let rowid = try Int64.fetchOne(
                db,
                sql: """
                    SELECT l.rowid FROM sync_log l JOIN sync_origin o ON o.n = l.origin WHERE o.office = ?
                    ORDER BY l.seq DESC LIMIT 1
                    """, arguments: [office])
            guard let rowid else { return (office, VersionVector()) }
            let latest = try SyncTables.envelope(db, rowid: rowid)
            var vector = latest.dependencies
            vector[office] = latest.seq
            return (office, vector)
        }
    }

    static func resolveOffice(_ db: Database, _ text: String) throws -> String {
        let ids = try String.fetchAll(db, sql: "SELECT id FROM office UNION SELECT office FROM office_admission")
        let lower = text.lowercased()
        // A full id names an office even before it is admitted here.
        if ids.contains(lower) || OfficeID.isWellFormed(lower) { return lower }
        let byPrefix = lower.count >= 4 ? ids.filter { $0.hasPrefix(lower) } : []
        let byName = try String.fetchAll(
            db,
            sql: """
                SELECT id FROM office WHERE name = ? COLLATE NOCASE
                UNION SELECT office FROM office_admission WHERE name = ? COLLATE NOCASE
                """, arguments: [text, text])
        let matches = Set(byPrefix + byName)
        guard matches.count == 1 else {
            throw matches.isEmpty
                ? StoreError.notFound("office \(text)")
                : StoreError.ambiguous(prefix: text, candidates: matches.sorted())
        }
        return matches.first!
    }

    /// A bundle of the change sets a holder of `vector` lacks.
    public func exportBundle(missingFrom vector: VersionVector) async throws(StoreError) -> Data {
        BundleFile.write(try await changeSets(missingFrom: vector), schema: layout.version)
    }

    /// A bundle of the change sets a holder of `vector` lacks, written to the file `path` one change set at a time
    /// (memory holds a page of them, whatever the bundle's size).
    public func exportBundle(missingFrom vector: VersionVector, to path: String) async throws(StoreError)
        -> (changeSets: Int, bytes: Int)
    {
        do {
            let writer = try BundleWriter(path: path)
            var cursor: ChangeSetCursor?
            repeat {
                let page = try await changeSets(missingFrom: vector, after: cursor, limit: 256)
                for envelope in page.envelopes { try writer.add(envelope) }
                cursor = page.next
            } while cursor != nil
            let header = try writer.finish(schema: layout.version)
            let bytes = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            return (header.changeSets, bytes)
        } catch let error as StoreError {
            throw error
        } catch let error as SyncError {
            throw .io(error.description)
        } catch {
            throw .io(String(describing: error))
        }
    }

    /// Checks a whole bundle (checksum, sizes, every signature) and only then stores and applies its change
    /// sets: a bad bundle changes nothing. Holds one change set at a time in memory, whatever the bundle's size.
    public func importBundle(_ data: Data, inflateLimit: Int = BundleFile.defaultInflateLimit) async throws(StoreError)
        -> ReceiveSummary
    {
        try await importBundle(from: .data(data), inflateLimit: inflateLimit)
    }

    /// ``importBundle(_:inflateLimit:)`` from a file or bytes; a file is read a piece at a time.
    public func importBundle(from source: BundleSource, inflateLimit: Int = BundleFile.defaultInflateLimit)
        async throws(StoreError) -> ReceiveSummary
    {
        let bundle: BundleFile.CheckedBundle
        do {
            let spool = spoolDirectory
            // Seconds for a large bundle: on a thread of its own, not a cooperative one.
            bundle = try await LargeStack.perform {
                try BundleFile.check(source, inflateLimit: inflateLimit, spoolDirectory: spool)
            }
        } catch let error as SyncError {
            throw .sync(error)
        } catch {
            throw .sync(.malformed(String(describing: error)))
        }
        let summary = try await merge { merge in
            var summary = ReceiveSummary()
            try bundle.forEach { try merge.store($0, into: &summary) }
            try merge.finish(&summary)
            return summary
        }
        return try await completingAdmissions(summary)
    }

    /// Stores and applies change sets that were checked on arrival (``ChangeSetEnvelope/init(decoding:)``).
    public func receive(_ envelopes: [ChangeSetEnvelope]) async throws(StoreError) -> ReceiveSummary {
        try await completingAdmissions(try await merge { try $0.receive(envelopes) })
    }

    /// `summary` after admitting the offices admitted by id whose first change set it brought.
    private func completingAdmissions(_ summary: ReceiveSummary) async throws(StoreError) -> ReceiveSummary {
        guard !summary.held.isEmpty else { return summary }
        var summary = summary
        let admitted = try await completeAdmissions()
        guard admitted.applied > 0 else { return summary }
        summary.applied += admitted.applied
        summary.conflicts += admitted.conflicts
        summary.held = try await read { db in try Merge.held(db) }
        return summary
    }

    /// Applies held change sets that can be now (after an office was added, after an upgrade, or once this
    /// office's clock has caught up with a stamp that was too far ahead).
    public func applyHeld() async throws(StoreError) -> Int {
        try await merge { try $0.applyHeld() }
    }

    /// Runs a merge in one uncaptured write transaction, tells subscribers what it changed as it commits (in
    /// commit order with every other write), and plans the release of change sets it held for their clock stamps.
    private func merge<T: Sendable>(_ body: @escaping @Sendable (inout Merge) throws -> T) async throws(StoreError) -> T {
        let (policy, now, skew, layout) = (options.mergePolicy, clock(), options.maxClockSkew, layout)
        let (result, release) = try await writeUncaptured { db in
            var merge = Merge(db, layout: layout, policy: policy, now: now, maxClockSkew: skew)
            let result = try body(&merge)
            let changed = merge.changed
            db.afterNextTransaction { _ in self.publish(changed) }
            return (result, merge.nextClockRelease)
        }
        if let release { heldRelease.schedule(at: release, now: now) { [weak self] in _ = try? await self?.applyHeld() } }
        return result
    }

    /// Publishes what a merge changed: each record, or one summary when there are many (a subscriber's buffer is
    /// bounded, and a record-by-record flood of a large bundle would only push out the rest).
    func publish(_ changed: MergedChanges) {
        guard changed.summarized else {
            for event in changed.events { changes.publish(event) }
            return
        }
        var summary = ImportSummary()
        summary.lines = changed.count
        summary.created = changed.created
        summary.updated = changed.count - changed.created
        changes.publish(ChangeEvent(operation: .imported, record: nil, summary: summary))
    }

    // MARK: Conflicts

    /// Fields with concurrent values that lost, optionally of one record (id or prefix).
    public func conflicts(record: String? = nil) async throws(StoreError) -> [Conflict] {
        try await read { db in
            let id = try record.map { try Resolve.id(db, $0).id }
            return try Self.conflicts(db, recordID: id)
        }
    }

    static func conflicts(_ db: Database, recordID: String?) throws -> [Conflict] {
        var sql = """
            SELECT c.tbl, c.pk, c.col, c.origin, c.seq, c.clock, c.value, l.user FROM sync_conflict c
            LEFT JOIN sync_origin o ON o.office = c.origin LEFT JOIN sync_log l ON l.origin = o.n AND l.seq = c.seq
            """
        var arguments: StatementArguments = []
        if let recordID {
            sql += " WHERE c.pk = ?"
            arguments = [recordID]
        }
        sql += " ORDER BY c.tbl, c.pk, c.col, c.clock, c.origin, c.seq"
        var grouped: [(key: [String], rows: [Row])] = []
        for row in try Row.fetchAll(db, sql: sql, arguments: arguments) {
            let key = [row["tbl"] as String, row["pk"] as String, row["col"] as String]
            if grouped.last?.key == key { grouped[grouped.count - 1].rows.append(row) } else { grouped.append((key, [row])) }
        }
        var result: [Conflict] = []
        for (key, rows) in grouped {
            guard let kind = RecordKind(rawValue: key[0]), let field = kind.field(key[2]) else { continue }
            let currentValue =
                try DatabaseValue.fetchOne(
                    db, sql: "SELECT \"\(field.name)\" FROM \"\(kind.rawValue)\" WHERE id = ?", arguments: [key[1]]) ?? .null
            let losers = rows.filter { ($0["value"] as DatabaseValue) != currentValue }.map { row in
                ConflictValue(
                    value: RecordRows.json(row["value"], type: field.type), office: row["origin"],
                    seq: UInt64(row["seq"] as Int64), user: row["user"] ?? "",
                    at: Timestamp.format(millisecondsSince1970: HybridClock.milliseconds(UInt64(bitPattern: row["clock"]))))
            }
            guard !losers.isEmpty else { continue }
            let writer = try ClockEntry.get(db, id: key[1], column: key[2])
            let writerRow = try writer.flatMap {
                try Row.fetchOne(
                    db,
                    sql: """
                        SELECT o.office, l.user FROM sync_origin o LEFT JOIN sync_log l ON l.origin = o.n AND l.seq = ?
                        WHERE o.n = ?
                        """, arguments: [$0.seq, $0.origin])
            }
            let current = ConflictValue(
                value: RecordRows.json(currentValue, type: field.type), office: writerRow?["office"] ?? "",
                seq: UInt64(writer?.seq ?? 0), user: writerRow?["user"] ?? "",
                at: Timestamp.format(millisecondsSince1970: HybridClock.milliseconds(UInt64(bitPattern: writer?.clock ?? 0))))
            result.append(Conflict(recordID: key[1], kind: kind, field: field.name, current: current, losers: losers))
        }
        return result
    }

    /// Settles the conflict on one field: keeps the current value, a losing office's value, or a new one.
    /// The settlement is a change like any other and syncs; other offices then list no conflict there either.
    public func settleConflict(record: String, field: String, choice: ConflictChoice, user: String)
        async throws(StoreError) -> TreatyModel.Record
    {
        let context = context(user: user)
        return try await write(user: user, events: { [ChangeEvent(operation: .updated, record: $0, summary: nil)] }) { db in
            let id = try Resolve.id(db, record).id
            guard let conflict = try Self.conflicts(db, recordID: id).first(where: { $0.field == field }) else {
                throw StoreError.notFound("conflict on field \(field) of \(id)")
            }
            let value: JSONValue
            switch choice {
            case .current: value = conflict.current.value
            case .value(let given): value = given
            case .office(let prefix):
                // An office's name, as --for and --office take it, or its id or a prefix of it.
                let named = try? Self.resolveOffice(db, prefix)
                // That office's value may be the one shown already: keeping it is keeping the current one.
                let candidates = conflict.losers + [conflict.current]
                let matches = candidates.filter { $0.office == named || $0.office.hasPrefix(prefix.lowercased()) }
                guard matches.count == 1 else {
                    throw StoreError.invalidArgument(
                        matches.isEmpty
                            ? "no value on \(field) in this conflict was written by the office \(prefix)"
                            : "\(matches.count) values on \(field) came from offices starting \(prefix): give more")
                }
                value = matches[0].value
            }
            try db.execute(
                sql: "DELETE FROM sync_conflict WHERE tbl = ? AND pk = ? AND col = ?",
                arguments: [conflict.kind.rawValue, id, field])
            var settled = try Writes.current(db, id: id)
            if value != conflict.current.value, let version = settled.provenance?.version {
                settled = try Writes.update(db, id: id, version: version, set: [field: value], context: context)
            }
            // After the value kept is written, as an office receiving the settlement notes it.
            for loser in conflict.losers {
                try ChangeLog.append(
                    db, operation: "settled", id: id, before: [field: loser.value],
                    after: [field: value], at: context.now, office: context.office, user: context.user)
            }
            return settled
        }
    }
}
