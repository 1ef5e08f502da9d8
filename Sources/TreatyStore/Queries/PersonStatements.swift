import GRDB
import TreatyModel
import TreatyProtocol

extension TreatyStore {
    /// The person's statements and the statements reporting their words, over time.
    public func statements(of idOrPrefix: String) async throws(StoreError) -> PersonStatements {
        try await read { db in
            let person = try TreatyStore.fetch(db, idOrPrefix, kind: .person)
            let own = try Lookup.records(db, .statement, where: "speaker_id", is: person.id).map { ($0, false) }
            let reported = try Lookup.records(db, .statement, where: "reports_id", is: person.id).map { ($0, true) }
            let entries = try (own + reported).map { statement, isReported in
                PersonStatements.Entry(
                    comment: try Self.comment(db, statement),
                    about: try Lookup.records(db, .about, where: "statement_id", is: statement.id).compactMap {
                        try Lookup.ref(db, $0.text("subject_id"))
                    }, reported: isReported,
                    predictions: try Lookup.records(db, .prediction, where: "statement_id", is: statement.id))
            }
            let sorted = entries.enumerated().sorted { a, b in
                (a.element.comment.statement.text("date") ?? "~", a.offset)
                    < (b.element.comment.statement.text("date") ?? "~", b.offset)
            }.map(\.element)
            return PersonStatements(
                person: try Lookup.ref(db, person),
                roles: try Lookup.records(db, .membership, where: "member_id", is: person.id), statements: sorted)
        }
    }
}
