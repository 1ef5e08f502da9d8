import Foundation
import Testing
import TreatyClient
import TreatyModel

#if canImport(Glibc)
    import Glibc
#endif

/// One daemon per state directory and socket; limits that answer instead of hanging; answers that are never lost
/// behind a large one; searches with a bounded cost that shutdown can end.
@Suite("Exclusivity and limits")
struct ExclusivityAndLimitsTests {
    @Test("a second treatyd on the same state directory refuses to start, naming the first")
    func sameStateDirectory() async throws {
        let first = try await DaemonProcess()
        let second = try first.launch(stateDirectory: first.directory + "/state", socket: first.directory + "/other.sock")
        let status = await second.exit(within: .seconds(30))
        #expect(status != nil && status != 0)
        #expect(first.log.contains("another treatyd serves \(first.directory)/state (pid \(first.process.pid)"), "\(first.log)")
        let client = try await first.client()
        #expect(try await client.call("health")["status"] == "ok")
        await client.close()
    }

    @Test("a second treatyd on a live socket refuses to start and leaves the socket to the first")
    func sameSocket() async throws {
        let first = try await DaemonProcess()
        let second = try first.launch(stateDirectory: first.directory + "/state2", socket: first.socketPath)
        let status = await second.exit(within: .seconds(30))
        #expect(status != nil && status != 0)
        #expect(first.log.contains("another treatyd answers on \(first.socketPath)"), "\(first.log)")
        // The first still answers on its socket after the second is gone.
        let client = try await first.client()
        #expect(try await client.call("health")["status"] == "ok")
        await client.close()
        // A socket file nobody answers on (a daemon that died) is taken over.
        #expect(await first.stop(signal: SIGKILL) != nil)
        #expect(FileManager.default.fileExists(atPath: first.socketPath))
        try await first.start()
    }

    @Test("past the per-user connection limit a client gets too_many_connections and a close, and the CLI says so")
    func perUserLimit() async throws {
        // The soft descriptor limit a unit without LimitNOFILE= gives, under the 1,024 connections a user may hold.
        let daemon = try await DaemonProcess(descriptorLimit: 1024)
        var held: [RawSocket] = []
        for _ in 0..<1024 {
            let socket = try RawSocket(path: daemon.socketPath)
            socket.write(#"{"jsonrpc":"2.0","method":"health","id":1}"# + "\n")
            #expect(socket.readJSON(timeout: .seconds(30))?["result"]?["status"] == "ok")
            held.append(socket)
        }
        let refused = try RawSocket(path: daemon.socketPath)
        let answer = refused.readJSON(timeout: .seconds(30))
        #expect(answer?["error"]?["data"]?["name"] == "too_many_connections", "\(String(describing: answer))")
        #expect(refused.isClosedByPeer(timeout: .seconds(30)))
        let (status, output) = try await runProgram(
            DaemonProcess.productsDirectory.appendingPathComponent("treaty").path, ["--socket", daemon.socketPath, "status"])
        #expect(status == 3)
        #expect(output.contains("treatyd refused the connection: a user may hold at most 1024 connections"), "\(output)")
        held.removeAll()
        let client = try await daemon.client()
        #expect(try await client.call("health")["status"] == "ok")
        await client.close()
    }

    @Test("a request pipelined behind a large answer gets its answer, in order; errors do not echo the input back")
    func pipelinedBehindLargeAnswer() async throws {
        let daemon = try await DaemonProcess(config: ["max_queued_bytes": 1_048_576])
        let socket = try RawSocket(path: daemon.socketPath)
        let method = String(repeating: "m", count: 5 << 20)
        socket.write(
            #"{"jsonrpc":"2.0","id":1,"method":""# + method + #""}"# + "\n" + #"{"jsonrpc":"2.0","id":2,"method":"health"}"# + "\n")
        let first = try #require(socket.readLine())
        #expect(first.utf8.count < 2000)
        #expect(try JSONCodec.decode(first)["error"]?["code"] == -32601)
        #expect(socket.readJSON()?["result"]?["status"] == "ok")

        // Answers larger than the cap, each followed by a pipelined call: every answer comes, in order.
        try await daemon.seed()
        var requests = ""
        for id in 1...6 {
            requests += #"{"jsonrpc":"2.0","method":"rpc.discover","id":\#(id * 2)}"# + "\n"
            requests += #"{"jsonrpc":"2.0","method":"health","id":\#(id * 2 + 1)}"# + "\n"
        }
        let flood = try RawSocket(path: daemon.socketPath)
        flood.write(requests)
        for id in 2...13 {
            let answer = flood.readJSON()
            #expect(answer?["id"]?.intValue == Int64(id))
            #expect(answer?["result"] != nil)
        }
    }

    @Test("a search longer than the bound, or with too many words, is refused by name")
    func searchBounds() async throws {
        let daemon = try await DaemonProcess()
        let client = try await daemon.client()
        let queries = [
            (String(repeating: "é", count: 1_024_000), "at most 1024 bytes"),
            (Array(repeating: "a", count: 64_000).joined(separator: " "), "at most 1024 bytes"),
            (Array(repeating: "ab", count: 40).joined(separator: " "), "at most 32 words"),
        ]
        for (query, words) in queries {
            let message = await rpcError { try await client.call("search", ["query": .string(query)]) }?.message ?? ""
            #expect(message.contains(words), "\(message)")
            #expect(message.utf8.count < 2000)
        }
        await client.close()
    }

    @Test("SIGTERM ends a search that is still running, and the daemon stops")
    func shutdownInterruptsSearch() async throws {
        var environment = ProcessInfo.processInfo.environment
        environment["TREATY_TEST_SLOW_SEARCH"] = "1"
        let daemon = try await DaemonProcess(environment: environment)
        let client = try await daemon.client()
        let search = Task { try await client.call("search", ["query": "Shusha"]) }
        try await Task.sleep(for: .milliseconds(500))
        let status = await daemon.process.exit(within: .milliseconds(1)) == nil
        #expect(status, "the search finished by itself: the spin did not run")
        daemon.process.send(SIGTERM)
        let exit = await daemon.process.exit(within: .seconds(20))
        #expect(exit != nil, "treatyd still ran 20 s after SIGTERM")
        #expect((try? await search.value) == nil, "the interrupted search got an answer")
    }
}
