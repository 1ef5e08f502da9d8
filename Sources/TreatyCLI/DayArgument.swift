import Foundation

/// Days as a person types them on the command line, made into the YYYY-MM-DD the daemon takes: a day, a month
/// (2021-06) or a year (2021), `today`, `yesterday`, or a span ago (`7d`, `2w`), in the local time zone.
/// `TREATY_NOW` (YYYY-MM-DD) stands in for today, so tests and examples give the same answer every day.
enum DayArgument {
    /// Which day of a month or year stands for it: its first (`--since`) or its last (`--on`, "as of").
    enum Edge { case first, last }

    static func day(_ text: String, edge: Edge, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(CLIFailure) -> String
    {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .current
        let today = environment["TREATY_NOW"].flatMap { parse($0, calendar: calendar) } ?? calendar.startOfDay(for: Date())
        let word = text.lowercased()
        func ago(_ days: Int) -> String { format(calendar.date(byAdding: .day, value: -days, to: today)!, calendar) }
        switch word {
        case "today": return ago(0)
        case "yesterday": return ago(1)
        default: break
        }
        if let unit = word.last, "dw".contains(unit), let count = Int(word.dropLast()), count >= 0 {
            return ago(unit == "w" ? count * 7 : count)
        }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
        guard !parts.contains(nil), (1...3).contains(parts.count), text.prefix(4).count == 4, let year = parts[0] else {
            throw CLIFailure(
                "\"\(text)\" is not a day: give YYYY-MM-DD, YYYY-MM, YYYY, today, yesterday, or a span ago like 7d or 2w",
                code: 2)
        }
        let month = parts.count > 1 ? parts[1]! : (edge == .first ? 1 : 12)
        guard (1...12).contains(month) else { throw CLIFailure("\"\(text)\" has no month \(month)", code: 2) }
        let first = calendar.date(from: DateComponents(year: year, month: month, day: 1))!
        let lastDay = calendar.range(of: .day, in: .month, for: first)!.count
        let day = parts.count > 2 ? parts[2]! : (edge == .first ? 1 : lastDay)
        guard (1...lastDay).contains(day) else { throw CLIFailure("\"\(text)\" is not a real day", code: 2) }
        return String(format: "%04d-%02d-%02d", year, month, day)
    }

    private static func parse(_ text: String, calendar: Calendar) -> Date? {
        let parts = text.prefix(10).split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        return calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2]))
    }

    private static func format(_ date: Date, _ calendar: Calendar) -> String {
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }
}
