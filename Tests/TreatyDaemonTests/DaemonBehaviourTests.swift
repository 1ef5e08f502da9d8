import Foundation
import Testing
import TreatyClient
import TreatyModel
import TreatyProtocol
@testable import TreatyStore

#if canImport(Glibc)
    import Glibc
#endif

@Suite("treatyd end to end", .serialized)
struct DaemonBehaviourTests {
    @Test("64 concurrent clients each get their own correct answers")
    func concurrentClients() async throws {
        let daemon = try await DaemonProcess()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<64 {
                group.addTask {
                    let client = try await daemon.client()
                    let name = "Client \(i) Nəbiyev"
                    let made = try await client.call("person.add", ["name": .string(name)])
                    let read = try await client.call("person.get", ["id": made["id"]!])
                    #expect(read["name"]?.stringValue == name)
                    // Pipelined calls on one connection are matched to their answers.
                    async let a = client.call("record.get", ["id": made["id"]!])
                    async let b = client.call("health")
                    let (ra, rb) = try await (a, b)
                    #expect(ra["id"] == made["id"] && rb["status"] == "ok")
                    await client.close()
                }
            }
            try await group.waitForAll()
        }
        let client = try await daemon.client()
        #expect(try await client.call("person.list", ["limit": 1000])["records"]?.arrayValue?.count == 64)
        await client.close()
    }

    @Test("A client that stops reading is dropped past the output cap while others are served")
    func slowReaderIsDropped() async throws {
        let daemon = try await DaemonProcess(config: ["max_queued_bytes": 1_048_576])
        try await daemon.seed()
        let slow = try RawSocket(path: daemon.socketPath)
        // Each rpc.discover answer is about 400 KB; 200 of them are far more than the cap and the kernel's buffers.
        let request = #"{"jsonrpc":"2.0","method":"rpc.discover","id":1}"# + "\n"
        slow.write(String(repeating: request, count: 200))
        let client = try await daemon.client()
        var dropped = false
        for _ in 0..<400 {
            #expect(try await client.call("health")["status"] == "ok")
            if try await client.call("stats")["clients_dropped"]?.intValue == 1 {
                dropped = true
                break
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(dropped)
        #expect(slow.isClosedByPeer())
        await client.close()
    }

    @Test("treaty with no daemon exits 3 and names the socket it tried")
    func cliWithoutDaemon() throws {
        let path = "/tmp/treaty-no-daemon-\(UUID().uuidString.prefix(8)).sock"
        let (status, message) = try runProgram(
            DaemonProcess.productsDirectory.appendingPathComponent("treaty").path, ["--socket", path, "status"])
        #expect(status == 3)
        #expect(message.contains(path))
        #expect(message.contains("systemctl status treatyd"))
    }

    @Test("SIGTERM and SIGKILL during a stream of writes lose no acknowledged write", arguments: [SIGTERM, SIGKILL])
    func killDuringWrites(signal: Int32) async throws {
        let daemon = try await DaemonProcess()
        let acknowledged = AckLog()
        let writer = Task {
            guard let client = try? await daemon.client() else { return }
            for i in 0..<100_000 {
                guard let made = try? await client.call("person.add", ["name": .string("Writer \(i)")]),
                    let id = made["id"]?.stringValue
                else { return }
                acknowledged.append(id)
            }
        }
        while acknowledged.count < 50 { try await Task.sleep(for: .milliseconds(10)) }
        let status = await daemon.stop(signal: signal)
        _ = await writer.result
        if signal == SIGTERM { #expect(status == 0, "a graceful stop exits 0:\n\(daemon.log)") }
        // The database opens cleanly and holds every acknowledged write, each whole.
        let store = try TreatyStore.open(path: daemon.directory + "/state/treaty.sqlite")
        let integrity = try store.readSync { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") }
        #expect(integrity == "ok")
        for id in acknowledged.ids {
            let record = try await store.get(id)
            #expect(record.text("name")?.hasPrefix("Writer ") == true)
        }
        let stored = try await store.list(.person, limit: 100_000).count
        #expect(stored >= acknowledged.count && stored <= acknowledged.count + 1)
        try store.close()
        // And the daemon starts again on it.
        try await daemon.start()
        let client = try await daemon.client()
        #expect(try await client.call("health")["status"] == "ok")
        await client.close()
        await daemon.stop()
    }

    @Test("Edits name their version: a colleague's newer edit is never silently overwritten")
    func staleVersionOverRPC() async throws {
        let daemon = try await DaemonProcess()
        let alice = try await daemon.client()
        let bob = try await daemon.client()
        let made = try await alice.call("person.add", ["name": "Aydın Mirzəzadə"])
        _ = try await alice.call("person.update", ["id": made["id"]!, "version": 1, "set": ["note": "MP"]])
        let error = await rpcError {
            try await bob.call("person.update", ["id": made["id"]!, "version": 1, "set": ["note": "overwrite"]])
        }
        #expect(error?.name == "stale_version")
        #expect(error?.data?["current_version"] == 2)
        #expect(try await alice.call("person.get", ["id": made["id"]!])["note"] == "MP")
        await alice.close()
        await bob.close()
    }

    @Test("Subscriptions: all changes as they commit; one record's current state first")
    func subscriptions() async throws {
        let daemon = try await DaemonProcess()
        let watcher = try await daemon.client()
        let writer = try await daemon.client()
        let (_, all) = try await watcher.subscribe()
        let made = try await writer.call("person.add", ["name": "Adalət Verdiyev"])
        var iterator = all.makeAsyncIterator()
        let first = try #require(await iterator.next())
        #expect(first["operation"] == "created" && first["record"]?["id"] == made["id"])

        let (_, one) = try await watcher.subscribe(to: made["id"]!.stringValue!)
        var single = one.makeAsyncIterator()
        let current = try #require(await single.next())
        #expect(current["record"]?["name"] == "Adalət Verdiyev" && current["record"]?["version"] == 1)
        _ = try await writer.call("person.add", ["name": "Someone else"])
        _ = try await writer.call("person.update", ["id": made["id"]!, "version": 1, "set": ["note": "expert"]])
        let edited = try #require(await single.next())
        #expect(edited["operation"] == "updated" && edited["record"]?["note"] == "expert")
        await watcher.close()
        await writer.close()
    }
}

/// Ids the daemon acknowledged, appended from the writer task.
final class AckLog: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func append(_ id: String) { lock.withLock { list.append(id) } }
    var ids: [String] { lock.withLock { list } }
    var count: Int { lock.withLock { list.count } }
}

/// The RPC error a call fails with, or nil when it succeeds or fails otherwise.
func rpcError(_ body: () async throws -> JSONValue) async -> RPCError? {
    do {
        _ = try await body()
        return nil
    } catch let error as ClientError {
        if case .rpc(let rpc) = error { return rpc }
        return nil
    } catch {
        return nil
    }
}

@Suite("The CLI against a live daemon", .serialized)
struct CLITests {
    /// Runs `treaty` with the daemon's socket; returns status and stdout.
    static func treaty(_ daemon: DaemonProcess, _ arguments: [String]) throws -> (Int32, String) {
        try runProgram(
            DaemonProcess.productsDirectory.appendingPathComponent("treaty").path, ["--socket", daemon.socketPath] + arguments,
            stderrToo: false)
    }

    @Test("An edit made through the CLI shows in `treaty changes` with its user, office and the fields before and after")
    func changes() async throws {
        let daemon = try await DaemonProcess()
        let (added, addOutput) = try Self.treaty(daemon, ["--json", "person", "add", "name=Cəlil Xəlilov"])
        #expect(added == 0, "\(addOutput)")
        let person = try JSONCodec.decode(addOutput)
        let short = try #require(person["short_id"]?.stringValue)
        let (edited, _) = try Self.treaty(daemon, ["person", "edit", short, "note=military expert"])
        #expect(edited == 0)
        let (status, output) = try Self.treaty(daemon, ["--json", "changes", "--record", short])
        #expect(status == 0)
        let changes = try #require(try JSONCodec.decode(output).arrayValue)
        #expect(changes.map { $0["operation"] } == ["created", "updated"])
        let user = try #require(getpwuid(getuid())).pointee.pw_name.map { String(cString: $0) }
        #expect(changes.allSatisfy { $0["user"]?.stringValue == user })
        let client = try await daemon.client()
        let office = try await client.call("health")["office"]
        await client.close()
        #expect(changes.allSatisfy { $0["office"] == office })
        #expect(changes[1]["before"] == ["note": nil] && changes[1]["after"] == ["note": "military expert"])
        // And in the human form, the field's change is spelled out.
        let (_, human) = try Self.treaty(daemon, ["changes", "--record", short])
        #expect(human.contains("note: (none) -> \"military expert\""))
    }

    @Test("Search and show read as a user would: English spelling finds the native one; unknown ids exit 5")
    func searchAndShow() async throws {
        let daemon = try await DaemonProcess()
        try await daemon.seed()
        let (status, output) = try Self.treaty(daemon, ["search", "Jalil", "Khalilov"])
        #expect(status == 0 && output.contains("Cəlil Xəlilov"))
        let (listed, list) = try Self.treaty(daemon, ["--json", "agreement", "list", "kind=memorandum"])
        #expect(listed == 0)
        let memo = try #require(try JSONCodec.decode(list).arrayValue?.first?["short_id"]?.stringValue)
        let (shown, brief) = try Self.treaty(daemon, ["agreement", "show", memo])
        #expect(shown == 0)
        for part in ["Parties", "Provisions", "Timeline", "Relations", "What was said", "title unknown", "complements"] {
            #expect(brief.contains(part), "\(part)")
        }
        #expect(try Self.treaty(daemon, ["agreement", "show", "zzzzzzzz"]).0 == 5)
    }
}
