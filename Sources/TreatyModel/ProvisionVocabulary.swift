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

    /// Whether `slug` is well formed: lowercase letters, digits and hyphens, starting with a letter.
    public static func isWellFormed(_ slug: String) -> Bool {
        guard let first = slug.unicodeScalars.first, ("a"..."z").contains(first), slug.count <= 64 else {
            return false
        }
        return slug.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }
}
