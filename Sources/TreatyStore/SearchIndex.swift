import GRDB
import TreatyModel

/// One search result: the record, a passage with the match in brackets, and how well it matched.
public struct SearchHit: Sendable, Hashable {
    public let kind: RecordKind
    public let id: String
    public let label: String
    public let passage: String
    /// True when a query word matched as written (case and diacritics aside), not only by transliteration.
    public let exact: Bool
    /// bm25 score: lower is better.
    public let score: Double
}

/// Full-text search over agreements, provisions, statements, persons, actors, events and more.
///
/// Each record is one document with two columns: its text, and the text's phonetic key
/// (``NameFolding``). A query word matches either; exact matches are weighted ten times and sorted
/// first. bm25 costs grow with the number of matches, so when a query matches more than
/// ``rankingWindow`` records, only the newest that many are ranked (found in reverse rowid order, which
/// FTS5 answers without scoring).
enum SearchIndex {
    static let rankingWindow = 2000

    /// Kinds that get a document of their own. Names fold into their owner's document.
    static let indexedKinds: Set<RecordKind> = Set(
        RecordKind.allCases.filter { kind in
            kind != .name && kind != .office && kind != .membership && kind.fields.contains(where: \.searchable)
        })

    /// Rewrites the document of `record` (and of its owner, for a name).
    static func reindex(_ db: Database, _ record: Record) throws {
        if record.kind == .name, let owner = record.text("owner_id"), let kind = try RecordRows.kind(of: owner, db),
            let ownerRecord = try RecordRows.fetch(db, kind: kind, id: owner)
        {
            try reindex(db, ownerRecord)
            return
        }
        guard indexedKinds.contains(record.kind),
            let seq = try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT seq FROM record_index WHERE id = ?"), arguments: [record.id])
        else { return }
        try db.cachedStatement(sql: "DELETE FROM search_fts WHERE rowid = ?").execute(arguments: [seq])
        guard record.provenance?.deleted != true else { return }
        let text = try document(db, record)
        guard !text.isEmpty else { return }
        try db.cachedStatement(sql: "INSERT INTO search_fts (rowid, kind, id, text, phonetic) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [seq, record.kind.rawValue, record.id, text, NameFolding.phonetic(text)])
    }

    /// Rebuilds every document from the tables.
    static func rebuild(_ db: Database) throws {
        try db.execute(sql: "DELETE FROM search_fts")
        for kind in RecordKind.allCases where indexedKinds.contains(kind) {
            let rows = try Row.fetchCursor(db, sql: "SELECT * FROM \"\(kind.rawValue)\" WHERE deleted = 0")
            while let row = try rows.next() {
                try reindex(db, RecordRows.record(from: row, kind: kind))
            }
        }
    }

    /// The searchable text of a record: its searchable fields and the other names it goes by.
    static func document(_ db: Database, _ record: Record) throws -> String {
        var parts = record.kind.fields.filter(\.searchable).compactMap { record.text($0.name) }
        parts += try String.fetchAll(
            db.cachedStatement(sql: "SELECT name FROM name WHERE owner_id = ? AND deleted = 0 ORDER BY rowid"),
            arguments: [record.id])
        return parts.joined(separator: "\n")
    }

    /// The longest query, in bytes of UTF-8, and the most words in one: a query's cost grows with both, and
    /// no analyst's search comes near them.
    static let maximumQueryBytes = 1024
    static let maximumQueryWords = 32

    static func search(_ db: Database, query: String, kinds: [RecordKind]?, limit: Int) throws -> [SearchHit] {
        guard query.utf8.count <= maximumQueryBytes else {
            throw StoreError.invalidArgument(
                "a search may be at most \(maximumQueryBytes) bytes long; this one is \(query.utf8.count)")
        }
        let words = NameFolding.words(of: query)
        guard !words.isEmpty else { throw StoreError.invalidArgument("the search has no words") }
        guard words.count <= maximumQueryWords else {
            throw StoreError.invalidArgument(
                "a search may have at most \(maximumQueryWords) words; this one has \(words.count)")
        }
        let exactWords = words.map { foldCaseAndMarks($0) }
        let phoneticWords = words.map { NameFolding.phoneticWord($0) }
        let clauses = zip(exactWords, phoneticWords).map { exact, phonetic in
            phonetic.isEmpty
                ? "text : \(quote(exact))"
                : "(text : \(quote(exact)) OR phonetic : \(quote(phonetic)))"
        }
        let match = clauses.joined(separator: " AND ")
        var filter = "search_fts MATCH ?"
        if let kinds, !kinds.isEmpty {
            filter += " AND kind IN (\(kinds.map { "'\($0.rawValue)'" }.joined(separator: ", ")))"
        }
        // Bound the ranking work: the rowid of the newest `rankingWindow`-th match, if there are that many.
        let floor = try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT rowid FROM search_fts WHERE \(filter) ORDER BY rowid DESC LIMIT 1 OFFSET ?"),
            arguments: [match, rankingWindow - 1]) ?? Int64.min
        let rows = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT kind, id, text, bm25(search_fts, 0.0, 0.0, 10.0, 1.0) AS score
                    FROM search_fts WHERE \(filter) AND rowid >= ?
                    ORDER BY score LIMIT ?
                    """),
            arguments: [match, floor, limit * 3])
        var hits: [SearchHit] = []
        for row in rows {
            guard let kind = RecordKind(rawValue: row["kind"]) else { continue }
            let id: String = row["id"]
            let text: String = row["text"]
            let (passage, exact) = passage(in: text, exact: Set(exactWords), phonetic: Set(phoneticWords))
            let label = try RecordRows.fetch(db, kind: kind, id: id)?.label ?? id
            hits.append(SearchHit(kind: kind, id: id, label: label, passage: passage, exact: exact, score: row["score"]))
        }
        // Exact spellings first, then by score; ties by id so the order is stable.
        hits.sort { ($0.exact ? 0 : 1, $0.score, $0.id) < ($1.exact ? 0 : 1, $1.score, $1.id) }
        return Array(hits.prefix(limit))
    }

    /// Counts in SQLite until the read is interrupted (``StoreOptions/slowSearchForTests``).
    static func spin(_ db: Database) throws {
        try db.execute(
            sql: "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000000000) SELECT count(*) FROM n")
    }

    /// Lowercase without diacritics, as FTS5's unicode61 tokenizer folds (ı, İ and ə kept apart, like it).
    static func foldCaseAndMarks<S: StringProtocol>(_ word: S) -> String {
        // Most words are ASCII: lowercasing is all they need, and Unicode decomposition is costly.
        if word.utf8.allSatisfy({ $0 < 0x80 }) { return word.lowercased() }
        return String(
            String(word).lowercased().decomposedStringWithCanonicalMapping.unicodeScalars.filter {
                $0.properties.generalCategory != .nonspacingMark
            }.map(Character.init))
    }

    /// A window of words around the first match, the match in brackets; and whether it matched exactly.
    static func passage(in text: String, exact: Set<String>, phonetic: Set<String>) -> (String, Bool) {
        let words = text.split(whereSeparator: \.isWhitespace)
        var found: Int?
        var isExact = false
        for (index, word) in words.enumerated() {
            let parts = NameFolding.words(of: String(word))
            if parts.contains(where: { exact.contains(foldCaseAndMarks($0)) }) {
                found = index
                isExact = true
                break
            }
            if found == nil, parts.contains(where: { phonetic.contains(NameFolding.phoneticWord($0)) }) {
                found = index
            }
        }
        guard let hit = found else { return (words.prefix(16).joined(separator: " "), false) }
        let start = max(0, hit - 6)
        let end = min(words.count, hit + 10)
        var shown = words[start..<end].map(String.init)
        shown[hit - start] = "[" + shown[hit - start] + "]"
        return ((start > 0 ? "… " : "") + shown.joined(separator: " ") + (end < words.count ? " …" : ""), isExact)
    }

    static func quote(_ term: String) -> String {
        "\"" + term.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
