import Foundation
import Testing
import TreatyDaemon
import TreatyModel

/// Two real daemons exchanging bundle files through the CLI, as two offices without a network would.
@Suite("Two offices sync by bundle files", .serialized)
struct SyncEndToEndTests {
    /// Runs `treaty --json ...` against a daemon and parses its output.
    static func json(_ daemon: DaemonProcess, _ arguments: [String]) async throws -> JSONValue {
        let (status, output) = try await CLITests.treaty(daemon, ["--json"] + arguments)
        guard status == 0 else { throw CLIError(arguments: arguments, status: status, output: output) }
        return try JSONCodec.decode(output)
    }

    struct CLIError: Error, CustomStringConvertible {
        let arguments: [String]
        let status: Int32
        let output: String
        var description: String { "treaty \(arguments.joined(separator: " ")) exited \(status): \(output)" }
    }

    /// Sends everything `from` has that `to` lacks, as a bundle file.
    static func send(from: DaemonProcess, to: DaemonProcess, file: String) async throws -> JSONValue {
        let office = try await json(to, ["identity"])["office"]!.stringValue!
        _ = try await json(from, ["sync", "export", "--out", file, "--for", office])
        return try await json(to, ["sync", "import", file])
    }

    @Test("a bundle larger than a request line travels through the CLI in pieces, both ways")
    func bundleLargerThanALine() async throws {
        let limit = 2_000_000
        let a = try await DaemonProcess()
        let b = try await DaemonProcess(config: ["max_line_bytes": .int(Int64(limit))])
        // 400 people with 10 KB of random notes each: a bundle that does not compress below the line limit.
        var rng = SplitMix64(seed: 7)
        let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz")
        let lines = (0..<400).map { n in
            let note = String((0..<10_000).map { _ in alphabet[Int(rng.next() % 32)] })
            return #"{"type":"person","name":"Person \#(n)","note":"\#(note)"}"#
        }
        let source = a.directory + "/people.jsonl"
        try (lines.joined(separator: "\n") + "\n").write(toFile: source, atomically: true, encoding: .utf8)
        _ = try await Self.json(a, ["import", source])
        let file = a.directory + "/large.bundle"
        let exported = try await Self.json(a, ["sync", "export", "--out", file])
        let size = try #require(try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int)
        #expect(size > limit, "the bundle must not fit one request line")
        #expect(exported["bytes"]?.intValue == Int64(size))
        let identity = try await Self.json(a, ["identity"])
        _ = try await Self.json(
            b, ["office", "add", identity["office"]!.stringValue!, "--public-key", identity["public_key"]!.stringValue!])
        let imported = try await Self.json(b, ["sync", "import", file])
        #expect(imported["applied"]?.intValue == exported["change_sets"]?.intValue)
        #expect(imported["held"] == [])
        let people = try await b.client().call("person.list", ["limit": 1000])["records"]?.arrayValue ?? []
        #expect(people.count == 400)
        // And back out of B, whose line limit is small: the export comes in pieces too.
        let back = b.directory + "/back.bundle"
        let again = try await Self.json(b, ["sync", "export", "--out", back])
        #expect((again["bytes"]?.intValue ?? 0) > Int64(limit))
        #expect(try await Self.json(a, ["sync", "import", back])["applied"] == 0)
    }

    @Test("an import of a bundle of many change sets whose CLI is killed leaves the office whole, and a second one completes it")
    func importKilled() async throws {
        // 3,000 people in change sets of 10 records: a bundle of 300 change sets.
        let a = try await DaemonProcess(config: ["max_change_set_records": 10])
        let b = try await DaemonProcess()
        let lines = (0..<3000).map { #"{"type":"person","name":"Person \#($0) Əliyev"}"# }
        let source = a.directory + "/people.jsonl"
        try (lines.joined(separator: "\n") + "\n").write(toFile: source, atomically: true, encoding: .utf8)
        _ = try await Self.json(a, ["import", source])
        let file = a.directory + "/all.bundle"
        let exported = try await Self.json(a, ["sync", "export", "--out", file])
        #expect(try #require(exported["change_sets"]?.intValue) >= 300)
        let identity = try await Self.json(a, ["identity"])
        _ = try await Self.json(
            b, ["office", "add", identity["office"]!.stringValue!, "--public-key", identity["public_key"]!.stringValue!])

        // Killed at a few moments: during the upload, while applying, or after it ended. Whenever it lands, B holds a
        // prefix of A's change sets (none of an import that did not commit), nothing held, and a second import
        // completes it.
        for delay in [0, 30, 120] {
            let cli = try ChildProcess(
                DaemonProcess.productsDirectory.appendingPathComponent("treaty").path,
                ["--socket", b.socketPath, "sync", "import", file])
            try await Task.sleep(for: .milliseconds(delay))
            cli.send(SIGKILL)
            _ = await cli.exit(within: .seconds(10))
        }
        let office = identity["office"]!.stringValue!
        let status = try await Self.json(b, ["sync", "status"])
        #expect(status["held"] == [])
        let people = try await b.client().call("person.list", ["limit": 5000])["records"]?.arrayValue ?? []
        #expect(people.count % 10 == 0 && people.count <= 3000, "whole change sets only: \(people.count) people")
        let again = try await Self.json(b, ["sync", "import", file])
        #expect(again["held"] == [])
        #expect(try #require(again["applied"]?.intValue) + #require(again["already_had"]?.intValue) == exported["change_sets"]?.intValue)
        #expect(try await PeerNetworkTests.holds(b, from: office) == PeerNetworkTests.holds(a, from: office))
        #expect(try await b.client().call("person.list", ["limit": 5000])["records"]?.arrayValue?.count == 3000)
    }

    @Test("an edit on A shows on B; concurrent edits of one field give the same winner and conflict on both")
    func twoOffices() async throws {
        let a = try await DaemonProcess()
        let b = try await DaemonProcess()
        try await a.seed()
        let aID = try await Self.json(a, ["identity"])["office"]!.stringValue!
        let bID = try await Self.json(b, ["identity"])["office"]!.stringValue!
        let file = a.directory + "/a-to-b.bundle"

        // B holds A's change sets back until A is admitted.
        let first = try await Self.send(from: a, to: b, file: file)
        #expect(first["applied"] == 0)
        #expect(first["held"]?.arrayValue?.count == 2)
        let status = try await Self.json(b, ["sync", "status"])
        #expect(status["held"]?.arrayValue?.first?["reason"]?.stringValue?.contains("not in the offices table") == true)
        _ = try await Self.json(b, ["office", "add", aID, "--name", "Ankara desk"])
        #expect(try await Self.json(b, ["sync", "status"])["held"] == [])
        let memo = ExampleIDs.seed("memo")
        #expect(try await Self.json(b, ["agreement", "show", memo])["agreement"]?["id"]?.stringValue == memo)

        // The same bundle again: nothing new.
        let again = try await Self.json(b, ["sync", "import", file])
        #expect(again["applied"] == 0)
        #expect((again["already_had"]?.intValue ?? 0) == 2)

        // An edit on A reaches B.
        _ = try await Self.json(a, ["agreement", "edit", memo, "place=Baku"])
        _ = try await Self.send(from: a, to: b, file: file)
        #expect(try await Self.json(b, ["agreement", "show", memo])["agreement"]?["place"] == "Baku")

        // B must be admitted at A too before A applies B's change sets.
        _ = try await Self.json(a, ["office", "add", bID, "--public-key", try await Self.json(b, ["identity"])["public_key"]!.stringValue!])

        // Concurrent edits of one field, then both ways.
        _ = try await Self.json(a, ["agreement", "edit", memo, "summary=Ankara's reading"])
        _ = try await Self.json(b, ["agreement", "edit", memo, "summary=Baku's reading"])
        _ = try await Self.send(from: a, to: b, file: file)
        _ = try await Self.send(from: b, to: a, file: b.directory + "/b-to-a.bundle")
        let onA = try await Self.json(a, ["agreement", "show", memo])["agreement"]?["summary"]
        let onB = try await Self.json(b, ["agreement", "show", memo])["agreement"]?["summary"]
        #expect(onA == onB)
        let conflictsA = try await Self.json(a, ["conflicts", "list"])
        let conflictsB = try await Self.json(b, ["conflicts", "list"])
        #expect(conflictsA == conflictsB)
        let conflict = conflictsA["conflicts"]?.arrayValue?.first
        #expect(conflictsA["conflicts"]?.arrayValue?.count == 1)
        #expect(conflict?["field"] == "summary")
        let values = Set([conflict?["current"]?["value"], conflict?["losers"]?.arrayValue?.first?["value"]].compactMap { $0?.stringValue })
        #expect(values == ["Ankara's reading", "Baku's reading"])
        #expect(try await Self.json(a, ["sync", "status"])["digest"] == Self.json(b, ["sync", "status"])["digest"])

        // Settling on B keeps the value shown; after a bundle A lists no conflict either.
        _ = try await Self.json(b, ["conflicts", "settle", memo, "summary", "--keep", "current"])
        _ = try await Self.send(from: b, to: a, file: b.directory + "/b-to-a.bundle")
        #expect(try await Self.json(a, ["conflicts", "list"])["conflicts"] == [])
        #expect(try await Self.json(a, ["sync", "status"])["digest"] == Self.json(b, ["sync", "status"])["digest"])
    }

    @Test("a damaged bundle is refused with a clear error and changes nothing")
    func damagedBundle() async throws {
        let a = try await DaemonProcess()
        let b = try await DaemonProcess()
        try await a.seed()
        let file = a.directory + "/a.bundle"
        _ = try await Self.json(a, ["sync", "export", "--out", file])
        var bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        bytes[bytes.count - 10] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: file))
        let before = try await Self.json(b, ["sync", "status"])
        let (status, output) = try await runProgram(
            DaemonProcess.productsDirectory.appendingPathComponent("treaty").path,
            ["--socket", b.socketPath, "sync", "import", file])
        #expect(status == 1)
        #expect(output.contains("checksum mismatch"), "\(output)")
        #expect(try await Self.json(b, ["sync", "status"]) == before)
    }
}
