import Foundation
import Testing
import TreatyModel
import TreatyStore
import TreatySync

/// Databases made before change sets were bounded hold one change set per import, of any size (one held 521 MB).
@Suite("A change set from before they were bounded", .serialized)
struct LegacyChangeSetTests {
    @Test("a stored change set of more than 64 MiB reaches a peer and a bundle, and both apply it")
    func oversizedStoredChangeSet() async throws {
        let started = ContinuousClock.now
        // 700 sources with 100 KB notes each, imported with the bound lifted: one change set of about 70 MB, as an
        // office that imported before the bound would hold in its log.
        var rng = SplitMix64(seed: 12)
        let words = ["defence", "treaty", "naval", "border", "ministry", "accord", "ratified", "cyber", "exercise"]
        var size = 0
        let a = try await PeerNetworkTests.office(
            options: StoreOptions(durable: false, maxChangeSetRecords: .max, maxChangeSetBytes: .max)
        ) { store in
            let file = store.spoolDirectory + "/sources.jsonl"
            _ = FileManager.default.createFile(atPath: file, contents: nil)
            let out = try #require(FileHandle(forWritingAtPath: file))
            for n in 0..<700 {
                var note = ""
                while note.utf8.count < 100_000 { note += words[Int(rng.next() % UInt64(words.count))] + " " }
                out.write(Data((#"{"type":"source","title":"Source \#(n)","note":"\#(note)"}"# + "\n").utf8))
            }
            try out.close()
            _ = try await store.importJSONLines(from: file, user: "legacy")
            try FileManager.default.removeItem(atPath: file)
            size = try await store.changeSets(missingFrom: VersionVector()).map(\.encoded.count).max() ?? 0
        }
        #expect(size > 64 << 20, "the test needs a change set larger than a peer frame (\(size) bytes)")
        let office = try await PeerNetworkTests.identity(a).office
        func digest(_ daemon: DaemonProcess) async throws -> JSONValue? {
            try await PeerNetworkTests.json(daemon, ["sync", "status"])["digest"]
        }

        // Over a peer connection: the change set travels in pieces and is spooled on B.
        let b = try await PeerNetworkTests.office()
        let (bOffice, bListen) = try await PeerNetworkTests.identity(b)
        // Pinned before it was ever heard from: A counts everything it holds as what B lacks.
        let made = try await PeerNetworkTests.holds(a, from: office)
        let added = try await PeerNetworkTests.json(a, ["peer", "add", "bravo", bListen, bOffice])
        #expect(added["behind"]?["change_sets"]?.intValue == made)
        #expect(try #require(added["behind"]?["bytes"]?.intValue) > Int64(size))
        try await PeerNetworkTests.pin(b, "alpha", a)
        try await PeerNetworkTests.caughtUp(b, with: a, office: office, atLeast: 1)
        try await PeerNetworkTests.eventually("A knows B lacks nothing") {
            try await PeerNetworkTests.peer(a, "bravo")?["behind"] == ["change_sets": 0, "bytes": 0]
        }
        try await PeerNetworkTests.eventually("B holds what A holds") { try await digest(b) == digest(a) }

        // In a bundle: written and read a piece at a time, spooled on C.
        let c = try await PeerNetworkTests.office()
        let identity = try await PeerNetworkTests.json(a, ["identity"])
        _ = try await PeerNetworkTests.json(
            c, ["office", "add", office, "--public-key", identity["public_key"]!.stringValue!])
        let bundle = a.directory + "/all.bundle"
        let (status, output) = try await runProgram(
            DaemonProcess.productsDirectory.appendingPathComponent("treaty").path,
            ["--socket", a.socketPath, "--json", "sync", "export", "--out", bundle], stderrToo: true)
        #expect(status == 0, "\(output)\n\(a.log.suffix(3000))")
        let imported = try await PeerNetworkTests.json(c, ["sync", "import", bundle])
        #expect(imported["held"] == [])
        #expect(try await PeerNetworkTests.holds(c, from: office) == PeerNetworkTests.holds(a, from: office))
        // No spool file is left behind.
        for daemon in [a, b, c] {
            let files = FileManager.default.enumerator(atPath: daemon.directory)?.allObjects as? [String] ?? []
            #expect(!files.contains { $0.contains("spool.") }, "\(files)")
        }
        // Each receiver maps the change set (file pages, which the kernel can drop) once or twice; its heap stays small.
        // Held in memory, it took about six copies (frame, inflated, parsed, its rows, the row rewritten twice).
        for daemon in [b, c] {
            #expect(try PeerNetworkTests.peakRSS(daemon) < (2 * size + (100 << 20)) / 1024)
        }
        print(
            "a change set of \(size) bytes: peer and bundle in \(ContinuousClock.now - started); peak RSS "
                + "A \(try PeerNetworkTests.peakRSS(a) / 1024) MB, B \(try PeerNetworkTests.peakRSS(b) / 1024) MB, "
                + "C \(try PeerNetworkTests.peakRSS(c) / 1024) MB")
    }
}
