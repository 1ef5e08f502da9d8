import ArgumentParser
import Foundation
import TreatyClient
import TreatyModel
import TreatyProtocol

/// Options every command takes.
public struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "The daemon's socket (else $TREATY_SOCKET, $XDG_RUNTIME_DIR/treaty/treaty.sock, /run/treaty/treaty.sock).")
    var socket: String?

    @Flag(name: .long, help: "Print JSON for scripts instead of tables.")
    var json = false

    public init() {}

    var socketPath: String { SocketPath.resolve(flag: socket, environment: ProcessInfo.processInfo.environment) }

    /// Connects, runs `body`, and turns client errors into messages and exit codes.
    func withClient<T>(_ body: (TreatyClient) async throws -> T) async throws -> T {
        let client: TreatyClient
        do {
            client = try await TreatyClient.connect(socketPath: socketPath)
        } catch {
            throw CLIFailure(error)
        }
        defer { Task { await client.close() } }
        do {
            return try await body(client)
        } catch let error as ClientError {
            throw CLIFailure(error)
        }
    }

    func print(json value: JSONValue) {
        Swift.print(JSONCodec.pretty(value))
    }
}

/// An error for the user, with the exit code scripts can rely on.
///
/// 1: an error the daemon reported; 3: the daemon cannot be reached; 4: permission denied; 5: no such record
/// (or an ambiguous prefix); 6: the record changed since it was read (stale version).
struct CLIFailure: Error, CustomStringConvertible {
    let message: String
    let code: Int32

    init(_ message: String, code: Int32 = 1) {
        self.message = message
        self.code = code
    }

    init(_ error: ClientError) {
        switch error {
        case .cannotConnect: self.init(error.description, code: 3)
        case .socketDenied: self.init(error.description, code: 4)
        case .rpc(let rpc):
            let codes: [String: Int32] = [
                "permission_denied": 4, "not_found": 5, "ambiguous_id": 5, "wrong_kind": 5, "stale_version": 6,
                "too_many_connections": 3,
            ]
            var message = rpc.name == "too_many_connections" ? "treatyd refused the connection: " + rpc.message : rpc.message
            if let line = rpc.data?["line"]?.intValue, !message.contains("line \(line)") { message = "line \(line): " + message }
            self.init(message, code: codes[rpc.name ?? ""] ?? 1)
        default: self.init(error.description, code: 1)
        }
    }

    var description: String { message }
}

extension CLIFailure {
    /// Prints the message on stderr and exits with the code.
    func exit() -> Never {
        FileHandle.standardError.write(Data(("treaty: " + message + "\n").utf8))
        Foundation.exit(code)
    }
}
