/// One field of a record kind: its name, what it holds and whether it must be there.
public struct Field: Sendable, Hashable {
    public enum ValueType: Sendable, Hashable {
        /// Free text.
        case text
        /// A whole number.
        case integer
        /// A number; `range` bounds it when set.
        case number(ClosedRange<Double>?)
        case boolean
        /// A ``PartialDate``: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
        case date
        /// One of a fixed list of words.
        case choice([String])
        /// The id of a record of one of these kinds.
        case reference([RecordKind])
        /// A provision type slug: built in, or defined by a `provision_type` record.
        case provisionType
    }

    public let name: String
    public let type: ValueType
    public let required: Bool
    /// Used when a record is created without the field.
    public let defaultValue: JSONValue?
    /// Whether full-text search indexes the field.
    public let searchable: Bool
    public let doc: String
    /// The record schema version that added the field (``Schema/version``).
    public let since: Int

    public init(
        _ name: String, _ type: ValueType, required: Bool = false, default defaultValue: JSONValue? = nil,
        searchable: Bool = false, since: Int = 1, doc: String
    ) {
        precondition(since == 1 || (!required && defaultValue == nil), "a field added later is optional, with no default")
        self.since = since
        self.name = name
        self.type = type
        self.required = required
        self.defaultValue = defaultValue
        self.searchable = searchable
        self.doc = doc
    }

    /// The kinds a reference field may point at; empty for other fields.
    public var referencedKinds: [RecordKind] {
        if case .reference(let kinds) = type { return kinds }
        return []
    }
}
