import GRDB
import TreatyModel
import TreatyProtocol

extension TreatyStore {
    /// Everything about one agreement, with its status as of `day` (today when nil).
    public func dossier(_ idOrPrefix: String, asOf day: Day? = nil) async throws(StoreError) -> AgreementDossier {
        let day = day ?? today()
        return try await read { db in
            let agreement = try Lookup.agreement(db, idOrPrefix)
            let id = agreement.id
            let facts = try Lookup.facts(db, agreement: id)
            let parties = try Lookup.records(db, .party, where: "agreement_id", is: id).map { party in
                AgreementDossier.Party(
                    party: party, actor: try Lookup.ref(db, party.text("actor_id")),
                    status: StatusDerivation.status(of: facts, party: party.text("actor_id"), on: day))
            }
            let links = { (field: String, otherField: String) throws -> [AgreementDossier.Link] in
                try Lookup.records(db, .relation, where: field, is: id).map {
                    AgreementDossier.Link(relation: $0, other: try Lookup.ref(db, $0.text(otherField)))
                }
            }
            let comments = try Lookup.records(db, .about, where: "subject_id", is: id).compactMap { about in
                try about.text("statement_id").flatMap { try RecordRows.fetch(db, kind: .statement, id: $0) }
            }.filter { $0.provenance?.deleted == false }.map { try Self.comment(db, $0) }
            return AgreementDossier(
                agreement: agreement, names: try Lookup.records(db, .name, where: "owner_id", is: id),
                asOf: day.description, status: StatusDerivation.status(of: facts, on: day), parties: parties,
                provisions: try Lookup.records(db, .provision, where: "agreement_id", is: id),
                timeline: Lookup.timeline(try Lookup.records(db, .lifecycleEvent, where: "agreement_id", is: id)),
                relationsOut: try links("from_id", "to_id"), relationsIn: try links("to_id", "from_id"),
                statements: comments.sorted { ($0.statement.text("date") ?? "~") < ($1.statement.text("date") ?? "~") })
        }
    }

    static func comment(_ db: Database, _ statement: Record) throws -> AgreementDossier.Comment {
        var role: String?
        if let membership = try statement.text("membership_id").flatMap({
            try RecordRows.fetch(db, kind: .membership, id: $0)
        }) {
            role = membership.text("role")
            if let organization = try Lookup.ref(db, membership.text("organization_id")) {
                role = (role ?? "") + ", " + organization.label
            }
        }
        return AgreementDossier.Comment(
            statement: statement, speaker: try Lookup.ref(db, statement.text("speaker_id")), role: role,
            source: try Lookup.ref(db, statement.text("source_id")),
            reports: try Lookup.ref(db, statement.text("reports_id")))
    }

    /// Today in UTC, by the store's clock.
    public func today() -> Day {
        Timestamp.day(of: timestamp())!
    }
}
