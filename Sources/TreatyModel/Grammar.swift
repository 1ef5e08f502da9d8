/// Small pieces of English for messages.
public enum Grammar {
    /// "a treaty", "an agreement", "an integer".
    public static func a(_ word: String) -> String {
        guard let first = word.lowercased().first else { return word }
        return ("aeiou".contains(first) ? "an " : "a ") + word
    }
}
