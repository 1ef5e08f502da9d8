import Foundation
import TreatyClient
import TreatyModel

#if canImport(Glibc)
    import Glibc
#endif

/// The real treatyd, started as a process on a temporary socket and state directory.
final class DaemonProcess: @unchecked Sendable {
    let directory: String
    let socketPath: String
    private(set) var process: ChildProcess!
    let configPath: String?
    let stderrPath: String
    /// The environment treatyd runs with (the test's own when nil), and its soft limit on open descriptors.
    let environment: [String: String]?
    let descriptorLimit: Int?

    /// The directory holding the built executables (beside the test bundle).
    static var productsDirectory: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    }

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Writing to a socket or pipe whose other end is gone must fail with EPIPE, not end the test process with
    /// SIGPIPE (a daemon stopped while a client still writes).
    static let pipeSignalIgnored: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    /// Starts treatyd and waits (generously) until its socket accepts.
    init(
        config: [String: JSONValue]? = nil, directory: String? = nil, environment: [String: String]? = nil,
        descriptorLimit: Int? = nil
    ) async throws {
        Self.pipeSignalIgnored
        self.environment = environment
        self.descriptorLimit = descriptorLimit
        self.directory = directory ?? ("/tmp/treaty-e2e-" + String(UUID().uuidString.prefix(8)))
        try FileManager.default.createDirectory(atPath: self.directory, withIntermediateDirectories: true)
        socketPath = self.directory + "/treaty.sock"
        stderrPath = self.directory + "/treatyd.log"
        if let config {
            let path = self.directory + "/treatyd.json"
            try JSONCodec.string(.object(config)).write(toFile: path, atomically: true, encoding: .utf8)
            configPath = path
        } else {
            configPath = nil
        }
        try await start()
    }

    func start() async throws {
        process = try launch(stateDirectory: directory + "/state", socket: socketPath)
        try await waitUntilServing()
    }

    /// Starts another treatyd with this one's configuration, environment and log, on the given state directory and
    /// socket; does not wait for it.
    func launch(stateDirectory: String, socket: String) throws -> ChildProcess {
        var arguments = ["--state-dir", stateDirectory, "--socket", socket]
        if let configPath { arguments += ["--config", configPath] }
        let log = open(stderrPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard log >= 0 else { throw ChildProcessError.cannotStart(stderrPath, errno) }
        defer { close(log) }
        var program = Self.productsDirectory.appendingPathComponent("treatyd").path
        if let descriptorLimit {
            // A lower soft limit (the hard one stays), as a unit without LimitNOFILE= leaves it: 1,024.
            arguments = ["-c", "ulimit -S -n \(descriptorLimit) && exec \"$@\"", "sh", program] + arguments
            program = "/bin/sh"
        }
        return try ChildProcess(
            program, arguments, environment: environment, directory: Self.repositoryRoot.path, output: log, error: log)
    }

    func waitUntilServing(deadline: Duration = .seconds(30)) async throws {
        let end = ContinuousClock.now + deadline
        while ContinuousClock.now < end {
            if let client = try? await TreatyClient.connect(socketPath: socketPath) {
                await client.close()
                return
            }
            guard process.isRunning else { throw DaemonError.exited(log) }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw DaemonError.notServing(log)
    }

    var log: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    func client() async throws -> TreatyClient {
        try await TreatyClient.connect(socketPath: socketPath)
    }

    /// Sends a signal and waits (generously) for the process to exit; returns its exit status (128 + the signal's
    /// number when a signal ended it), or nil if it still runs.
    @discardableResult
    func stop(signal: Int32 = SIGTERM) async -> Int32? {
        process.send(signal)
        return await process.exit(within: .seconds(30))
    }

    /// Imports examples/seed.jsonl through the socket, as `treaty import` does.
    func seed() async throws {
        let client = try await client()
        let token = try await client.call("import.begin")["import"]!
        let lines = try String(contentsOf: Self.repositoryRoot.appendingPathComponent("examples/seed.jsonl"), encoding: .utf8)
            .split(separator: "\n").map { JSONValue.string(String($0)) }
        _ = try await client.call("import.chunk", ["import": token, "lines": .array(lines)])
        _ = try await client.call("import.commit", ["import": token])
        await client.close()
    }

    deinit {
        process?.killGroup()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// Calls `body` with a `sockaddr_un` for `path` (connect, bind).
func withUnixAddress(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> Int32) -> Int32 {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
}

enum DaemonError: Error, CustomStringConvertible {
    case exited(String)
    case notServing(String)

    var description: String {
        switch self {
        case .exited(let log): return "treatyd exited early:\n\(log)"
        case .notServing(let log): return "treatyd did not serve in time:\n\(log)"
        }
    }
}

/// A plain blocking Unix-socket client, for what a well-behaved client would never do (not reading, raw bytes).
final class RawSocket: @unchecked Sendable {
    let fd: Int32
    private var buffer = [UInt8]()

    init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard withUnixAddress(path, { connect(fd, $0, $1) }) == 0 else { throw DaemonError.notServing("connect failed: \(errno)") }
    }

    /// Takes over `descriptor` (a pipe from a program, say), to read its lines; closes it when done.
    init(descriptor: Int32) {
        fd = descriptor
    }

    deinit { close(fd) }

    func write(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            // send with MSG_NOSIGNAL: a daemon that closed the connection (as it should after an overlong line) gives
            // EPIPE here; write(2) would raise SIGPIPE and end the whole test process without a word.
            let n = bytes[offset...].withUnsafeBufferPointer { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            offset += n
        }
    }

    func write(_ text: String) { write(Array(text.utf8)) }

    /// The next line, or nil on end of stream or after `timeout`.
    func readLine(timeout: Duration = .seconds(20)) -> String? {
        let end = ContinuousClock.now + timeout
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeFirst(newline + 1)
                return line
            }
            let remaining = end - ContinuousClock.now
            guard remaining > .zero else { return nil }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ms = Int32(remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000)
            guard poll(&poller, 1, max(1, ms)) > 0 else { return nil }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = read(fd, &chunk, chunk.count)
            if n <= 0 { return nil }
            buffer += chunk[..<n]
        }
    }

    /// Reads one line and parses it.
    func readJSON(timeout: Duration = .seconds(20)) -> JSONValue? {
        readLine(timeout: timeout).flatMap { try? JSONCodec.decode($0) }
    }

    /// True once the daemon closed its end (reads drain whatever was owed first).
    func isClosedByPeer(timeout: Duration = .seconds(30)) -> Bool {
        let end = ContinuousClock.now + timeout
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while ContinuousClock.now < end {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 1000) > 0 else { continue }
            let n = read(fd, &chunk, chunk.count)
            if n <= 0 { return true }
        }
        return false
    }
}
