/// The built-in provision types: ATOP's obligation types and DCAD-style cooperation sectors.
///
/// Users extend the vocabulary with `provision_type` records whose id is the new slug.
public enum ProvisionVocabulary {
    public struct Entry: Sendable, Hashable {
        public let slug: String
        public let label: String
        /// `ATOP` or `DCAD`.
        public let origin: String
    }

    public static let builtIn: [Entry] = [
        Entry(slug: "defense", label: "Defence / mutual assistance", origin: "ATOP"),
        Entry(slug: "offense", label: "Offence", origin: "ATOP"),
        Entry(slug: "neutrality", label: "Neutrality", origin: "ATOP"),
        Entry(slug: "nonaggression", label: "Non-aggression", origin: "ATOP"),
        Entry(slug: "consultation", label: "Consultation", origin: "ATOP"),
        Entry(slug: "joint-exercises", label: "Joint exercises", origin: "DCAD"),
        Entry(slug: "training", label: "Training", origin: "DCAD"),
        Entry(slug: "defense-industry", label: "Defence industry", origin: "DCAD"),
        Entry(slug: "procurement", label: "Procurement", origin: "DCAD"),
        Entry(slug: "research", label: "Research", origin: "DCAD"),
        Entry(slug: "information-exchange", label: "Information exchange", origin: "DCAD"),
        Entry(slug: "classified-information", label: "Exchange of classified information", origin: "DCAD"),
        Entry(slug: "military-aid", label: "Military aid", origin: "DCAD"),
        Entry(slug: "basing", label: "Basing", origin: "DCAD"),
    ]

    public static let builtInSlugs: Set<String> = Set(builtIn.map(\.slug))

    /// Other spellings of built-in slugs (British spelling, hyphens, singulars), taken wherever a slug is: in
    /// records, where the slug is stored instead, and in queries. None can be defined as a provision type.
    public static let aliases: [String: String] = [
        "defence": "defense", "offence": "offense", "defence-industry": "defense-industry",
        "non-aggression": "nonaggression", "joint-exercise": "joint-exercises", "exercises": "joint-exercises",
        "bases": "basing", "intelligence-sharing": "information-exchange", "military-assistance": "military-aid",
    ]

    /// The slug `text` stands for: itself, or the built-in slug it is another spelling of.
    public static func canonical(_ text: String) -> String { aliases[text] ?? text }

    /// The slug `text` names (its canonical spelling) among the built-in types and those `defined` as records:
    /// the one decision the store makes on every write and the CLI makes before a composite write.
    ///
    /// - Throws: ``UnknownProvisionType`` with the known slugs and other spellings near `text`.
    public static func resolve(_ text: String, defined: some Sequence<String>) throws(UnknownProvisionType) -> String {
        let slug = canonical(text)
        if builtInSlugs.contains(slug) { return slug }
        let defined = Set(defined)
        if defined.contains(slug) { return slug }
        throw UnknownProvisionType(text: text, near: near(text, in: builtInSlugs.union(defined).union(aliases.keys)))
    }

    /// Among `known` slugs, those near `text` (one letter or so off, or one a part of the other), nearest first.
    public static func near(_ text: String, in known: some Sequence<String>) -> [String] {
        let candidates = known.map { ($0, distance(text, $0)) }.filter { slug, distance in
            distance <= max(2, text.count / 4) || (text.count >= 3 && (slug.contains(text) || text.contains(slug)))
        }
        return candidates.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.prefix(5).map(\.0)
    }

    /// Levenshtein distance over characters.
    private static func distance(_ a: String, _ b: String) -> Int {
        let (a, b) = (Array(a), Array(b))
        var row = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var diagonal = row[0]
            row[0] = i + 1
            for (j, y) in b.enumerated() {
                let above = row[j + 1]
                row[j + 1] = min(above + 1, row[j] + 1, diagonal + (x == y ? 0 : 1))
                diagonal = above
            }
        }
        return row[b.count]
    }

    /// Whether `slug` is well formed: lowercase letters, digits and hyphens, starting with a letter.
    public static func isWellFormed(_ slug: String) -> Bool {
        guard let first = slug.unicodeScalars.first, ("a"..."z").contains(first), slug.count <= 64 else {
            return false
        }
        return slug.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }
}

/// A provision type no office defined, and the known ones near what was typed.
public struct UnknownProvisionType: Error, Sendable, Equatable, CustomStringConvertible {
    public let text: String
    public let near: [String]

    public init(text: String, near: [String]) {
        self.text = text
        self.near = near
    }

    public var description: String {
        "unknown provision type \"\(text)\"" + (near.isEmpty ? "" : "; near it: \(near.joined(separator: ", "))")
            + "; define it with a provision_type record, or see them all: treaty provision-type list"
    }
}
