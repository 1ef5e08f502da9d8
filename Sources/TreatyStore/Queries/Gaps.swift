import GRDB
import TreatyModel
import TreatyProtocol

extension TreatyStore {
    /// The gaps matrix: every pair of `organization`'s members on `day`, and whether an agreement between
    /// them carrying `provision` is in force, signed only, uncertain, or missing.
    ///
    /// Members are states whose membership (role `member`, or `observer` too when asked) spans `day`; a
    /// membership with no start date counts as long-standing.
    public func gaps(
        organization: String, provision: String, on day: Day? = nil, includeObservers: Bool = false
    ) async throws(StoreError) -> GapsReport {
        let day = day ?? today()
        return try await read { db in
            let org = try TreatyStore.organization(db, organization)
            let provision = try TreatyStore.provisionType(db, provision)
            var members = try Self.memberStates(
                db, of: org.id, roles: includeObservers ? ["member", "observer"] : ["member"], on: day)
            members.sort { ($0.text("iso3") ?? $0.label) < ($1.text("iso3") ?? $1.label) }
            // Agreements carrying the provision, with each party's status on the day.
            var standings: [String: [String: (String, DerivedStatus)]] = [:]  // agreement -> actor -> status
            let agreementIDs = Set(
                try Lookup.records(db, .provision, where: "provision_type", is: provision).compactMap { $0.text("agreement_id") })
            for agreementID in agreementIDs.sorted() {
                guard let agreement = try RecordRows.fetch(db, kind: .agreement, id: agreementID),
                    agreement.provenance?.deleted == false
                else { continue }
                let facts = try Lookup.facts(db, agreement: agreementID)
                for party in try Lookup.records(db, .party, where: "agreement_id", is: agreementID)
                where party.text("role") == "party" {
                    guard let actor = party.text("actor_id") else { continue }
                    standings[agreementID, default: [:]][actor] = (
                        agreementID, StatusDerivation.status(of: facts, party: actor, on: day)
                    )
                }
            }
            var pairs: [GapsReport.Pair] = []
            let refs = try members.map { try Lookup.ref(db, $0) }
            for i in members.indices {
                for j in members.indices where j > i {
                    var best = GapsReport.Standing.none
                    var behind: [String] = []
                    for (agreementID, parties) in standings {
                        guard let a = parties[members[i].id]?.1, let b = parties[members[j].id]?.1 else { continue }
                        let standing = Self.standing(a, b)
                        if standing > best {
                            best = standing
                            behind = [agreementID]
                        } else if standing == best, standing != .none {
                            behind.append(agreementID)
                        }
                    }
                    pairs.append(
                        GapsReport.Pair(
                            a: refs[i], b: refs[j], standing: best,
                            agreements: try behind.sorted().compactMap { try Lookup.ref(db, $0) }))
                }
            }
            return GapsReport(
                organization: try Lookup.ref(db, org), provision: provision, on: day.description, members: refs,
                pairs: pairs)
        }
    }

    static func standing(_ a: DerivedStatus, _ b: DerivedStatus) -> GapsReport.Standing {
        if a.isCertain, b.isCertain {
            if a.lower == .inForce, b.lower == .inForce { return .inForce }
        }
        let possiblyInForce = a.upper == .inForce && b.upper == .inForce
        if possiblyInForce { return .uncertain }
        let signed: (DerivedStatus) -> Bool = { $0.lower.isSignedNotInForce || $0.lower == .inForce }
        return signed(a) && signed(b) ? .signed : .none
    }

    /// The live states holding one of `roles` in an organisation on `day` (at any time when nil), each once.
    static func memberStates(_ db: Database, of organization: String, roles: Set<String>, on day: Day?) throws -> [Record] {
        var members: [Record] = []
        for membership in try Lookup.records(db, .membership, where: "organization_id", is: organization) {
            guard roles.contains(membership.text("role") ?? ""), day.map({ spans(membership, $0) }) ?? true,
                let memberID = membership.text("member_id"),
                let member = try RecordRows.fetch(db, kind: .actor, id: memberID),
                member.provenance?.deleted == false, member.text("kind") == "state",
                !members.contains(where: { $0.id == member.id })
            else { continue }
            members.append(member)
        }
        return members
    }

    /// Whether a membership's start ... end spans `day`; partial or missing dates count generously.
    static func spans(_ membership: Record, _ day: Day) -> Bool {
        if let start = membership.text("start").flatMap(PartialDate.init), start.earliest > day { return false }
        if let end = membership.text("end").flatMap(PartialDate.init), end.latest < day { return false }
        return true
    }
}
