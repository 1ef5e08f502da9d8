import TreatyModel

/// Params that name one record.
public struct RecordParams: RPCShape {
    public var id: String
    public init(id: String) { self.id = id }
    public static let fieldNotes: [String: JSONValue] = ["id": note(pattern: WirePattern.recordID, "The record (id or unambiguous prefix).")]
}

/// Params that name an agreement and a day.
public struct AgreementOnDay: RPCShape {
    public var id: String
    public var asOf: String?
    public init(id: String, asOf: String? = nil) {
        self.id = id
        self.asOf = asOf
    }
    public static let fieldNotes: [String: JSONValue] = [
        "id": note(pattern: WirePattern.recordID, "The agreement."), "as_of": note(pattern: WirePattern.day, "The day statuses are computed for (today)."),
    ]
}

extension RPC {
    public enum Search: RPCContract {
        public static let method = "search"
        public struct Params: RPCShape {
            public var query: String
            public var kinds: [RecordKind]?
            public var limit: Int?
            public init(query: String, kinds: [RecordKind]? = nil, limit: Int? = nil) {
                self.query = query
                self.kinds = kinds
                self.limit = limit
            }
            public static let fieldNotes: [String: JSONValue] = [
                "query": ["minLength": 1, "description": "Words to find."], "kinds": ["description": "Only these kinds."],
                "limit": ["minimum": 1, "maximum": 1000, "description": "At most this many (20)."],
            ]
        }
        public struct Hit: RPCShape {
            public var kind: RecordKind
            public var id: String
            public var shortId: String
            public var label: String
            public var passage: String
            public var exact: Bool
            public var score: Double
            public init(kind: RecordKind, id: String, shortId: String, label: String, passage: String, exact: Bool, score: Double) {
                self.kind = kind
                self.id = id
                self.shortId = shortId
                self.label = label
                self.passage = passage
                self.exact = exact
                self.score = score
            }
            public static let fieldNotes: [String: JSONValue] = [
                "exact": ["description": "A query word matched as written (case and diacritics aside), not only by transliteration."],
                "score": ["description": "bm25: lower is better. 0 when the query matched more than 2,000 records: then the hits are its newest matches, unranked."],
            ]
        }
        public struct Result: RPCShape {
            public var hits: [Hit]
            public init(hits: [Hit]) { self.hits = hits }
        }
    }

    public enum Dossier: RPCContract {
        public static let method = "agreement.dossier"
        public typealias Params = AgreementOnDay
        public typealias Result = AgreementDossier
    }

    public enum StatusAsOf: RPCContract {
        public static let method = "agreement.status"
        public typealias Params = AgreementOnDay
        public struct PartyStatus: RPCShape {
            public var actor: RecordRef
            public var status: DerivedStatus
            public init(actor: RecordRef, status: DerivedStatus) {
                self.actor = actor
                self.status = status
            }
        }
        public struct Result: RPCShape {
            public var asOf: String
            public var status: DerivedStatus
            public var parties: [PartyStatus]
            public init(asOf: String, status: DerivedStatus, parties: [PartyStatus]) {
                self.asOf = asOf
                self.status = status
                self.parties = parties
            }
        }
    }

    public enum Chain: RPCContract {
        public static let method = "agreement.chain"
        public typealias Params = RecordParams
        public typealias Result = AgreementChain
    }

    public enum Awaiting: RPCContract {
        public static let method = "agreement.awaiting"
        public struct Params: RPCShape {
            public var days: Int?
            public var asOf: String?
            public init(days: Int? = nil, asOf: String? = nil) {
                self.days = days
                self.asOf = asOf
            }
            public static let fieldNotes: [String: JSONValue] = [
                "days": ["minimum": 0, "description": "At least this many days waiting (0)."],
                "as_of": note(pattern: WirePattern.day, "Counted to this day (today)."),
            ]
        }
        public struct Result: RPCShape {
            public var agreements: [AwaitingAgreement]
            public init(agreements: [AwaitingAgreement]) { self.agreements = agreements }
        }
    }

    public enum Gaps: RPCContract {
        public static let method = "gaps"
        public struct Params: RPCShape {
            public var organization: String
            public var provision: String
            public var on: String?
            public var includeObservers: Bool?
            public init(organization: String, provision: String, on: String? = nil, includeObservers: Bool? = nil) {
                self.organization = organization
                self.provision = provision
                self.on = on
                self.includeObservers = includeObservers
            }
            public static let fieldNotes: [String: JSONValue] = [
                "organization": note(pattern: WirePattern.recordID, "The organisation (an actor)."),
                "provision": note(pattern: WirePattern.provisionSlug, "A provision type slug, or another spelling of a built-in one (defence)."),
                "on": note(pattern: WirePattern.day, "The day (today)."), "include_observers": ["description": "Count observers as members too."],
            ]
        }
        public typealias Result = GapsReport
    }

    public enum Statements: RPCContract {
        public static let method = "person.statements"
        public typealias Params = RecordParams
        public typealias Result = PersonStatements
    }

    public enum Network: RPCContract {
        public static let method = "network"
        public struct Params: RPCShape {
            public var actors: [String]?
            public var organization: String?
            public var provision: String?
            public var on: String?
            public init(actors: [String]? = nil, organization: String? = nil, provision: String? = nil, on: String? = nil) {
                self.actors = actors
                self.organization = organization
                self.provision = provision
                self.on = on
            }
            public static let fieldNotes: [String: JSONValue] = [
                "actors": ["description": "The states."],
                "organization": note(pattern: WirePattern.recordID, "Or: an organisation whose member states to take."),
                "provision": note(pattern: WirePattern.provisionSlug, "Only agreements carrying it."),
                "on": note(pattern: WirePattern.day, "The day for standings (today)."),
            ]
        }
        public typealias Result = AgreementNetwork
    }

    public enum Dyadic: RPCContract {
        public static let method = "dyadic"
        public struct Params: RPCShape {
            public var actors: [String]?
            public var organization: String?
            public var from: Int
            public var to: Int
            public init(actors: [String]? = nil, organization: String? = nil, from: Int, to: Int) {
                self.actors = actors
                self.organization = organization
                self.from = from
                self.to = to
            }
            public static let fieldNotes: [String: JSONValue] = [
                "actors": ["description": "The states."],
                "organization": note(pattern: WirePattern.recordID, "Or: an organisation whose member states (ever) to take."),
                "from": ["minimum": 1, "description": "First year."], "to": ["minimum": 1, "description": "Last year."],
            ]
        }
        public struct Result: RPCShape {
            public var rows: [DyadicRow]
            public init(rows: [DyadicRow]) { self.rows = rows }
        }
    }

    public enum PredictionReview: RPCContract {
        public static let method = "prediction.review"
        public struct Params: RPCShape {
            public var open: Bool?
            public var dueBy: String?
            public var person: String?
            public init(open: Bool? = nil, dueBy: String? = nil, person: String? = nil) {
                self.open = open
                self.dueBy = dueBy
                self.person = person
            }
            public static let fieldNotes: [String: JSONValue] = [
                "open": ["description": "Only open ones."],
                "due_by": note(pattern: WirePattern.day, "Only those whose deadline falls by this day."),
                "person": note(pattern: WirePattern.recordID, "Only this speaker's."),
            ]
        }
        public struct Result: RPCShape {
            public var predictions: [PredictionEntry]
            public init(predictions: [PredictionEntry]) { self.predictions = predictions }
        }
    }

    public enum PersonRecord: RPCContract {
        public static let method = "person.record"
        public typealias Params = RecordParams
        public typealias Result = TrackRecord
    }

    public enum ChangesList: RPCContract {
        public static let method = "changes.list"
        public struct Params: RPCShape {
            public var since: String?
            public var office: String?
            public var user: String?
            public var record: String?
            public var limit: Int?
            public init(since: String? = nil, office: String? = nil, user: String? = nil, record: String? = nil, limit: Int? = nil) {
                self.since = since
                self.office = office
                self.user = user
                self.record = record
                self.limit = limit
            }
            public static let fieldNotes: [String: JSONValue] = [
                "since": ["minLength": 10, "description": "A day (YYYY-MM-DD) or a time."],
                "office": ["minLength": 1, "description": "Only changes from this office (name, id or prefix)."],
                "user": ["minLength": 1, "description": "Only changes by this user."],
                "record": note(pattern: WirePattern.recordID, "Only changes to this record."),
                "limit": ["minimum": 1, "maximum": 100000, "description": "The newest this many (1000)."],
            ]
        }
        public struct Result: RPCShape {
            public var changes: [ChangeEntry]
            public init(changes: [ChangeEntry]) { self.changes = changes }
        }
    }
}
