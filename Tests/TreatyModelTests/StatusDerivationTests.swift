import Testing
import TreatyModel

@Suite("Derived agreement status")
struct StatusDerivationTests {
    let recorded = Day("2025-10-01")!

    func fact(_ kind: LifecycleKind, _ date: String?, party: String? = nil) -> LifecycleFact {
        LifecycleFact(kind: kind, party: party, date: date.flatMap(PartialDate.init), recorded: recorded)
    }

    @Test("Entry into force in June 2021 is uncertain on 10 June 2021, certain after the month")
    func partialDateIsUncertain() {
        let facts = [fact(.signed, "2021-06-01"), fact(.enteredIntoForce, "2021-06")]
        let mid = StatusDerivation.status(of: facts, on: Day("2021-06-10")!)
        #expect(mid.name == "uncertain")
        #expect(mid.lower == .signed && mid.upper == .inForce)
        #expect(StatusDerivation.status(of: facts, on: Day("2021-07-01")!).name == "in_force")
        #expect(StatusDerivation.status(of: facts, on: Day("2021-05-31")!).name == "none")
    }

    @Test("Approved by a legislature, waiting for the decree: ratified, not in force")
    func approvedNotInForce() {
        let facts = [fact(.signed, nil), fact(.approved, nil)]
        let status = StatusDerivation.status(of: facts, on: Day("2025-10-02")!)
        #expect(status == DerivedStatus(lower: .ratified, upper: .ratified))
        #expect(status.lower.isSignedNotInForce)
        // Before the events were recorded, an unknown date leaves it open.
        #expect(!StatusDerivation.status(of: facts, on: Day("2025-01-01")!).isCertain)
    }

    @Test("Per-party events apply to their party only; withdrawal ends it for that party")
    func perParty() {
        let facts = [
            fact(.signed, "2010-08-16"), fact(.enteredIntoForce, "2011"),
            fact(.withdrawalEffective, "2020-01-01", party: "tur"),
        ]
        let on = Day("2021-01-01")!
        #expect(StatusDerivation.status(of: facts, party: "aze", on: on).name == "in_force")
        #expect(StatusDerivation.status(of: facts, party: "tur", on: on).name == "withdrawn")
        #expect(StatusDerivation.status(of: facts, on: on).name == "in_force")
    }

    @Test("Termination is final; suspension only applies to an agreement in force")
    func endings() {
        let facts = [
            fact(.signed, "2000"), fact(.suspended, "2000-06"), fact(.enteredIntoForce, "2001"),
            fact(.terminated, "2005-03-01"), fact(.enteredIntoForce, "2006"),
        ]
        #expect(StatusDerivation.status(of: facts, on: Day("2000-12-31")!).name == "signed")
        #expect(StatusDerivation.status(of: facts, on: Day("2007-01-01")!).name == "terminated")
    }
}
