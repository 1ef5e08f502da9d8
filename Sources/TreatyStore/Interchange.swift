import Foundation
import GRDB
import TreatyModel

/// How large a change set a bulk write makes: it is cut after this many records or bytes of input, whichever
/// comes first (at the first line after that where nothing written refers forward).
struct ChangeSetBound: Sendable {
    let records: Int
    let bytes: Int
}

/// What an import did.
public struct ImportSummary: Sendable, Hashable {
    /// Lines read, blank ones included.
    public var lines = 0
    public var created = 0
    /// Records already present that the import carried a newer version of, or an edit of (other content at the
    /// version stored here).
    public var updated = 0
    /// Records already present with the same content, or at a newer version.
    public var unchanged = 0
    /// Lines with other content than the record stored here at a newer version (or deleted here): an edit of an
    /// outdated copy, not applied. ``staleLines`` lists the first of them.
    public var stale = 0
    public var staleLines: [Int] = []
    /// Offices the import admitted, as it was told to.
    public var admitted: [String] = []

    /// How many stale line numbers a summary lists.
    public static let staleLinesListed = 20

    public init() {}
}

extension TreatyStore {
    /// Imports a JSON Lines file: one record per line with a `"type"`, as ``exportJSONLines(includeDeleted:to:)``
    /// writes it.
    ///
    /// The whole file is one transaction: every record is validated and every reference checked (to
    /// records already stored or anywhere in the file) before the commit; one bad line and nothing is
    /// written. Records keep their ids and provenance when given (lossless). A record already present is
    /// replaced by a higher version; at the version stored here, other content is an edit and becomes the next
    /// version; at an older version, other content is counted as stale and not applied. The file is read in
    /// constant memory; the change set that carries the import to other offices is built whole (about 600 bytes
    /// per record before compression).
    ///
    /// An office record admits that office: every change set its key signs is then applied here. So an import
    /// admits only the offices `admitting` names (the user's explicit act, reported in the summary); any other
    /// office not admitted here already is refused with its line.
    ///
    /// - Parameters:
    ///   - admitting: ids of the offices the file may admit.
    ///   - dryRun: check and apply everything, report what would change, then roll it all back.
    ///   - progress: called with the number of lines read, every 1,000 lines.
    public func importJSONLines(
        from path: String, user: String, admitting: Set<String> = [], dryRun: Bool = false,
        progress: (@Sendable (Int) -> Void)? = nil
    ) async throws(StoreError) -> ImportSummary {
        _ = try LineReader(path: path)  // fail early, outside the transaction, when the file cannot be read
        let context = context(user: user)
        let (office, layout, clock) = (office, layout, clock)
        let bound = ChangeSetBound(records: options.maxChangeSetRecords, bytes: options.maxChangeSetBytes)
        let summary = try await writeWithoutTransaction { db in
            var summary = ImportSummary()
            try db.inTransaction {
                if dryRun {
                    summary = try Self.importLines(
                        db, path: path, context: context, admitting: admitting, bound: nil, progress: progress)
                    return .rollback
                }
                summary = try LocalChanges.run(db, office: office, layout: layout, user: user, wallClock: clock()) { changes in
                    try Self.importLines(
                        db, path: path, context: context, admitting: admitting, bound: (bound, changes), progress: progress)
                }
                if summary.created + summary.updated > 0 {
                    let event = ChangeEvent(operation: .imported, record: nil, summary: summary)
                    db.afterNextTransaction { _ in self.changes.publish(event) }
                }
                return .commit
            }
            return summary
        }
        // Change sets of the offices just admitted that were held here can be applied now.
        if !summary.admitted.isEmpty, !dryRun { _ = try await applyHeld() }
        return summary
    }

    /// Reads and applies the lines. With `bound`, the write is cut into change sets of about that size, each at a
    /// line where every reference made so far has reached its target (a line may name a record later in the
    /// file: the change set then runs on until the target is in), so a receiver applying them one by one never
    /// holds a reference to a record it does not have.
    /// How many bad lines of an import are reported one by one.
    static let reportedErrors = 20

    static func importLines(
        _ db: Database, path: String, context: WriteContext, admitting: Set<String>,
        bound: (ChangeSetBound, ChangeSetWriter)?, progress: (@Sendable (Int) -> Void)?
    ) throws -> ImportSummary {
        var reader = try LineReader(path: path)
        var summary = ImportSummary()
        let ledger = try ImportLedger.begin(db)
        var (records, bytes) = (0, 0)
        // A bad line fails the import, but the lines after it are still checked, so one run names every bad line
        // (up to a limit): nothing is written, as the transaction is rolled back.
        var bad: [StoreError] = []
        var badCount = 0
        func noteBad(_ error: StoreError) {
            badCount += 1
            if bad.count < reportedErrors { bad.append(error) }
        }
        while var line = reader.next() {
            summary.lines += 1
            // A byte-order mark, as some editors write at the start of a UTF-8 file, is not part of the first record.
            if summary.lines == 1, line.starts(with: [0xEF, 0xBB, 0xBF]) { line.removeFirst(3) }
            do {
                try Self.importLine(
                    db, line, number: summary.lines, ledger: ledger, context: context, admitting: admitting,
                    summary: &summary)
            } catch let error as StoreError where error.line != nil {
                noteBad(error)
                continue
            }
            if summary.lines % 1000 == 0 { progress?(summary.lines) }
            guard badCount == 0, let (limit, changes) = bound else { continue }
            records += 1
            bytes += line.count
            guard records >= limit.records || bytes >= limit.bytes else { continue }
            if try ledger.settle(db) {
                try changes.cut()
                (records, bytes) = (0, 0)
            } else {
                // A reference still waits for a later line: try again a tenth of a change set on.
                (records, bytes) = (limit.records * 9 / 10, limit.bytes * 9 / 10)
            }
        }
        if reader.overlongLine {
            let error = StoreError.invalidJSON("line longer than 16 MiB", line: summary.lines + 1)
            guard badCount > 0 else { throw error }
            noteBad(error)
        }
        if badCount > 0 {
            // References to records the file never brings are found at its end: name the first of those too.
            do { try ledger.verify(db) } catch let error as StoreError where error.line != nil { noteBad(error) }
            throw badCount == 1 ? bad[0] : StoreError.badLines(bad, total: badCount)
        }
        try ledger.verify(db)
        progress?(summary.lines)
        return summary
    }

    static func importLine(
        _ db: Database, _ data: Data, number: Int, ledger: ImportLedger, context: WriteContext,
        admitting: Set<String>, summary: inout ImportSummary
    ) throws {
        if data.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return }
        let json: JSONValue
        do {
            json = try JSONCodec.decode(data)
        } catch {
            throw StoreError.invalidJSON(error.description, line: number)
        }
        let record: Record
        do {
            record = try Record(json: json)
        } catch {
            throw StoreError.invalidRecord(error, line: number)
        }
        if record.kind == .office, record.provenance?.deleted != true,
            try Bool.fetchOne(db.cachedStatement(sql: "SELECT deleted = 0 FROM office WHERE id = ?"), arguments: [record.id])
                != true
        {
            guard admitting.contains(record.id) else {
                throw StoreError.invalidArgument(
                    "line \(number): the file admits the office \(record.id.prefix(12))"
                        + (record.text("name").map { " (\($0.prefix(80)))" } ?? "")
                        + ", and an admitted office's signed change sets are applied here. Admit it on purpose: "
                        + "treaty office add \(record.id), or import with --admit-office \(record.id)")
            }
            summary.admitted.append(record.id)
        }
        if !record.id.isEmpty, let entry = try RecordRows.indexEntry(of: record.id, db) {
            // Made earlier in this file, or carried twice: either way a second line for one id.
            guard entry.seq <= ledger.lastSeqBefore, try ledger.claim(db, id: record.id) else {
                throw StoreError.duplicateID(record.id, line: number)
            }
            guard entry.kind == record.kind else {
                throw StoreError.invalidArgument(
                    "line \(number): \(record.id) is \(Grammar.a(entry.kind.rawValue)) here, not \(Grammar.a(record.kind.rawValue))")
            }
            guard let existing = try RecordRows.fetch(db, kind: entry.kind, id: record.id),
                let current = existing.provenance
            else { return }
            let version = record.provenance?.version ?? current.version
            if let incoming = record.provenance, version > current.version {
                try Writes.replace(db, record, provenance: incoming, context: context, ledger: ledger, line: number)
                summary.updated += 1
            } else if let edits = Self.edits(from: existing, to: record), record.provenance?.deleted != true {
                // Other content: at the version stored here it is an edit (the next version); at an older one
                // it was made on an outdated copy, and applying it would undo what came since.
                guard version == current.version, !current.deleted else {
                    summary.stale += 1
                    if summary.staleLines.count < ImportSummary.staleLinesListed { summary.staleLines.append(number) }
                    return
                }
                _ = try Writes.update(db, id: record.id, version: current.version, set: edits, context: context)
                summary.updated += 1
            } else {
                summary.unchanged += 1
            }
            return
        }
        try Writes.create(
            db, record, context: context, provenance: record.provenance, deferReferences: ledger, line: number)
        summary.created += 1
    }

    /// The fields whose values differ between the stored record and an imported one (a number written 2 or 2.0
    /// is the same), or nil when none do.
    static func edits(from existing: TreatyModel.Record, to incoming: TreatyModel.Record) -> [String: JSONValue]? {
        var edits: [String: JSONValue] = [:]
        for field in existing.kind.fields {
            let old = existing.fields[field.name] ?? .null
            let new = incoming.fields[field.name] ?? .null
            let same: Bool
            switch field.type {
            case .number: same = old.doubleValue == new.doubleValue && old.isNull == new.isNull
            default: same = old == new
            }
            if !same { edits[field.name] = new }
        }
        return edits.isEmpty ? nil : edits
    }

    /// Writes every record (tombstones too, unless told otherwise) as JSON Lines, kind by kind, oldest first.
    ///
    /// Rows are read through a cursor and handed to `write` one line at a time (without the newline), so
    /// memory stays constant. The lines read back with ``importJSONLines(from:user:progress:)`` to the same records.
    public func exportJSONLines(includeDeleted: Bool = true, to write: (String) throws -> Void) throws(StoreError) {
        try readSync { db in
            for kind in RecordKind.allCases {
                let condition = includeDeleted ? "" : "WHERE deleted = 0"
                let rows = try Row.fetchCursor(db, sql: "SELECT * FROM \"\(kind.rawValue)\" \(condition) ORDER BY rowid")
                while let row = try rows.next() {
                    try write(JSONCodec.string(RecordRows.record(from: row, kind: kind).json))
                }
            }
        }
    }
}

/// Where a paged export stopped: the kind and the last row handed out. Its text form is opaque to callers.
public struct ExportCursor: Sendable, Hashable, CustomStringConvertible {
    let kindIndex: Int
    let rowid: Int64

    public var description: String { "\(kindIndex).\(rowid)" }

    public init?(_ text: String) {
        let parts = text.split(separator: ".")
        guard parts.count == 2, let k = Int(parts[0]), let r = Int64(parts[1]),
            RecordKind.allCases.indices.contains(k)
        else { return nil }
        kindIndex = k
        rowid = r
    }

    init(kindIndex: Int, rowid: Int64) {
        self.kindIndex = kindIndex
        self.rowid = rowid
    }
}

extension TreatyStore {
    /// One page of the JSON Lines export, in the same order as ``exportJSONLines(includeDeleted:to:)``.
    ///
    /// - Returns: up to `limit` lines and the cursor to pass for the next page, nil after the last.
    public func exportPage(after cursor: ExportCursor?, limit: Int) async throws(StoreError)
        -> (lines: [String], next: ExportCursor?)
    {
        guard (1...10_000).contains(limit) else { throw .invalidArgument("limit must be between 1 and 10000") }
        return try await read { db in
            var lines: [String] = []
            var kindIndex = cursor?.kindIndex ?? 0
            var after = cursor?.rowid ?? 0
            var last = ExportCursor(kindIndex: kindIndex, rowid: after)
            while kindIndex < RecordKind.allCases.count {
                let kind = RecordKind.allCases[kindIndex]
                let rows = try Row.fetchAll(
                    db, sql: "SELECT rowid AS _rowid, * FROM \"\(kind.rawValue)\" WHERE rowid > ? ORDER BY rowid LIMIT ?",
                    arguments: [after, limit - lines.count])
                for row in rows {
                    lines.append(JSONCodec.string(RecordRows.record(from: row, kind: kind).json))
                    last = ExportCursor(kindIndex: kindIndex, rowid: row["_rowid"])
                }
                if lines.count == limit { return (lines, last) }
                kindIndex += 1
                after = 0
            }
            return (lines, nil)
        }
    }
}
