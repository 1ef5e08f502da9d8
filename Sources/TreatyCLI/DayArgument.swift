#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import TreatyModel

/// Days as a person types them on the command line, made into the YYYY-MM-DD the daemon takes: a day, a month
/// (2021-06) or a year (2021), `today`, `yesterday`, or a span ago (`7d`, `2w`), in the local time zone.
/// `TREATY_NOW` (YYYY-MM-DD) stands in for today, so tests and examples give the same answer every day.
enum DayArgument {
    /// Which day of a month or year stands for it: its first (`--since`) or its last (`--on`, "as of").
    enum Edge { case first, last }

    static func day(_ text: String, edge: Edge, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(CLIFailure) -> String
    {
        let today = today(environment: environment)
        let word = text.lowercased()
        switch word {
        case "today": return today.description
        case "yesterday": return today.adding(days: -1).description
        default: break
        }
        if let unit = word.last, "dw".contains(unit), let count = Int(word.dropLast()), count >= 0 {
            return today.adding(days: -(unit == "w" ? count * 7 : count)).description
        }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
        guard !parts.contains(nil), (1...3).contains(parts.count), text.prefix(4).count == 4, let year = parts[0],
            Day(year: year, month: 1, day: 1) != nil
        else {
            throw CLIFailure(
                "\"\(text)\" is not a day: give YYYY-MM-DD, YYYY-MM, YYYY, today, yesterday, or a span ago like 7d or 2w",
                code: 2)
        }
        let month = parts.count > 1 ? parts[1]! : (edge == .first ? 1 : 12)
        guard (1...12).contains(month) else { throw CLIFailure("\"\(text)\" has no month \(month)", code: 2) }
        let lastDay = Day.daysIn(month: month, year: year)
        let day = parts.count > 2 ? parts[2]! : (edge == .first ? 1 : lastDay)
        guard let found = Day(year: year, month: month, day: day) else {
            throw CLIFailure("\"\(text)\" is not a real day", code: 2)
        }
        return found.description
    }

    /// Today in the local time zone, or the day `TREATY_NOW` gives.
    static func today(environment: [String: String] = ProcessInfo.processInfo.environment) -> Day {
        if let now = environment["TREATY_NOW"], let day = Day(String(now.prefix(10))) { return day }
        var now = time(nil)
        var local = tm()
        localtime_r(&now, &local)
        return Day(year: Int(local.tm_year) + 1900, month: Int(local.tm_mon) + 1, day: Int(local.tm_mday))!
    }
}
