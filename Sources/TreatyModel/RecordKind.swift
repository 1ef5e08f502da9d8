/// Every kind of record Treaty keeps. The raw value is the record's `"type"` in JSON and its table's name.
public enum RecordKind: String, Sendable, CaseIterable, Codable, Comparable {
    /// An office that takes part in sync: its id and public key.
    case office
    /// A state, an organisation, a legislature or committee, a ministry, a news outlet.
    case actor
    case person
    /// Another name or spelling of an actor, person, agreement or event.
    case name
    /// A role held in an organisation (or with none, "military expert"), from a date to a date.
    case membership
    case agreement
    /// One party to an agreement, with its role.
    case party
    /// A user-defined provision type, extending the built-in vocabulary.
    case provisionType = "provision_type"
    case provision
    /// A step in an agreement's life: signed, approved, entered into force, ...
    case lifecycleEvent = "lifecycle_event"
    /// A relation between two agreements: complements, builds on, ...
    case relation
    /// A summit, an exercise, a meeting.
    case event
    case source
    /// Commentary: who said what, in which role, where and when.
    case statement
    /// What a statement is about.
    case about
    /// A forward-looking claim made in a statement, with a structured condition.
    case prediction
    /// A state the prediction's condition names as a party.
    case predictionParty = "prediction_party"
    /// A provision type the prediction's condition names.
    case predictionProvision = "prediction_provision"

    public static func < (lhs: RecordKind, rhs: RecordKind) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// The word used in method names and on the command line: `lifecycle_event` -> `lifecycle`.
    public var commandName: String {
        switch self {
        case .provisionType: return "provision-type"
        case .lifecycleEvent: return "lifecycle"
        case .predictionParty: return "prediction-party"
        case .predictionProvision: return "prediction-provision"
        default: return rawValue
        }
    }

    /// Finds a kind by its raw value or its command name.
    public init?(named name: String) {
        if let kind = RecordKind(rawValue: name) {
            self = kind
        } else if let kind = RecordKind.allCases.first(where: { $0.commandName == name }) {
            self = kind
        } else {
            return nil
        }
    }

    /// The fields of this kind, in display order, without `id` and provenance.
    public var fields: [Field] { Self.fieldTable[self]! }

    /// The fields a record of this kind had in record schema `version`.
    public func fields(inSchema version: Int) -> [Field] { fields.filter { $0.since <= version } }

    /// The field with this name, if the kind has one.
    public func field(_ name: String) -> Field? { Self.fieldsByName[self]![name] }

    /// The schema's fields, made once: building them (doc strings included) for every row read or written was a
    /// tenth of an import.
    private static let fieldTable: [RecordKind: [Field]] = Dictionary(
        uniqueKeysWithValues: allCases.map { ($0, Schema.fields(of: $0)) })
    private static let fieldsByName: [RecordKind: [String: Field]] = fieldTable.mapValues { fields in
        Dictionary(fields.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// What the kind is, in a line.
    public var summary: String { Schema.summary(of: self) }
}
