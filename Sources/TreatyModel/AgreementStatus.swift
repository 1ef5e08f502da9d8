/// The kinds of step in an agreement's life, in the order that breaks a same-day tie.
public enum LifecycleKind: String, Sendable, CaseIterable, Codable {
    case signed
    case approved
    case decree
    case ratified
    case deposited
    case provisionallyApplied = "provisionally_applied"
    case enteredIntoForce = "entered_into_force"
    case suspended
    case denounced
    case withdrawalEffective = "withdrawal_effective"
    case terminated
    case superseded
}

/// Where an agreement stands, overall or for one party. Derived from lifecycle events, never typed in.
public enum AgreementStatus: String, Sendable, Codable, CaseIterable {
    /// Nothing recorded has happened yet.
    case none
    case signed
    /// Approved, decreed, ratified or deposited, not yet in force.
    case ratified
    case provisionallyApplied = "provisionally_applied"
    case inForce = "in_force"
    case suspended
    /// The party's withdrawal took effect.
    case withdrawn
    case terminated
    case superseded

    /// Signed (or further) but not in force.
    public var isSignedNotInForce: Bool {
        self == .signed || self == .ratified || self == .provisionallyApplied
    }

    fileprivate func after(_ event: LifecycleKind) -> AgreementStatus {
        let ended: Set<AgreementStatus> = [.withdrawn, .terminated, .superseded]
        if ended.contains(self) { return self }
        switch event {
        case .signed: return self == .none ? .signed : self
        case .approved, .decree, .ratified, .deposited:
            return (self == .none || self == .signed) ? .ratified : self
        case .provisionallyApplied:
            return (self == .none || self == .signed || self == .ratified) ? .provisionallyApplied : self
        case .enteredIntoForce: return .inForce
        case .suspended: return (self == .inForce || self == .provisionallyApplied) ? .suspended : self
        case .denounced: return self  // notice given; in force until the withdrawal takes effect
        case .withdrawalEffective: return .withdrawn
        case .terminated: return .terminated
        case .superseded: return .superseded
        }
    }
}

/// A status as of a day, honest about what partial dates leave open.
///
/// When an event's date could fall on either side of the day asked about ("June 2021" as of 10 June 2021),
/// the status is computed with and without it; if the two differ, the answer is uncertain and both
/// candidates are given.
public struct DerivedStatus: Sendable, Hashable, CustomStringConvertible {
    /// The status if no event of uncertain date had happened yet.
    public let lower: AgreementStatus
    /// The status if every event of uncertain date had happened.
    public let upper: AgreementStatus

    public init(lower: AgreementStatus, upper: AgreementStatus) {
        self.lower = lower
        self.upper = upper
    }

    public var isCertain: Bool { lower == upper }

    /// `in_force`, `signed`, ... or `uncertain`.
    public var name: String { isCertain ? lower.rawValue : "uncertain" }

    public var description: String {
        isCertain ? lower.rawValue : "uncertain (\(lower.rawValue) or \(upper.rawValue))"
    }
}

/// One lifecycle event as the status derivation sees it.
public struct LifecycleFact: Sendable, Hashable {
    public let kind: LifecycleKind
    /// Nil when the event concerns every party.
    public let party: String?
    /// Nil when the date is unknown.
    public let date: PartialDate?
    /// The day the event was recorded: an event of unknown date happened on or before it.
    public let recorded: Day

    public init(kind: LifecycleKind, party: String?, date: PartialDate?, recorded: Day) {
        self.kind = kind
        self.party = party
        self.date = date
        self.recorded = recorded
    }

    /// Whether the event had happened by `day`.
    public func happened(by day: Day) -> Certainty {
        if let date { return date.relation(to: day) }
        return recorded <= day ? .yes : .maybe
    }

    /// The earliest day it could have happened, for ordering.
    var sortKey: (Day, Int) {
        let kindIndex = LifecycleKind.allCases.firstIndex(of: kind)!
        return (date?.earliest ?? recorded, kindIndex)
    }
}

/// Derives statuses from lifecycle events.
public enum StatusDerivation {
    /// The status as of `day`, for one party (its own events and those for all parties) or overall
    /// (`party == nil`: events for all parties only).
    public static func status(of facts: [LifecycleFact], party: String? = nil, on day: Day) -> DerivedStatus {
        let relevant = facts.filter { $0.party == nil || $0.party == party }
            .sorted { $0.sortKey < $1.sortKey }
        var lower = AgreementStatus.none
        var upper = AgreementStatus.none
        for fact in relevant {
            switch fact.happened(by: day) {
            case .yes:
                lower = lower.after(fact.kind)
                upper = upper.after(fact.kind)
            case .maybe:
                upper = upper.after(fact.kind)
            case .no:
                continue
            }
        }
        return DerivedStatus(lower: lower, upper: upper)
    }
}

extension DerivedStatus: Codable {
    /// Reads `lower` and `upper`; `status` follows from them.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        _ = try container.decode(String.self, forKey: .status)
        self.init(lower: try container.decode(AgreementStatus.self, forKey: .lower), upper: try container.decode(AgreementStatus.self, forKey: .upper))
    }

    enum CodingKeys: String, CodingKey { case status, lower, upper }

    /// `{"status": "uncertain", "lower": "signed", "upper": "in_force"}`.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .status)
        try container.encode(lower, forKey: .lower)
        try container.encode(upper, forKey: .upper)
    }
}
