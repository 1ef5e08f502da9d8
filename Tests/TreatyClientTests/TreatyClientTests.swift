import Foundation
import Testing
import TreatyModel

@testable import TreatyClient

#if canImport(Glibc)
    import Glibc
#endif

/// A daemon that answers each request with its params, reading slowly (4 KiB at a time): a long request fills the
/// socket and the client has to wait for it to be read. With `hangUpAfter`, it closes the connection after that many
/// lines without answering them.
private final class EchoDaemon: @unchecked Sendable {
    let socketPath: String
    private let listener: Int32

    init(hangUpAfter: Int? = nil) throws {
        socketPath = NSTemporaryDirectory() + "treaty-echo-\(UUID().uuidString.prefix(8)).sock"
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(socketPath.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(listener, 4) == 0 else { throw POSIXError(.EADDRINUSE) }
        // A thread of its own: it blocks in accept and read, which the test's cooperative threads must not.
        Thread.detachNewThread {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            defer { close(connection) }
            var splitter = LineSplitter()
            var chunk = [UInt8](repeating: 0, count: 4096)
            var lines = 0
            while true {
                let count = read(connection, &chunk, chunk.count)
                guard count > 0 else { return }
                splitter.append(chunk[..<count])
                while let line = splitter.next() {
                    lines += 1
                    if let hangUpAfter, lines >= hangUpAfter { return }
                    let request = try? JSONCodec.decode(Data(line))
                    let answer = JSONCodec.encode(["jsonrpc": "2.0", "id": request?["id"] ?? .null, "result": request?["params"] ?? .null])
                    _ = (answer + Data("\n".utf8)).withUnsafeBytes { write(connection, $0.baseAddress, $0.count) }
                }
                usleep(50)
            }
        }
    }

    deinit {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        unlink(socketPath)
    }
}

@Suite("The client's connection")
struct TreatyClientTests {
    @Test("a request far larger than the socket's buffer goes out whole, and the calls made beside it are answered in turn")
    func longRequest() async throws {
        let daemon = try EchoDaemon()
        let client = try await TreatyClient.connect(socketPath: daemon.socketPath)
        let long = String(repeating: "treaty ", count: 600_000)
        let answers = try await withThrowingTaskGroup(of: (Int, JSONValue).self) { group in
            group.addTask { (-1, try await client.call("echo", ["text": .string(long)])) }
            for index in 0..<50 {
                group.addTask { (index, try await client.call("echo", ["index": .int(Int64(index))])) }
            }
            var answers: [Int: JSONValue] = [:]
            for try await (index, answer) in group { answers[index] = answer }
            return answers
        }
        #expect(answers[-1]?["text"]?.stringValue == long)
        #expect((0..<50).allSatisfy { answers[$0]?["index"]?.intValue == Int64($0) })
        await client.close()
        withExtendedLifetime(daemon) {}
    }

    @Test("a call the daemon hangs up on fails as closed instead of waiting forever, and so do calls after it")
    func hangUp() async throws {
        let daemon = try EchoDaemon(hangUpAfter: 1)
        let client = try await TreatyClient.connect(socketPath: daemon.socketPath)
        await #expect {
            _ = try await client.call("echo", ["a": 1])
        } throws: { error in
            if case ClientError.connectionClosed = error { return true }
            return false
        }
        await #expect(throws: ClientError.self) { _ = try await client.call("echo", ["a": 2]) }
        withExtendedLifetime(daemon) {}
    }

    @Test("no daemon at the path is cannotConnect with the reason, and a path too long for a socket says so")
    func noDaemon() async {
        let missing = NSTemporaryDirectory() + "treaty-none-\(UUID().uuidString.prefix(8)).sock"
        for (path, reason) in [(missing, "No such file or directory"), ("/tmp/" + String(repeating: "x", count: 200), "longer than")] {
            await #expect {
                _ = try await TreatyClient.connect(socketPath: path)
            } throws: { error in
                guard case ClientError.cannotConnect(let reported, let why) = error else { return false }
                return reported == path && why.contains(reason)
            }
        }
    }
}
