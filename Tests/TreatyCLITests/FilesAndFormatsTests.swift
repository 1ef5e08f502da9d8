import Foundation
import Testing
import TreatyModel

@testable import TreatyCLI

/// What the CLI does without Foundation's formatting, files and processes: each prints or writes what Foundation's did.
@Suite("CLI files, numbers and days")
struct FilesAndFormatsTests {
    @Test("Numbers print as printf's %.Nf prints them, ties to the even digit", arguments: [
        (0.5625, 3), (0.0625, 3), (0.25, 3), (0, 3), (1.0 / 3, 3), (0.9996, 3), (-0.0004, 3), (-1.25, 1), (12.34, 1),
        (1_234_567.891, 1), (0.05, 1), (0.15, 1), (7, 0), (2.5, 0),
    ] as [(Double, Int)])
    func decimals(value: Double, places: Int) {
        #expect(decimal(value, places: places) == String(format: "%.\(places)f", value))
    }

    @Test("Randomized: numbers print as printf prints them (fixed seed)")
    func randomDecimals() {
        var random = SplitMix64(seed: 17)
        for _ in 0..<10_000 {
            let value = Double(Int64(random.next() % 2_000_000) - 1_000_000) / Double(1 << (random.next() % 12))
            let places = Int(random.next() % 4)
            #expect(decimal(value, places: places) == String(format: "%.\(places)f", value), "\(value) \(places)")
        }
    }

    @Test("Days typed on the command line: spans back from TREATY_NOW, months and years to their edges, bad days refused")
    func days() throws {
        let now = ["TREATY_NOW": "2024-03-01"]
        #expect(try DayArgument.day("today", edge: .last, environment: now) == "2024-03-01")
        #expect(try DayArgument.day("yesterday", edge: .last, environment: now) == "2024-02-29")
        #expect(try DayArgument.day("2w", edge: .first, environment: now) == "2024-02-16")
        #expect(try DayArgument.day("366d", edge: .first, environment: now) == "2023-03-01")
        #expect(try DayArgument.day("2023-02", edge: .last, environment: now) == "2023-02-28")
        #expect(try DayArgument.day("2024-02", edge: .last, environment: now) == "2024-02-29")
        #expect(try DayArgument.day("2021", edge: .first, environment: now) == "2021-01-01")
        #expect(try DayArgument.day("2021", edge: .last, environment: now) == "2021-12-31")
        for bad in ["2023-02-29", "2021-13", "21", "soon", "2021-06-00", "0000"] {
            #expect(throws: CLIFailure.self) { try DayArgument.day(bad, edge: .first, environment: now) }
        }
        // Without TREATY_NOW, today is the local calendar's (the variable TZ names the zone).
        let local = DateFormatter()
        local.dateFormat = "yyyy-MM-dd"
        local.calendar = Calendar(identifier: .gregorian)
        #expect(try DayArgument.day("today", edge: .first, environment: [:]) == local.string(from: Date()))
    }

    @Test("A file written with --out replaces the old one whole; a device is written in place")
    func outputFiles() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("treaty-cli-\(getpid())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/out.csv"
        try OutputFile.write(Array("old and longer\n".utf8), to: path)
        try OutputFile.write(Array("new\n".utf8), to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "new\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["out.csv"])
        try OutputFile.write(Array("discarded\n".utf8), to: "/dev/null")
        #expect(FileManager.default.fileExists(atPath: "/dev/null"))
        #expect(throws: CLIFailure.self) { try OutputFile.write(Array("x".utf8), to: folder + "/missing/out.csv") }

        let file = try OpenFile.reading(path)
        #expect(try file.read(upTo: 2) == Array("ne".utf8))
        #expect(try file.read(upTo: 100) == Array("w\n".utf8))
        #expect(try file.read(upTo: 100).isEmpty)
        #expect(throws: CLIFailure.self) { try OpenFile.reading(folder + "/absent") }
    }

    @Test("A program run with pipes gets its input whole, its output comes back whole, its status is reported")
    func subprocess() throws {
        let input = String(repeating: "a line longer than a pipe's buffer holds at once\n", count: 4_000)
        let cat = try Subprocess("/bin/cat", arguments: [])
        try cat.write(input)
        var output: [UInt8] = []
        while case let piece = try cat.output.read(upTo: 1 << 16), !piece.isEmpty { output += piece }
        #expect(cat.wait() == 0)
        #expect(output.count == input.utf8.count)

        let failing = try Subprocess("/bin/sh", arguments: ["-c", "exit 3"])
        try? failing.write(input)
        #expect(failing.wait() == 3)
    }

    @Test("Words are trimmed of white space at both ends only")
    func trimming() {
        #expect(" a b\t".trimmed == "a b")
        #expect("\t\n".trimmed == "")
        #expect("ab"[...].trimmed == "ab")
    }

    @Test("CSV cells, DOT labels and GraphML text stay quoted when a combining mark follows a quote or a line ends in CRLF")
    func quotingByScalar() {
        let marked = "say \"\u{301}no\" & <b>"
        // The cell is quoted and each quote scalar doubled, the mark kept after it.
        #expect(CSV.row([marked, "x"]) == "\"say \"\"\u{301}no\"\" & <b>\",x")
        #expect(CSV.row(["one\r\ntwo"]) == "\"one\r\ntwo\"")
        #expect(CSV.row(["plain"]) == "plain")
        #expect(Graphviz.xml(marked) == "say &quot;\u{301}no&quot; &amp; &lt;b&gt;")
        #expect(Graphviz.quote(marked) == "\"say \\\"\u{301}no\\\" & <b>\"")
        #expect(Graphviz.quote("a\\nb") == "\"a\\nb\"")
    }
}
