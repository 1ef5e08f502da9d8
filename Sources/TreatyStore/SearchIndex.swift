import GRDB
import TreatyModel

/// One search result: the record, a passage with the match in brackets, and how well it matched.
public struct SearchHit: Sendable, Hashable {
    public let kind: RecordKind
    public let id: String
    /// The shortest prefix of the id that names this record alone, read in the same transaction.
    public var shortID: String
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
/// first, then by bm25. bm25 costs grow with the number of matches, and not only those it ranks: it counts every
/// document holding each word of the query, a scan of the word's whole list (77 ms for a word in each of a million
/// statements, whatever the LIMIT). So a query matching more than ``rankingWindow`` records is not ranked: its
/// hits are its newest matches, exact spellings first, with score 0 (found in reverse rowid order, which FTS5
/// answers without scoring; 1-2 ms).
///
/// The index is contentless (`content=''`): it keeps the words, not a copy of the text, which the record tables
/// hold already (a copy was a fifth of the database). A document's rowid is its record's `record_index.seq`;
/// its text is made again from the record when a search shows a passage. A contentless index forgets a document
/// only when told the very text it indexed, so every write takes the documents it may change out of the index
/// before it changes anything (``detach(_:kind:id:owners:)``) and puts them back after (``attach(_:_:)``).
///
/// A document holds its record's searchable fields and the other names it goes by; a statement's also its
/// speaker's name, so that a search for a person finds what they said (and "Aliyev Shusha" what Aliyev said about
/// Shusha). A write of a person therefore changes the documents of their statements too.
enum SearchIndex {
    static let rankingWindow = 2000

    /// Kinds that get a document of their own. Names fold into their owner's document.
    static let indexedKinds: Set<RecordKind> = Set(
        RecordKind.allCases.filter { kind in
            kind != .name && kind != .office && kind != .membership && kind.fields.contains(where: \.searchable)
        })

    /// Takes out of the index the documents a write of the record `kind` `id` may change: its own, or for a name,
    /// its owners' (`owners`: the owner before and after the write); for a person, also their statements'. Call it
    /// before the write changes anything, and ``attach(_:_:)`` with what it returns after.
    static func detach(_ db: Database, kind: RecordKind, id: String, owners: [String?] = []) throws -> [String] {
        var ids = kind == .name ? Array(Set(owners.compactMap { $0 })) : [id]
        if kind == .person {
            ids += try String.fetchAll(
                db.cachedStatement(sql: "SELECT id FROM statement WHERE speaker_id = ?"), arguments: [id])
        }
        for id in ids {
            if let (record, seq) = try stored(db, id) { try write(db, record, remove: true, seq: seq) }
        }
        return ids
    }

    /// Puts back into the index the documents ``detach(_:kind:id:owners:)`` took out, as they are now.
    static func attach(_ db: Database, _ ids: [String]) throws {
        for id in ids {
            if let (record, seq) = try stored(db, id) { try write(db, record, remove: false, seq: seq) }
        }
    }

    /// Indexes a record just created (a name: its owner's document changes, so detach and attach that).
    static func add(_ db: Database, _ record: Record, seq: Int64? = nil) throws {
        try write(db, record, remove: false, seq: seq)
    }

    /// The record with this id and its document's rowid, when it is of a kind with a document.
    private static func stored(_ db: Database, _ id: String) throws -> (Record, Int64)? {
        guard let entry = try RecordRows.indexEntry(of: id, db), indexedKinds.contains(entry.kind),
            let record = try RecordRows.fetch(db, kind: entry.kind, id: id)
        else { return nil }
        return (record, entry.seq)
    }

    /// Inserts the record's document, or removes it with the `delete` command and the text it was indexed with.
    /// `seq`: the record's `record_index.seq`, when the caller has it.
    private static func write(_ db: Database, _ record: Record, remove: Bool, seq: Int64? = nil) throws {
        guard indexedKinds.contains(record.kind), record.provenance?.deleted != true,
            let seq = try seq
                ?? Int64.fetchOne(
                    db.cachedStatement(sql: "SELECT seq FROM record_index WHERE id = ?"), arguments: [record.id])
        else { return }
        // Deleting a document that is not in the index would damage it (a record written around treatyd).
        if remove,
            try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM search_fts_docsize WHERE id = ?"), arguments: [seq])
                == nil
        {
            return
        }
        let text = try document(db, record)
        guard !text.isEmpty else { return }
        let statement =
            remove
            ? try db.cachedStatement(
                sql: "INSERT INTO search_fts (search_fts, rowid, text, phonetic) VALUES ('delete', ?, ?, ?)")
            : try db.cachedStatement(sql: "INSERT INTO search_fts (rowid, text, phonetic) VALUES (?, ?, ?)")
        try statement.execute(arguments: [seq, text, NameFolding.phonetic(text)])
    }

    /// Rebuilds every document from the tables.
    static func rebuild(_ db: Database) throws {
        try db.execute(sql: "INSERT INTO search_fts (search_fts) VALUES ('delete-all')")
        for kind in RecordKind.allCases where indexedKinds.contains(kind) {
            let rows = try Row.fetchCursor(db, sql: "SELECT * FROM \"\(kind.rawValue)\" WHERE deleted = 0")
            while let row = try rows.next() {
                try add(db, RecordRows.record(from: row, kind: kind))
            }
        }
    }

    /// The searchable text of a record: its searchable fields and the other names it goes by.
    static func document(_ db: Database, _ record: Record) throws -> String {
        var parts: [String] = []
        if record.kind == .statement, let speaker = record.text("speaker_id"),
            let name = try String.fetchOne(
                db.cachedStatement(sql: "SELECT name FROM person WHERE id = ?"), arguments: [speaker])
        {
            parts.append(name + " —")
        }
        parts += record.kind.fields.filter(\.searchable).compactMap { record.text($0.name) }
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
        let phoneticWords = words.map { NameFolding.phoneticKeys($0).filter { !$0.isEmpty } }
        let clauses = zip(exactWords, phoneticWords).map { exact, keys in
            keys.isEmpty
                ? "text : \(quote(exact))"
                : "(text : \(quote(exact)) OR phonetic : (\(keys.map(quote).joined(separator: " OR "))))"
        }
        let match = clauses.joined(separator: " AND ")
        var filter = "search_fts MATCH ?"
        if let kinds, !kinds.isEmpty {
            filter += " AND r.kind IN (\(kinds.map { "'\($0.rawValue)'" }.joined(separator: ", ")))"
        }
        let from = "search_fts JOIN record_index r ON r.seq = search_fts.rowid"
        // More matches than the window: the newest of them, unranked (see above). Else all of them, by bm25.
        let windowFull = try Int64.fetchOne(
            db.cachedStatement(
                sql: "SELECT search_fts.rowid FROM \(from) WHERE \(filter) ORDER BY search_fts.rowid DESC LIMIT 1 OFFSET ?"),
            arguments: [match, rankingWindow - 1]) != nil
        let rows = try Row.fetchCursor(
            db.cachedStatement(
                sql: windowFull
                    ? "SELECT r.kind, r.id, 0.0 AS score FROM \(from) WHERE \(filter) ORDER BY search_fts.rowid DESC LIMIT ?"
                    : "SELECT r.kind, r.id, bm25(search_fts, 10.0, 1.0) AS score FROM \(from) WHERE \(filter) ORDER BY score, r.id LIMIT ?"),
            arguments: [match, limit * 3])
        // Exact spellings first, each group in the query's order (by score, ties by id; or newest first). Once
        // `limit` exact hits are in, no later candidate can be shown: reading stops there, which for a common word
        // makes a passage for 20 candidates instead of 60.
        let (exactSet, phoneticSet) = (Set(exactWords), Set(phoneticWords.joined()))
        var exactHits: [SearchHit] = []
        var otherHits: [SearchHit] = []
        while exactHits.count < limit, let row = try rows.next() {
            guard let kind = RecordKind(rawValue: row["kind"]) else { continue }
            let id: String = row["id"]
            guard let record = try RecordRows.fetch(db, kind: kind, id: id) else { continue }
            let text = try document(db, record)
            let (passage, exact) = passage(in: text, exact: exactSet, phonetic: phoneticSet)
            guard exact || otherHits.count < limit else { continue }
            let hit = SearchHit(
                kind: kind, id: id, shortID: id, label: record.label, passage: passage, exact: exact, score: row["score"])
            if exact { exactHits.append(hit) } else { otherHits.append(hit) }
        }
        var shown = Array((exactHits + otherHits).prefix(limit))
        let shorts = try Resolve.shortIDs(db, shown.map(\.id))
        for index in shown.indices { shown[index].shortID = shorts[shown[index].id] ?? shown[index].id }
        return shown
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
        // Split by scalars: splitting by Characters (grapheme clusters) cost a fifth of a rare word's search.
        // ASCII whitespace is told apart without Unicode's property tables (their lookup was a seventh of a search).
        let words = text.unicodeScalars.split {
            $0.isASCII ? $0 == " " || (0x09...0x0D).contains($0.value) : $0.properties.isWhitespace
        }.map(Substring.init)
        // The first word written as asked, else the first that sounds like it. Phonetic keys cost far more than
        // folding case, so they are computed only when no word matches as written (they were for every word
        // before the match: a third of a rare word's search).
        let parts = words.lazy.map { NameFolding.words(of: String($0)) }
        var found = parts.firstIndex { $0.contains { exact.contains(foldCaseAndMarks($0)) } }
        let isExact = found != nil
        if found == nil {
            found = parts.firstIndex { $0.contains { NameFolding.phoneticKeys($0).contains(where: phonetic.contains) } }
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
