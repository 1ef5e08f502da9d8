import Testing
import TreatyModel

@Suite("Partial dates")
struct PartialDateTests {
    @Test("Valid forms parse with their precision", arguments: [
        ("2025", PartialDate.Precision.year), ("2021-06", .month), ("2021-06-15", .day), ("2024-02-29", .day),
    ])
    func parses(text: String, precision: PartialDate.Precision) throws {
        let date = try #require(PartialDate(text))
        #expect(date.precision == precision)
        #expect(date.description == text)
    }

    @Test("Impossible or malformed dates are refused", arguments: [
        "2021-13", "2021-00", "2023-02-29", "2021-6", "21", "2021-06-31", "2021/06", "", "abcd", "2021-06-15T00",
        "٢٠٢١",
    ])
    func refuses(text: String) {
        #expect(PartialDate(text) == nil)
    }

    @Test("A month-precise date spans its month")
    func span() throws {
        let june = try #require(PartialDate("2021-06"))
        #expect(june.earliest.description == "2021-06-01")
        #expect(june.latest.description == "2021-06-30")
        #expect(june.relation(to: Day("2021-06-10")!) == .maybe)
        #expect(june.relation(to: Day("2021-07-01")!) == .yes)
        #expect(june.relation(to: Day("2021-05-31")!) == .no)
    }

    @Test("Day arithmetic crosses months, leap years and centuries")
    func arithmetic() {
        #expect(Day("2024-02-28")!.adding(days: 1).description == "2024-02-29")
        #expect(Day("2023-12-31")!.adding(days: 1).description == "2024-01-01")
        #expect(Day("2000-03-01")!.adding(days: -1).description == "2000-02-29")
        #expect(Day("2025-01-01")!.ordinal - Day("2010-08-16")!.ordinal == 5252)
    }

    @Test("Timestamps format and validate")
    func timestamps() {
        let text = Timestamp.format(millisecondsSince1970: 1_623_715_200_123)
        #expect(text == "2021-06-15T00:00:00.123Z")
        #expect(Timestamp.isValid(text))
        #expect(!Timestamp.isValid("2021-06-15 00:00:00"))
    }
}
