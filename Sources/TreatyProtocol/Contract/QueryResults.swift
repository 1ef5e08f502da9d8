import TreatyModel

// The answers to the analysts' questions (domain.md, "what they ask"), as the store computes them, the daemon
// sends them and `treaty` reads them: one definition of each.

/// A record named for people: its id, kind and a label with its English name where it has one.
public struct RecordRef: RPCShape, Hashable {
    public let id: String
    public let kind: RecordKind
    public let label: String

    public init(id: String, kind: RecordKind, label: String) {
        self.id = id
        self.kind = kind
        self.label = label
    }
}

/// One agreement whole: parties, provisions, status, timeline, relations both ways and what was said.
public struct AgreementDossier: RPCShape {
    public struct Party: RPCShape {
        public let party: Record
        public let actor: RecordRef?
        public let status: DerivedStatus

        public init(party: Record, actor: RecordRef?, status: DerivedStatus) {
            self.party = party
            self.actor = actor
            self.status = status
        }
    }

    public struct Link: RPCShape {
        public let relation: Record
        /// The agreement at the other end.
        public let other: RecordRef?

        public init(relation: Record, other: RecordRef?) {
            self.relation = relation
            self.other = other
        }
    }

    public struct Comment: RPCShape {
        public let statement: Record
        public let speaker: RecordRef?
        /// The role the speaker held, with its organisation: "member, Milli Majlis Committee on ...".
        public let role: String?
        public let source: RecordRef?
        public let reports: RecordRef?

        public init(statement: Record, speaker: RecordRef?, role: String?, source: RecordRef?, reports: RecordRef?) {
            self.statement = statement
            self.speaker = speaker
            self.role = role
            self.source = source
            self.reports = reports
        }
    }

    public let agreement: Record
    public let names: [Record]
    public let asOf: String
    public let status: DerivedStatus
    public let parties: [Party]
    public let provisions: [Record]
    public let timeline: [Record]
    public let relationsOut: [Link]
    public let relationsIn: [Link]
    public let statements: [Comment]

    public init(agreement: Record, names: [Record], asOf: String, status: DerivedStatus, parties: [Party], provisions: [Record], timeline: [Record], relationsOut: [Link], relationsIn: [Link], statements: [Comment]) {
        self.agreement = agreement
        self.names = names
        self.asOf = asOf
        self.status = status
        self.parties = parties
        self.provisions = provisions
        self.timeline = timeline
        self.relationsOut = relationsOut
        self.relationsIn = relationsIn
        self.statements = statements
    }
}

/// An agreement approved by a legislature and still waiting for a decree or entry into force.
public struct AwaitingAgreement: RPCShape {
    public let agreement: RecordRef
    /// The party whose legislature approved it, when the approval was recorded for one party.
    public let party: RecordRef?
    public let approval: Record
    /// Days since the approval, counted from the last day it could have happened (so never overstated).
    public let daysWaiting: Int

    public init(agreement: RecordRef, party: RecordRef?, approval: Record, daysWaiting: Int) {
        self.agreement = agreement
        self.party = party
        self.approval = approval
        self.daysWaiting = daysWaiting
    }
}

/// The chain an agreement sits in: every agreement reachable through relations, either way, and what
/// each step added.
public struct AgreementChain: RPCShape {
    public struct Step: RPCShape {
        public let agreement: RecordRef
        /// The earliest signing date recorded, if any.
        public let signed: String?
        public let provisions: [String]

        public init(agreement: RecordRef, signed: String?, provisions: [String]) {
            self.agreement = agreement
            self.signed = signed
            self.provisions = provisions
        }
    }

    public struct Edge: RPCShape {
        public let from: RecordRef
        public let kind: String
        public let to: RecordRef
        public let note: String?
        /// Provision types `from` carries that `to` does not.
        public let added: [String]

        public init(from: RecordRef, kind: String, to: RecordRef, note: String?, added: [String]) {
            self.from = from
            self.kind = kind
            self.to = to
            self.note = note
            self.added = added
        }
    }

    /// Oldest first by signing date; undated ones last.
    public let steps: [Step]
    public let edges: [Edge]

    public init(steps: [Step], edges: [Edge]) {
        self.steps = steps
        self.edges = edges
    }
}

/// Which pairs of an organisation's members have an agreement carrying a provision in force on a day.
public struct GapsReport: RPCShape {
    /// How a pair stands: the best any agreement between them gives.
    public enum Standing: String, RPCEnum, Comparable {
        case none
        /// Signed (or ratified, or provisionally applied) but not in force for both.
        case signed
        /// Partial dates leave open whether it is in force.
        case uncertain
        case inForce = "in_force"

        public static func < (a: Standing, b: Standing) -> Bool {
            allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
        }
    }

    public struct Pair: RPCShape {
        public let a: RecordRef
        public let b: RecordRef
        public let standing: Standing
        /// The agreements behind the standing.
        public let agreements: [RecordRef]

        public init(a: RecordRef, b: RecordRef, standing: Standing, agreements: [RecordRef]) {
            self.a = a
            self.b = b
            self.standing = standing
            self.agreements = agreements
        }
    }

    public let organization: RecordRef
    public let provision: String
    public let on: String
    public let members: [RecordRef]
    public let pairs: [Pair]

    public init(organization: RecordRef, provision: String, on: String, members: [RecordRef], pairs: [Pair]) {
        self.organization = organization
        self.provision = provision
        self.on = on
        self.members = members
        self.pairs = pairs
    }
}

/// States as nodes and agreements between them as edges, for a picture of the network.
public struct AgreementNetwork: RPCShape {
    public struct Node: RPCShape {
        public let id: String
        public let label: String
        public let iso3: String?

        public init(id: String, label: String, iso3: String?) {
            self.id = id
            self.label = label
            self.iso3 = iso3
        }
    }

    public struct Edge: RPCShape {
        public let agreement: RecordRef
        public let a: String
        public let b: String
        public let kind: String
        /// The year it was signed, when known.
        public let year: Int?
        /// in_force, signed, uncertain or none, for this pair on the day.
        public let standing: GapsReport.Standing

        public init(agreement: RecordRef, a: String, b: String, kind: String, year: Int?, standing: GapsReport.Standing) {
            self.agreement = agreement
            self.a = a
            self.b = b
            self.kind = kind
            self.year = year
            self.standing = standing
        }
    }

    public let on: String
    public let nodes: [Node]
    public let edges: [Edge]

    public init(on: String, nodes: [Node], edges: [Edge]) {
        self.on = on
        self.nodes = nodes
        self.edges = edges
    }
}

/// One row of the dyadic table: an unordered pair of states (A before B by ISO3) in a year, and for each
/// provision type whether an agreement between them carrying it was in force at some point that year.
public struct DyadicRow: RPCShape {
    public let year: Int
    public let a: DyadicState
    public let b: DyadicState
    /// Provision type -> the agreements behind the flag (empty: flag 0).
    public let provisions: [String: [String]]

    public init(year: Int, a: DyadicState, b: DyadicState, provisions: [String: [String]]) {
        self.year = year
        self.a = a
        self.b = b
        self.provisions = provisions
    }
}

/// A state in a dyadic row: its id, ISO3 code and Correlates of War code.
public struct DyadicState: RPCShape {
    public let id: String
    public let iso3: String
    public let cow: Int64?

    public init(id: String, iso3: String, cow: Int64?) {
        self.id = id
        self.iso3 = iso3
        self.cow = cow
    }
}

/// Everything a person said, over time, with the role they held then.
public struct PersonStatements: RPCShape {
    public struct Entry: RPCShape {
        public let comment: AgreementDossier.Comment
        /// What the statement is about.
        public let about: [RecordRef]
        /// True when another speaker reports this person's words.
        public let reported: Bool
        public let predictions: [Record]

        public init(comment: AgreementDossier.Comment, about: [RecordRef], reported: Bool, predictions: [Record]) {
            self.comment = comment
            self.about = about
            self.reported = reported
            self.predictions = predictions
        }
    }

    public let person: RecordRef
    /// Roles the person has held.
    public let roles: [Record]
    /// Dated statements oldest first, then undated ones in the order recorded.
    public let statements: [Entry]

    public init(person: RecordRef, roles: [Record], statements: [Entry]) {
        self.person = person
        self.roles = roles
        self.statements = statements
    }
}

/// A prediction with its speaker, its structured condition, and agreements recorded later that match it.
public struct PredictionEntry: RPCShape {
    public let prediction: Record
    public let speaker: RecordRef?
    public let parties: [RecordRef]
    public let provisions: [String]
    /// Agreements that meet the condition and were recorded (or signed) after the prediction: for an analyst to
    /// look at. Nothing resolves on its own.
    public let candidates: [RecordRef]

    public init(prediction: Record, speaker: RecordRef?, parties: [RecordRef], provisions: [String], candidates: [RecordRef]) {
        self.prediction = prediction
        self.speaker = speaker
        self.parties = parties
        self.provisions = provisions
        self.candidates = candidates
    }
}

/// A speaker's record: predictions made, how they turned out, and the Brier score.
public struct TrackRecord: RPCShape {
    public let person: RecordRef
    public let made: Int
    public let open: Int
    /// Counts by outcome: true, false, partly, unknowable.
    public let resolved: [String: Int]
    /// Mean of (probability - outcome)^2 over `true`/`false` outcomes that carried a probability; absent when none.
    public let brier: Double?
    public let scored: Int

    public init(person: RecordRef, made: Int, open: Int, resolved: [String: Int], brier: Double?, scored: Int) {
        self.person = person
        self.made = made
        self.open = open
        self.resolved = resolved
        self.brier = brier
        self.scored = scored
    }
}

/// One entry of the change history.
public struct ChangeEntry: RPCShape {
    public let seq: Int64
    public let at: String
    public let office: String
    public let user: String
    public let recordId: String
    public let kind: String
    public let label: String?
    /// created, updated or deleted; `lost` for a merged edit that lost to a concurrent one (kept as a conflict:
    /// `before` holds the value shown, `after` the one that lost); `settled` for a conflict settled (`before` the
    /// losing values let go, `after` the value kept).
    public let operation: String
    /// The fields that changed: their value before (absent for a new record) and after.
    public let before: [String: JSONValue]
    public let after: [String: JSONValue]

    public init(seq: Int64, at: String, office: String, user: String, recordId: String, kind: String, label: String?, operation: String, before: [String: JSONValue], after: [String: JSONValue]) {
        self.seq = seq
        self.at = at
        self.office = office
        self.user = user
        self.recordId = recordId
        self.kind = kind
        self.label = label
        self.operation = operation
        self.before = before
        self.after = after
    }
}

