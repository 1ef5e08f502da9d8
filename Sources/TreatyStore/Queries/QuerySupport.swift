import GRDB
import TreatyModel
import TreatyProtocol

/// Small lookups the queries share.
enum Lookup {
    static func ref(_ db: Database, _ id: String?) throws -> RecordRef? {
        guard let id, let kind = try RecordRows.kind(of: id, db), let record = try RecordRows.fetch(db, kind: kind, id: id)
        else { return nil }
        return try ref(db, record)
    }

    static func ref(_ db: Database, _ record: Record) throws -> RecordRef {
        RecordRef(id: record.id, kind: record.kind, label: try displayName(db, record))
    }

    /// The record's label, followed by its English name in parentheses when it has a different one.
    static func displayName(_ db: Database, _ record: Record) throws -> String {
        let label = record.label
        if record.kind == .source, record.text("title") == nil, let outlet = try ref(db, record.text("outlet_id")) {
            return "\(outlet.label) (title unknown)"
        }
        guard [.actor, .person, .event].contains(record.kind) else { return label }
        let english = try String.fetchOne(
            db.cachedStatement(
                sql: "SELECT name FROM name WHERE owner_id = ? AND kind = 'english' AND deleted = 0 ORDER BY rowid LIMIT 1"),
            arguments: [record.id])
        guard let english, english != label else { return label }
        return "\(label) (\(english))"
    }

    /// Live records of `kind` whose `field` equals `value`, oldest first.
    static func records(_ db: Database, _ kind: RecordKind, where field: String, is value: String) throws -> [Record] {
        try Row.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM \"\(kind.rawValue)\" WHERE \"\(field)\" = ? AND deleted = 0 ORDER BY rowid"),
            arguments: [value]
        ).map { RecordRows.record(from: $0, kind: kind) }
    }

    /// The lifecycle events of an agreement as facts for status derivation.
    static func facts(_ db: Database, agreement: String) throws -> [LifecycleFact] {
        try records(db, .lifecycleEvent, where: "agreement_id", is: agreement).compactMap(fact)
    }

    static func fact(_ event: Record) -> LifecycleFact? {
        guard let kind = event.text("kind").flatMap(LifecycleKind.init(rawValue:)),
            let recorded = event.provenance.flatMap({ Timestamp.day(of: $0.createdAt) })
        else { return nil }
        return LifecycleFact(
            kind: kind, party: event.text("party_id"), date: event.text("date").flatMap(PartialDate.init),
            recorded: recorded)
    }

    static func agreement(_ db: Database, _ idOrPrefix: String) throws -> Record {
        try TreatyStore.fetch(db, idOrPrefix, kind: .agreement)
    }

    /// Lifecycle events sorted as a timeline: by earliest possible day, undated ones by when recorded.
    static func timeline(_ events: [Record]) -> [Record] {
        events.sorted { a, b in
            let ka = sortKey(a)
            let kb = sortKey(b)
            return ka < kb
        }
    }

    private static func sortKey(_ event: Record) -> (String, Int, String) {
        let day = event.text("date").flatMap(PartialDate.init)?.earliest.description
            ?? String(event.provenance?.createdAt.prefix(10) ?? "9999")
        let kindIndex = event.text("kind").flatMap(LifecycleKind.init(rawValue:))
            .flatMap { LifecycleKind.allCases.firstIndex(of: $0) } ?? 0
        return (day, kindIndex, event.id)
    }
}
