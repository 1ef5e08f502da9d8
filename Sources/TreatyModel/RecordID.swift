/// Record ids: globally unique text, random from the first character so that short prefixes tell records
/// apart even when thousands are made in one millisecond.
public enum RecordID {
    /// Crockford's base32 alphabet, lowercase: no i, l, o, u to misread.
    static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz")

    /// Length of a generated id: 20 characters, 100 random bits.
    public static let length = 20

    /// The shortest a short id gets, and the longest it is allowed to need.
    public static let shortMinimum = 6
    public static let shortMaximum = 10

    /// A new random id.
    public static func generate<G: RandomNumberGenerator>(using generator: inout G) -> String {
        String((0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
    }

    /// A new random id from the system's generator.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return generate(using: &generator)
    }

    /// Whether `text` can be an id: 1 to 64 of `a-z`, `0-9` and `-`. Slugs and hex office ids qualify too.
    public static func isValid(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 64
            && text.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
    }

    /// The short form of `id`: its shortest prefix (at least ``shortMinimum`` characters) that no neighbour
    /// in sorted order shares.
    ///
    /// - Parameters:
    ///   - previous: the id just before `id` in sorted order, if any.
    ///   - next: the id just after it, if any.
    public static func short(_ id: String, previous: String?, next: String?) -> String {
        func common(_ a: String, _ b: String?) -> Int {
            guard let b else { return 0 }
            return zip(a.utf8, b.utf8).prefix { $0 == $1 }.count
        }
        let needed = max(shortMinimum, common(id, previous) + 1, common(id, next) + 1)
        return String(id.prefix(needed))
    }
}

/// Times in provenance: ISO 8601, UTC, milliseconds, so text order is time order.
public enum Timestamp {
    /// Formats milliseconds since 1970 as `2025-10-07T09:30:00.000Z`.
    public static func format(millisecondsSince1970 ms: Int64) -> String {
        let days = Int(ms / 86_400_000)
        var rest = Int(ms % 86_400_000)
        let day = Day(year: 1970, month: 1, day: 1)!.adding(days: days)
        let h = rest / 3_600_000
        rest %= 3_600_000
        let m = rest / 60_000
        rest %= 60_000
        let s = rest / 1000
        let milli = rest % 1000
        return "\(day)T\(Day.pad(h, 2)):\(Day.pad(m, 2)):\(Day.pad(s, 2)).\(Day.pad(milli, 3))Z"
    }

    /// Whether `text` is a timestamp of that form.
    public static func isValid(_ text: String) -> Bool {
        let u = Array(text.utf8)
        guard u.count == 24, u[10] == UInt8(ascii: "T"), u[23] == UInt8(ascii: "Z"),
            Day(String(text.prefix(10))) != nil
        else { return false }
        let digits = [11, 12, 14, 15, 17, 18, 20, 21, 22]
        return digits.allSatisfy { (0x30...0x39).contains(u[$0]) } && u[13] == 0x3A && u[16] == 0x3A
            && u[19] == 0x2E
    }

    /// The day of a timestamp.
    public static func day(of text: String) -> Day? { Day(String(text.prefix(10))) }
}
