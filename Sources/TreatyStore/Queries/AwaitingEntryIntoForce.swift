import GRDB
import TreatyModel
import TreatyProtocol

extension TreatyStore {
    /// Agreements approved by a legislature at least `days` days before `day` with no decree, ratification
    /// or entry into force recorded after the approval (for that party, or for all).
    public func awaitingEntryIntoForce(olderThan days: Int = 0, on day: Day? = nil) async throws(StoreError)
        -> [AwaitingAgreement]
    {
        guard days >= 0 else { throw .invalidArgument("days must not be negative") }
        let day = day ?? today()
        return try await read { db in
            var result: [AwaitingAgreement] = []
            let approvals = try Row.fetchAll(
                db, sql: "SELECT * FROM lifecycle_event WHERE kind = 'approved' AND deleted = 0 ORDER BY rowid"
            ).map { RecordRows.record(from: $0, kind: .lifecycleEvent) }
            for approval in approvals {
                guard let agreementID = approval.text("agreement_id"), let approvedFact = Lookup.fact(approval),
                    approvedFact.happened(by: day) == .yes,
                    let agreement = try RecordRows.fetch(db, kind: .agreement, id: agreementID),
                    agreement.provenance?.deleted == false
                else { continue }
                let party = approval.text("party_id")
                let later = try Lookup.facts(db, agreement: agreementID).filter { fact in
                    [.decree, .ratified, .deposited, .enteredIntoForce, .terminated, .superseded].contains(fact.kind)
                        && (fact.party == nil || fact.party == party) && fact.happened(by: day) != .no
                }
                guard later.isEmpty else { continue }
                let last = approvedFact.date?.latest ?? approvedFact.recorded
                let waiting = day.ordinal - last.ordinal
                guard waiting >= days else { continue }
                result.append(
                    AwaitingAgreement(
                        agreement: try Lookup.ref(db, agreement), party: try Lookup.ref(db, party), approval: approval,
                        daysWaiting: waiting))
            }
            return result.sorted { $0.daysWaiting > $1.daysWaiting }
        }
    }
}
