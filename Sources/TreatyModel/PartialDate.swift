/// A calendar day, used for "as of" questions and as the bounds of a ``PartialDate``.
public struct Day: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Makes a day, or nil when it does not exist in the Gregorian calendar.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
            (1...Day.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`.
    public init?(_ text: String) {
        guard let date = PartialDate(text), date.precision == .day else { return nil }
        self = date.earliest
    }

    public static func < (lhs: Day, rhs: Day) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    public var description: String {
        "\(Day.pad(year, 4))-\(Day.pad(month, 2))-\(Day.pad(day, 2))"
    }

    /// The day `days` later (or earlier, when negative).
    public func adding(days: Int) -> Day {
        Day(ordinal: ordinal + days)
    }

    /// Days from 0001-01-01; differences of ordinals count days.
    public var ordinal: Int {
        // Days before this year, then before this month, then the day.
        let y = year - 1
        var n = y * 365 + y / 4 - y / 100 + y / 400
        for m in 1..<month { n += Day.daysIn(month: m, year: year) }
        return n + day - 1
    }

    private init(ordinal: Int) {
        var remaining = max(0, ordinal)
        var year = 1
        // Jump by 400-year cycles (146,097 days), then year by year.
        year += (remaining / 146_097) * 400
        remaining %= 146_097
        while remaining >= Day.daysIn(year: year) {
            remaining -= Day.daysIn(year: year)
            year += 1
        }
        var month = 1
        while remaining >= Day.daysIn(month: month, year: year) {
            remaining -= Day.daysIn(month: month, year: year)
            month += 1
        }
        self.year = year
        self.month = month
        self.day = remaining + 1
    }

    static func isLeap(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    static func daysIn(year: Int) -> Int { isLeap(year) ? 366 : 365 }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }
}

/// A date known to the day, the month or only the year: `2021-06-15`, `2021-06`, `2025`.
///
/// Treaty never invents the missing part. Questions "as of" a day compare that day with the whole
/// span the date could mean (``earliest`` ... ``latest``), so "June 2021" is neither before nor after
/// 10 June 2021.
public struct PartialDate: Sendable, Hashable, CustomStringConvertible {
    public enum Precision: String, Sendable, Codable, CaseIterable {
        case year, month, day
    }

    public let year: Int
    public let month: Int?
    public let day: Int?

    public var precision: Precision {
        day != nil ? .day : (month != nil ? .month : .year)
    }

    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; nil when the text is not one of them or names no real day.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...3).contains(parts.count), parts[0].count == 4,
            parts.dropFirst().allSatisfy({ $0.count == 2 }),
            parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            let year = Int(parts[0]), year >= 1
        else { return nil }
        let month = parts.count > 1 ? Int(parts[1]) : nil
        let day = parts.count > 2 ? Int(parts[2]) : nil
        if let month, !(1...12).contains(month) { return nil }
        if let month, let day, Day(year: year, month: month, day: day) == nil { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    public var description: String {
        var text = Day.pad(year, 4)
        if let month { text += "-" + Day.pad(month, 2) }
        if let day { text += "-" + Day.pad(day, 2) }
        return text
    }

    /// The first day the date could mean.
    public var earliest: Day {
        Day(year: year, month: month ?? 1, day: day ?? 1)!
    }

    /// The last day the date could mean.
    public var latest: Day {
        let m = month ?? 12
        return Day(year: year, month: m, day: day ?? Day.daysIn(month: m, year: year))!
    }

    /// Whether the date is certainly on or before `day`, certainly after it, or could be either.
    public func relation(to day: Day) -> Certainty {
        if latest <= day { return .yes }
        if earliest > day { return .no }
        return .maybe
    }

    /// Human form: "15 June 2021", "June 2021", "2025".
    public var spelledOut: String {
        let names = [
            "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
            "November", "December",
        ]
        switch (month, day) {
        case (let m?, let d?): return "\(d) \(names[m - 1]) \(year)"
        case (let m?, nil): return "\(names[m - 1]) \(year)"
        default: return String(year)
        }
    }
}

/// Whether something is the case: yes, no, or it cannot be told from what is recorded.
public enum Certainty: String, Sendable {
    case yes, no, maybe
}
