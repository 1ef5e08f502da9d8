import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
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
/// 1: an error the daemon reported; 2: a usage error (a wrong flag or argument, a missing or wrong field);
/// 3: the daemon cannot be reached; 4: permission denied; 5: no such record (or an ambiguous prefix);
/// 6: the record changed since it was read (stale version).
struct CLIFailure: Error, CustomStringConvertible {
    let message: String
    let code: Int32
    /// The error's name for scripts (the daemon's error name, or "usage", "connection", "error").
    let name: String
    let data: JSONValue?

    init(_ message: String, code: Int32 = 1, name: String? = nil, data: JSONValue? = nil) {
        self.message = message
        self.code = code
        self.name = name ?? (code == 2 ? "usage" : "error")
        self.data = data
    }

    init(_ error: ClientError) {
        switch error {
        case .cannotConnect:
            self.init(error.description, code: ErrorName.cannotConnect.exitCode, name: ErrorName.cannotConnect.rawValue)
        case .socketDenied:
            self.init(error.description, code: ErrorName.permissionDenied.exitCode, name: ErrorName.permissionDenied.rawValue)
        case .rpc(let rpc):
            let invalidParams = rpc.code == ErrorName.invalidParams.code
            let known = rpc.name.flatMap(ErrorName.init(rawValue:)) ?? (invalidParams ? .invalidParams : nil)
            // The exit code is the table's for what was typed; a bad line of a file being imported is the file's (1).
            let line = rpc.data?["line"]?.intValue
            var message = known == .tooManyConnections ? "treatyd refused the connection: " + rpc.message : rpc.message
            // The daemon speaks JSON-RPC; the person at the terminal typed a command.
            if invalidParams { message = Self.inCLIWords(message) }
            if let line, !message.contains("line \(line)") { message = "line \(line): " + message }
            self.init(
                message, code: line == nil ? known?.exitCode ?? 1 : 1, name: rpc.name ?? known?.rawValue ?? "error",
                data: rpc.data)
        default: self.init(error.description, code: 1, name: "connection")
        }
    }

    var description: String { message }

    /// A daemon's invalid-params message in the words of the command line: no JSON-RPC prefix, a record's
    /// field as the `field=value` it is typed as, a parameter as the flag that sets it.
    static func inCLIWords(_ message: String) -> String {
        var text = message
        if text.hasPrefix("Invalid params: ") { text.removeFirst("Invalid params: ".count) }
        // "person.add needs param "name"": the command is `person add`, the field is typed name=...
        if let match = text.wholeMatch(of: #/(\w+)\.(\w+) needs param "(\w+)"/#) {
            let method = [match.1, match.2]
            let field = match.3
            let command = method.map { $0.replacing("_", with: "-") }.joined(separator: " ")
            return method.last == "add" ? "\(command) needs \(field)=…" : "\(command) needs --\(field.replacing("_", with: "-"))"
        }
        for (param, flag) in ["\"as_of\"": "--on"] { text = text.replacing(param, with: flag) }
        return text
    }
}

extension CLIFailure {
    /// Prints the message on stderr and exits with the code. With `json`, stderr gets one JSON object:
    /// `{"error": {"name", "message", "exit_code", "data"}}`.
    func exit(json: Bool = false) -> Never {
        if json {
            var error: [String: JSONValue] = [
                "name": .string(name), "message": .string(message), "exit_code": .int(Int64(code)),
            ]
            error["data"] = data ?? .null
            printError(JSONCodec.pretty(["error": .object(error)]) + "\n")
        } else {
            printError("treaty: " + message + "\n")
        }
        terminate(code)
    }
}

/// Ends the process with `code` (`exit` by another name: `CLIFailure.exit` and `ParsableCommand.exit` hide it).
func terminate(_ code: Int32) -> Never {
    exit(code)
}
