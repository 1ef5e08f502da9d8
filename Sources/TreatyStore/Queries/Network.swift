import GRDB
import TreatyModel
import TreatyProtocol

extension TreatyStore {
    /// The agreements among `actors` (or among `organization`'s member states), optionally only those carrying
    /// `provision`, with each pair's standing on `day`.
    public func network(
        actors: [String] = [], organization: String? = nil, provision: String? = nil, on day: Day? = nil
    ) async throws(StoreError) -> AgreementNetwork {
        let day = day ?? today()
        let members = try await memberStates(actors: actors, organization: organization, on: day)
        return try await read { db in
            let ids = Set(members.map(\.id))
            var edges: [AgreementNetwork.Edge] = []
            let provision = try provision.map { try TreatyStore.provisionType(db, $0) }
            for agreement in try Self.agreementsAmong(db, ids, provision: provision) {
                let facts = try Lookup.facts(db, agreement: agreement.id)
                let parties = try Lookup.records(db, .party, where: "agreement_id", is: agreement.id)
                    .filter { $0.text("role") == "party" }.compactMap { $0.text("actor_id") }.filter(ids.contains).sorted()
                let year = facts.filter { $0.kind == .signed }.compactMap { $0.date?.year }.min()
                let ref = try Lookup.ref(db, agreement)
                for i in parties.indices {
                    for j in parties.indices where j > i {
                        let standing = Self.standing(
                            StatusDerivation.status(of: facts, party: parties[i], on: day),
                            StatusDerivation.status(of: facts, party: parties[j], on: day))
                        edges.append(
                            AgreementNetwork.Edge(
                                agreement: ref, a: parties[i], b: parties[j], kind: agreement.text("kind") ?? "",
                                year: year, standing: standing))
                    }
                }
            }
            let nodes = members.map { AgreementNetwork.Node(id: $0.id, label: $0.label, iso3: $0.iso3) }
            return AgreementNetwork(on: day.description, nodes: nodes, edges: edges)
        }
    }

    /// The dyadic table for `years`: one row per pair of states with ISO3 codes per year.
    public func dyadic(
        actors: [String] = [], organization: String? = nil, years: ClosedRange<Int>
    ) async throws(StoreError) -> [DyadicRow] {
        guard years.count <= 500 else { throw .invalidArgument("at most 500 years at once") }
        let members = try await memberStates(actors: actors, organization: organization, on: nil)
            .filter { $0.iso3 != nil }.sorted { $0.iso3! < $1.iso3! }
        return try await read { db in
            let ids = Set(members.map(\.id))
            // For each agreement among them: its provision types, facts and parties.
            struct Entry {
                let id: String
                let types: [String]
                let facts: [LifecycleFact]
                let parties: Set<String>
            }
            var entries: [Entry] = []
            for agreement in try Self.agreementsAmong(db, ids, provision: nil) {
                let types = Set(
                    try Lookup.records(db, .provision, where: "agreement_id", is: agreement.id).compactMap { $0.text("provision_type") })
                let parties = Set(
                    try Lookup.records(db, .party, where: "agreement_id", is: agreement.id)
                        .filter { $0.text("role") == "party" }.compactMap { $0.text("actor_id") })
                entries.append(
                    Entry(id: agreement.id, types: types.sorted(), facts: try Lookup.facts(db, agreement: agreement.id), parties: parties))
            }
            let allTypes = Set(entries.flatMap(\.types)).sorted()
            var rows: [DyadicRow] = []
            for year in years {
                for i in members.indices {
                    for j in members.indices where j > i {
                        let (a, b) = (members[i], members[j])
                        var flags = Dictionary(uniqueKeysWithValues: allTypes.map { ($0, [String]()) })
                        for entry in entries where entry.parties.contains(a.id) && entry.parties.contains(b.id) {
                            guard Self.inForce(entry.facts, a.id, b.id, during: year) else { continue }
                            for type in entry.types { flags[type, default: []].append(entry.id) }
                        }
                        rows.append(
                            DyadicRow(
                                year: year, a: DyadicState(id: a.id, iso3: a.iso3!, cow: a.cow),
                                b: DyadicState(id: b.id, iso3: b.iso3!, cow: b.cow), provisions: flags))
                    }
                }
            }
            return rows
        }
    }

    /// Whether the agreement was certainly in force for both parties on some day of `year`. Statuses change
    /// only on event dates, so checking the year's first and last days and each event's bounds within it
    /// suffices.
    static func inForce(_ facts: [LifecycleFact], _ a: String, _ b: String, during year: Int) -> Bool {
        var days = [Day(year: year, month: 1, day: 1)!, Day(year: year, month: 12, day: 31)!]
        for fact in facts {
            for day in [fact.date?.earliest, fact.date?.latest, fact.recorded].compactMap({ $0 }) where day.year == year {
                days.append(day)
            }
        }
        return days.contains { day in
            StatusDerivation.status(of: facts, party: a, on: day).lower == .inForce
                && StatusDerivation.status(of: facts, party: b, on: day).lower == .inForce
        }
    }

    struct MemberState {
        let id: String
        let label: String
        let iso3: String?
        let cow: Int64?
    }

    /// The states named, or the organisation's member states (on `day`, or ever when nil).
    func memberStates(actors: [String], organization: String?, on day: Day?) async throws(StoreError) -> [MemberState] {
        guard !actors.isEmpty || organization != nil else {
            throw .invalidArgument("name the states (actors) or an organisation whose member states to take")
        }
        return try await read { db in
            var ids: [String] = []
            for actor in actors { ids.append(try TreatyStore.fetch(db, actor, kind: .actor).id) }
            if let organization {
                let org = try TreatyStore.organization(db, organization)
                ids += try Self.memberStates(db, of: org.id, roles: ["member"], on: day).map(\.id)
            }
            var seen = Set<String>()
            return try ids.filter { seen.insert($0).inserted }.compactMap { id in
                guard let actor = try RecordRows.fetch(db, kind: .actor, id: id), actor.provenance?.deleted == false else { return nil }
                return MemberState(
                    id: id, label: try Lookup.displayName(db, actor), iso3: actor.text("iso3"), cow: actor["cow_code"]?.intValue)
            }
        }
    }

    /// Live agreements with at least two of `actors` as parties (and carrying `provision`, when given).
    static func agreementsAmong(_ db: Database, _ actors: Set<String>, provision: String?) throws -> [Record] {
        var counts: [String: Int] = [:]
        for actor in actors {
            for party in try Lookup.records(db, .party, where: "actor_id", is: actor) where party.text("role") == "party" {
                if let agreement = party.text("agreement_id") { counts[agreement, default: 0] += 1 }
            }
        }
        var result: [Record] = []
        for (id, count) in counts.sorted(by: { $0.key < $1.key }) where count >= 2 {
            guard let agreement = try RecordRows.fetch(db, kind: .agreement, id: id), agreement.provenance?.deleted == false
            else { continue }
            if let provision {
                let carries = try Lookup.records(db, .provision, where: "agreement_id", is: id)
                    .contains { $0.text("provision_type") == provision }
                if !carries { continue }
            }
            result.append(agreement)
        }
        return result
    }
}
