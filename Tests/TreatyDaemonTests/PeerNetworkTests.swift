import Foundation
import Testing
import TreatyClient
import TreatyDaemon
import TreatyModel
import TreatyStore

/// Real daemons syncing over mutual TLS on loopback ports.
@Suite("Offices sync over the network", .serialized)
struct PeerNetworkTests {
    /// A daemon listening for peers on a free loopback port, optionally over a state prepared beforehand.
    static func office(
        options: StoreOptions = StoreOptions(durable: false), prepare: ((TreatyStore) async throws -> Void)? = nil
    ) async throws -> DaemonProcess {
        let directory = "/tmp/treaty-peer-" + String(UUID().uuidString.prefix(8))
        if let prepare {
            try FileManager.default.createDirectory(atPath: directory + "/state", withIntermediateDirectories: true)
            let store = try TreatyStore.open(
                path: directory + "/state/" + TreatyStore.databaseFileName, options: options)
            try await prepare(store)
            try store.close()
        }
        return try await DaemonProcess(config: ["listen": "127.0.0.1:0", "peer_poll_seconds": 2], directory: directory)
    }

    static func json(_ daemon: DaemonProcess, _ arguments: [String]) async throws -> JSONValue {
        try await SyncEndToEndTests.json(daemon, arguments)
    }

    static func identity(_ daemon: DaemonProcess) async throws -> (office: String, listen: String) {
        let identity = try await json(daemon, ["identity"])
        return (identity["office"]!.stringValue!, identity["listen"]!.stringValue!)
    }

    /// Pins `other` at `daemon` under `name`, at `address` (else where `other` listens).
    static func pin(_ daemon: DaemonProcess, _ name: String, _ other: DaemonProcess, address: String? = nil) async throws {
        let (office, listen) = try await identity(other)
        _ = try await json(daemon, ["peer", "add", name, address ?? listen, office])
    }

    /// Waits (generously) until `condition` holds.
    static func eventually(_ what: String, deadline: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws {
        let end = ContinuousClock.now + deadline
        while ContinuousClock.now < end {
            if (try? await condition()) == true { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("timed out waiting until \(what)")
        throw PeerTestError.timeout(what)
    }

    enum PeerTestError: Error { case timeout(String) }

    /// Waits until `receiver` holds every change set `origin` made (at least `count` of them).
    static func caughtUp(_ receiver: DaemonProcess, with origin: DaemonProcess, office: String, atLeast count: Int) async throws {
        try await eventually("the receiver holds all of the origin's change sets", deadline: .seconds(600)) {
            let made = try await holds(origin, from: office)
            let held = try await holds(receiver, from: office)
            return made >= Int64(count) && held == made
        }
    }

    /// How many change sets of `office` the daemon holds, from `treaty office list` (cheaper to poll than `sync
    /// status`, which digests the whole content whenever the vector moved).
    static func holds(_ daemon: DaemonProcess, from office: String) async throws -> Int64 {
        let offices = try await json(daemon, ["office", "list"])["offices"]?.arrayValue ?? []
        return offices.first { $0["office"]?.stringValue == office }?["holds"]?.intValue ?? 0
    }

    static func peer(_ daemon: DaemonProcess, _ name: String) async throws -> JSONValue? {
        try await json(daemon, ["peer", "list"])["peers"]?.arrayValue?.first { $0["name"]?.stringValue == name }
    }

    @Test("an edit on A reaches C through B, and C's subscribers hear of it")
    func relay() async throws {
        let a = try await Self.office()
        let b = try await Self.office()
        let c = try await Self.office()
        try await Self.pin(a, "bravo", b)
        try await Self.pin(b, "alpha", a)
        try await Self.pin(b, "charlie", c)
        try await Self.pin(c, "bravo", b)
        let client = try await c.client()
        let (_, events) = try await client.subscribe(to: nil)
        let added = try await Self.json(a, ["person", "add", "name=Cəlil Xəlilov"])
        let id = added["id"]!.stringValue!
        try await Self.eventually("C has the person A added") { try await Self.json(c, ["person", "show", id])["id"]?.stringValue == id }
        var heard = false
        for await event in events {
            if event["record"]?["id"]?.stringValue == id {
                heard = true
                break
            }
        }
        #expect(heard)
        await client.close()
        // C never connected to A: the change set came through B, still signed by A.
        #expect(try await Self.json(c, ["peer", "list"])["peers"]?.arrayValue?.count == 1)
        #expect(try await Self.json(c, ["sync", "status"])["vector"]?[try await Self.identity(a).office]?.intValue ?? 0 >= 1)
    }

    /// Starts the proxy (Fixtures/cutting_proxy.py) in front of `upstream`; returns its port, a descriptor that
    /// takes its commands, and what to keep until the test ends.
    static func proxy(to upstream: Substring, cutAfter: Int) throws -> (port: String, commands: Int32, keep: ChildProcess, output: RawSocket) {
        // The proxy ends when its input closes, or with its process group (`python3` may be a wrapper script).
        var input: [Int32] = [0, 0]
        var output: [Int32] = [0, 0]
        guard pipe(&input) == 0, pipe(&output) == 0 else { throw ChildProcessError.cannotStart("the proxy", errno) }
        let proxy = try ChildProcess(
            "/usr/bin/env",
            [
                "python3", DaemonProcess.repositoryRoot.appendingPathComponent("Tests/TreatyDaemonTests/Fixtures/cutting_proxy.py").path,
                "0", String(upstream), String(cutAfter),
            ], input: input[0], output: output[1])
        close(input[0])
        close(output[1])
        let printed = RawSocket(descriptor: output[0])
        guard let port = printed.readLine(timeout: .seconds(30)) else {
            proxy.killGroup()
            throw PeerTestError.timeout("the proxy printed no port")
        }
        return (port, input[1], proxy, printed)
    }

    @Test("a link gone silent is noticed within seconds, and the offices converge soon after it carries data again")
    func silentLink() async throws {
        let a = try await Self.office()
        let b = try await Self.office()
        let upstream = try await Self.identity(b).listen.split(separator: ":").last!
        let proxy = try Self.proxy(to: upstream, cutAfter: Int(Int32.max))
        defer {
            close(proxy.commands)
            withExtendedLifetime(proxy.output) { proxy.keep.killGroup() }
        }
        try await Self.pin(b, "alpha", a, address: "127.0.0.1:1")
        try await Self.pin(a, "bravo", b, address: "127.0.0.1:" + proxy.port)
        let aOffice = try await Self.identity(a).office
        try await Self.caughtUp(b, with: a, office: aOffice, atLeast: 2)
        _ = "stall\n".withCString { write(proxy.commands, $0, strlen($0)) }
        _ = try await Self.json(a, ["person", "add", "name=Nizami Gəncəvi"])
        let made = try await Self.holds(a, from: aOffice)
        // Both sides promised a frame every 2 s: three missed, and the connection is given up and dialed again.
        try await Self.eventually("the silence is noticed", deadline: .seconds(20)) {
            a.log.contains("heard nothing from") || b.log.contains("heard nothing from")
        }
        let resumed = ContinuousClock.now
        _ = "resume\n".withCString { write(proxy.commands, $0, strlen($0)) }
        try await Self.eventually("B has the change set made while the link was silent", deadline: .seconds(30)) {
            try await Self.holds(b, from: aOffice) == made
        }
        let took = ContinuousClock.now - resumed
        #expect(took < .seconds(10), "converged \(took) after the link carried data again")
    }

    @Test("a transfer cut in the middle resumes, resends nothing B already applied, and converges")
    func cutTransfer() async throws {
        let count = 1500
        let a = try await Self.office { store in
            for index in 0..<count {
                _ = try await store.create(.person, fields: ["name": .string("Person \(index) Əliyev")], user: "bulk")
            }
        }
        let b = try await Self.office()
        let upstream = try await Self.identity(b).listen.split(separator: ":").last!
        let proxy = try Self.proxy(to: upstream, cutAfter: 150_000)
        defer {
            close(proxy.commands)
            withExtendedLifetime(proxy.output) { proxy.keep.killGroup() }
        }
        let port = proxy.port
        // A reaches B only through the proxy; B pins A (first, so the proxy's first connection is let in) at a port
        // where nothing listens, so it cannot dial.
        try await Self.pin(b, "alpha", a, address: "127.0.0.1:1")
        try await Self.pin(a, "bravo", b, address: "127.0.0.1:" + port)
        let aOffice = try await Self.identity(a).office
        try await Self.caughtUp(b, with: a, office: aOffice, atLeast: count + 1)
        #expect(try await Self.json(a, ["sync", "status"])["digest"] == Self.json(b, ["sync", "status"])["digest"])
        let traffic = try await Self.peer(b, "alpha")?["traffic"]
        let held = try await Self.json(a, ["sync", "status"])["vector"]?[aOffice]?.intValue
        // The proxy cut the first connection: B saw the connection end and A dialed again.
        #expect(b.log.components(separatedBy: "peer connected").count >= 3, "\(b.log)")
        // Every change set B received was new to it: the cut one was lost whole and sent again once.
        #expect(traffic?["already_had"] == 0)
        #expect(traffic?["applied"]?.intValue == held)
        #expect(traffic?["received"]?.intValue == held)
    }

    @Test("an office whose key is not pinned is refused in the handshake, and its id is logged")
    func unpinnedRefused() async throws {
        let a = try await Self.office()
        let stranger = try await Self.office()
        let strangerOffice = try await Self.identity(stranger).office
        try await Self.pin(stranger, "alpha", a)
        try await Self.eventually("the refusal is logged with the stranger's id") {
            a.log.contains("refused a peer that is not pinned") && a.log.contains(strangerOffice)
        }
        #expect(try await Self.peer(stranger, "alpha")?["connected"] == false)
        try await Self.eventually("the stranger notes the failure") {
            try await Self.peer(stranger, "alpha")?["last_error"]?.stringValue?.contains("is this office pinned there") == true
        }
        #expect(try await Self.json(a, ["office", "list"])["offices"]?.arrayValue?.count == 1)
    }

    @Test("a peer presenting another key than the one pinned is refused")
    func wrongKeyRefused() async throws {
        let a = try await Self.office()
        let b = try await Self.office()
        let c = try await Self.office()
        // C pins "bravo" at B's address but with A's office id.
        let aOffice = try await Self.identity(a).office
        _ = try await Self.json(c, ["peer", "add", "bravo", try await Self.identity(b).listen, aOffice])
        try await Self.pin(b, "charlie", c)
        let bOffice = try await Self.identity(b).office
        try await Self.eventually("C records the refusal naming the key B offered") {
            let error = try await Self.peer(c, "bravo")?["last_error"]?.stringValue ?? ""
            return error.contains("refused") && error.contains(bOffice)
        }
        #expect(try await Self.peer(c, "bravo")?["connected"] == false)
        #expect(c.log.contains("refused a peer whose key is not the pinned one"))
    }

    @Test("two offices that edit while apart converge when they reconnect, with the same conflict on both")
    func editApart() async throws {
        let a = try await Self.office()
        let b = try await Self.office()
        try await a.seed()
        try await Self.pin(a, "bravo", b)
        try await Self.pin(b, "alpha", a)
        let memo = ExampleIDs.seed("memo")
        try await Self.eventually("B has the seed") { try await Self.json(b, ["agreement", "show", memo])["agreement"] != nil }
        // Apart: each unpins the other, then both edit the same field and one edits another.
        _ = try await Self.json(a, ["peer", "rm", "bravo"])
        _ = try await Self.json(b, ["peer", "rm", "alpha"])
        _ = try await Self.json(a, ["agreement", "edit", memo, "summary=Ankara's reading"])
        _ = try await Self.json(b, ["agreement", "edit", memo, "summary=Baku's reading"])
        _ = try await Self.json(b, ["agreement", "edit", memo, "place=Bakı"])
        try await Self.pin(a, "bravo", b)
        try await Self.pin(b, "alpha", a)
        let rounds = try await Self.json(a, ["sync", "now", "bravo"])["rounds"]?.arrayValue ?? []
        #expect(rounds.count == 1 && rounds.first?["error"] == nil, "\(rounds)")
        try await Self.eventually("the digests agree") {
            try await Self.json(a, ["sync", "status"])["digest"] == Self.json(b, ["sync", "status"])["digest"]
        }
        let onA = try await Self.json(a, ["conflicts", "list"])
        #expect(onA == (try await Self.json(b, ["conflicts", "list"])))
        #expect(onA["conflicts"]?.arrayValue?.count == 1)
        #expect(try await Self.json(a, ["agreement", "show", memo])["agreement"]?["place"] == "Bakı")
        // A peer's nickname is this office's own word for it: it stays in the peers table, out of the synced
        // offices table.
        for daemon in [a, b] {
            let names = try await Self.json(daemon, ["office", "list"])["offices"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
            #expect(names?.contains("alpha") == false && names?.contains("bravo") == false, "\(names ?? [])")
        }
    }

    /// Peak resident memory (kB) of a process, from /proc.
    static func peakRSS(_ daemon: DaemonProcess) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(daemon.process.pid)/status", encoding: .utf8)
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    /// Catches a new office up with one `behind` change sets ahead; returns both daemons' peak RSS (kB).
    static func catchUp(behind: Int) async throws -> (sender: Int, receiver: Int) {
        let a = try await office { store in
            for index in 0..<behind {
                _ = try await store.create(.person, fields: ["name": .string("Person \(index) Əliyev")], user: "bulk")
            }
        }
        let b = try await office()
        try await pin(a, "bravo", b)
        try await pin(b, "alpha", a)
        try await caughtUp(b, with: a, office: try await identity(a).office, atLeast: behind + 1)
        return (try peakRSS(a), try peakRSS(b))
    }

    @Test("catching up 20,000 change sets takes about the memory of catching up 2,000")
    func boundedMemory() async throws {
        let large = ProcessInfo.processInfo.environment["TREATY_PEER_LARGE"] != nil ? 100_000 : 20_000
        let small = try await Self.catchUp(behind: 2_000)
        let big = try await Self.catchUp(behind: large)
        // A margin for allocator noise and SQLite's page caches (2 MB per reader; the writer's, bounded at
        // TreatyStore.writerCacheKiB, fills further in a longer write), not for growth with the lag.
        let margin = { (small: Int) in small / 4 + TreatyStore.writerCacheKiB }
        #expect(big.sender <= small.sender + margin(small.sender), "sender \(small.sender) kB -> \(big.sender) kB")
        #expect(
            big.receiver <= small.receiver + margin(small.receiver), "receiver \(small.receiver) kB -> \(big.receiver) kB")
        print("peak RSS: sender \(small.sender) -> \(big.sender) kB, receiver \(small.receiver) -> \(big.receiver) kB")
    }
}
