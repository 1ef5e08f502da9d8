import TreatyModel

/// The patterns of the values that cross the socket, one definition each: the contract's notes and the
/// daemon's record schemas both take them from here.
public enum WirePattern {
    /// A record id, or an unambiguous prefix of one.
    public static let recordID = "^[a-z0-9-]{1,64}$"
    /// A SHA-256 in hex: a digest of content.
    public static let sha256 = "^[0-9a-f]{64}$"
    /// An office id: the SHA-256 of its key.
    public static let officeID = sha256
    /// A token for an import or a bundle transfer in progress.
    public static let token = "^[0-9a-z]{20}$"
    /// A day, YYYY-MM-DD.
    public static let day = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
    /// A provision type slug.
    public static let provisionSlug = "^[a-z][a-z0-9-]{0,63}$"
}

/// A note for a property's derived schema: its pattern, and what it is.
func note(pattern: String, _ description: String? = nil) -> JSONValue {
    var note: [String: JSONValue] = ["pattern": .string(pattern)]
    if let description { note["description"] = .string(description) }
    return .object(note)
}
