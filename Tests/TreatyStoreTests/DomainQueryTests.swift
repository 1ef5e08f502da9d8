import Foundation
import Testing
import TreatyModel
import TreatyProtocol
@testable import TreatyStore

/// The questions of domain.md ("what they ask", items 2-6), asked of examples/seed.jsonl.
@Suite("Domain queries on the seed")
struct DomainQueryTests {
    @Test("2. The memorandum whole: parties, provisions, status, timeline, relations both ways, statements")
    func dossier() async throws {
        let fixture = try await StoreFixture.seeded()
        let memo = try await fixture.one(.agreement, "kind", "memorandum")
        let shusha = try await fixture.one(.agreement, "kind", "declaration")
        let dossier = try await fixture.store.dossier(memo.id)
        #expect(dossier.agreement.text("title") == nil, "the article gives no title; none is invented")
        #expect(Set(dossier.parties.compactMap { $0.actor?.label }) == ["Azərbaycan (Azerbaijan)", "Türkiye (Turkey)"])
        #expect(
            Set(dossier.provisions.compactMap { $0.text("provision_type") }) == [
                "defense", "consultation", "joint-exercises", "defense-industry", "information-exchange",
                "classified-information",
            ])
        // Approved by the Milli Majlis (for Azerbaijan), no decree yet: not in force for anyone.
        #expect(dossier.status.name == "signed")
        let byParty = Dictionary(uniqueKeysWithValues: dossier.parties.map { ($0.actor!.label, $0.status.name) })
        #expect(byParty == ["Azərbaycan (Azerbaijan)": "ratified", "Türkiye (Turkey)": "signed"])
        #expect(dossier.timeline.compactMap { $0.text("kind") } == ["signed", "approved"])
        #expect(dossier.relationsOut.map { $0.other?.id } == [shusha.id])
        #expect(dossier.relationsOut.first?.relation.text("kind") == "complements")
        #expect(dossier.relationsIn.isEmpty)
        let speakers = Set(dossier.statements.compactMap { $0.speaker?.label })
        #expect(speakers.contains("Adalət Verdiyev (Adalat Verdiyev)"))
        #expect(speakers.contains("Rizvan Nəbiyev (Rizvan Nabiyev)"))
        let verdiyev = dossier.statements.first { $0.speaker?.label.hasPrefix("Adalət") == true }
        #expect(verdiyev?.role == "military expert")
        let shushaDossier = try await fixture.store.dossier(shusha.id)
        #expect(shushaDossier.relationsIn.map { $0.other?.id } == [memo.id])
    }

    @Test("3. Gaps among OTS members for mutual defence: only Azerbaijan-Turkey have anything, signed not in force")
    func gaps() async throws {
        let fixture = try await StoreFixture.seeded()
        let org = try await fixture.store.search("Organization of Turkic States", kinds: [.actor]).first!.id
        let report = try await fixture.store.gaps(organization: org, provision: "defense", on: Day("2025-10-08"))
        let members = report.members.map(\.label)
        #expect(members.count == 5, "\(members)")
        #expect(report.pairs.count == 10)
        let standing = Dictionary(uniqueKeysWithValues: report.pairs.map { ("\($0.a.label)|\($0.b.label)", $0.standing) })
        #expect(standing["Azərbaycan (Azerbaijan)|Türkiye (Turkey)"] == .signed)
        #expect(report.pairs.filter { $0.standing != GapsReport.Standing.none }.count == 1)
        // Before Uzbekistan joined (2019), it is not counted.
        let earlier = try await fixture.store.gaps(organization: org, provision: "defense", on: Day("2015-01-01"))
        #expect(earlier.members.count == 4)
        // With observers, Hungary and Turkmenistan join the matrix.
        let observers = try await fixture.store.gaps(
            organization: org, provision: "defense", on: Day("2025-10-08"), includeObservers: true)
        #expect(observers.members.count == 7)
    }

    @Test("3. British spelling: --provision defence gives the matrix of defense; an unknown slug is an error naming near ones")
    func gapsProvisionSpelling() async throws {
        let fixture = try await StoreFixture.seeded()
        let org = try await fixture.store.search("Organization of Turkic States", kinds: [.actor]).first!.id
        let day = Day("2025-10-08")
        let british = try await fixture.store.gaps(organization: org, provision: "defence", on: day)
        let american = try await fixture.store.gaps(organization: org, provision: "defense", on: day)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(try encoder.encode(british) == encoder.encode(american))
        #expect(british.provision == "defense")
        #expect(british.pairs.contains { $0.standing == .signed })
        await #expect(throws: StoreError.unknownProvisionType("defnce", near: ["defence", "defense"], line: nil)) {
            try await fixture.store.gaps(organization: org, provision: "defnce", on: day)
        }
        let error = await #expect(throws: StoreError.self) {
            try await fixture.store.network(organization: org, provision: "naval-basing", on: day)
        }
        #expect(error?.description.contains("near it: basing") == true, "\(String(describing: error))")
        // In records too: the slug is stored, and defining the other spelling is refused.
        let agreement = try await fixture.store.create(.agreement, fields: ["kind": "treaty"], user: "t")
        let provision = try await fixture.store.create(
            .provision, fields: ["agreement_id": .string(agreement.id), "provision_type": "defence"], user: "t")
        #expect(provision.text("provision_type") == "defense")
        #expect(try await fixture.store.list(.provision, filter: ["provision_type": "defence"]).contains { $0.id == provision.id })
        await #expect(throws: StoreError.self) {
            try await fixture.store.create(.provisionType, fields: ["label": "Defence"], id: "defence", user: "t")
        }
    }

    @Test("3. A pair becomes in force once an entry into force is recorded for the agreement")
    func gapsInForce() async throws {
        let fixture = try await StoreFixture.seeded()
        let shusha = try await fixture.one(.agreement, "kind", "declaration")
        _ = try await fixture.store.create(
            .lifecycleEvent, fields: ["agreement_id": .string(shusha.id), "kind": "entered_into_force", "date": "2022-01"],
            user: "t")
        let org = try await fixture.store.search("OTS", kinds: [.actor]).first!.id
        let mid = try await fixture.store.gaps(organization: org, provision: "defense", on: Day("2022-01-15"))
        #expect(mid.pairs.first { $0.standing != GapsReport.Standing.none }?.standing == .uncertain)
        let after = try await fixture.store.gaps(organization: org, provision: "defense", on: Day("2022-02-01"))
        let pair = try #require(after.pairs.first { $0.standing != GapsReport.Standing.none })
        #expect(pair.standing == .inForce)
        #expect(pair.agreements.map(\.id) == [shusha.id])
    }

    @Test("Only states count as an organisation's members, in the gaps matrix and in the network alike")
    func membersAreStates() async throws {
        let fixture = try await StoreFixture.seeded()
        let org = try await fixture.store.search("Organization of Turkic States", kinds: [.actor]).first!.id
        // An organisation recorded as a member of the OTS is not a state.
        let nam = try await fixture.one(.actor, "name", "Non-Aligned Movement")
        _ = try await fixture.store.create(
            .membership, fields: ["member_id": .string(nam.id), "organization_id": .string(org), "role": "member"], user: "t")
        let gaps = try await fixture.store.gaps(organization: org, provision: "defense", on: Day("2025-10-08"))
        let network = try await fixture.store.network(organization: org, on: Day("2025-10-08"))
        #expect(gaps.members.count == 5)
        #expect(Set(network.nodes.map(\.id)) == Set(gaps.members.map(\.id)))
    }

    @Test("4. The chain: 2010 agreement -> Shusha Declaration -> memorandum, and what each step added")
    func chain() async throws {
        let fixture = try await StoreFixture.seeded()
        let memo = try await fixture.one(.agreement, "kind", "memorandum")
        let chain = try await fixture.store.chain(memo.id)
        #expect(chain.steps.map(\.signed) == ["2010-08-16", "2021-06-15", nil])
        #expect(chain.steps.last?.agreement.id == memo.id)
        let complements = try #require(chain.edges.first { $0.kind == "complements" })
        #expect(complements.added.contains("joint-exercises"))
        #expect(!complements.added.contains("defense"))
        #expect(chain.edges.map(\.kind).sorted() == ["builds_on", "complements"])
    }

    @Test("5. Approved by a legislature and still waiting for the decree")
    func awaiting() async throws {
        let fixture = try await StoreFixture.seeded()
        let memo = try await fixture.one(.agreement, "kind", "memorandum")
        let now = try await fixture.store.awaitingEntryIntoForce(olderThan: 30, on: Day("2025-12-01"))
        #expect(now.map(\.agreement.id) == [memo.id])
        #expect(now.first?.daysWaiting == 54)  // recorded 2025-10-08, date unknown: at least 54 days
        #expect(try await fixture.store.awaitingEntryIntoForce(olderThan: 60, on: Day("2025-12-01")).isEmpty)
        // Once the decree is recorded, it no longer waits.
        let azerbaijan = try await fixture.one(.actor, "iso3", "AZE")
        _ = try await fixture.store.create(
            .lifecycleEvent,
            fields: ["agreement_id": .string(memo.id), "kind": "decree", "party_id": .string(azerbaijan.id)], user: "t")
        #expect(try await fixture.store.awaitingEntryIntoForce(olderThan: 0, on: Day("2025-12-01")).isEmpty)
    }

    @Test("6. Everything a person said, with the role held then, including words others report")
    func personStatements() async throws {
        let fixture = try await StoreFixture.seeded()
        let babaoglu = try await fixture.store.search("Hikmat Babaoglu", kinds: [.person]).first!.id
        let said = try await fixture.store.statements(of: babaoglu)
        #expect(said.statements.count == 2)
        #expect(said.statements.allSatisfy { $0.comment.role?.hasPrefix("member, Milli Məclisin") == true })
        #expect(said.statements.allSatisfy { !$0.reported })
        #expect(said.statements.flatMap(\.predictions).count == 2)
        let aliyev = try await fixture.store.search("Ilham Aliyev", kinds: [.person]).first!.id
        let reported = try await fixture.store.statements(of: aliyev)
        #expect(reported.statements.count == 1 && reported.statements[0].reported)
        #expect(reported.statements[0].comment.speaker?.id == babaoglu)
    }
}
