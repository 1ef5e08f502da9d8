import ArgumentParser
import CMalloc
import Foundation
import Logging
import ServiceLifecycle
import TreatyDaemon
import TreatyModel
import TreatyProtocol

/// treatyd: owns the Treaty database and serves JSON-RPC 2.0 on a Unix socket.
@main
struct TreatyDaemonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "treatyd",
        abstract: "Treaty's daemon: owns the database and serves JSON-RPC 2.0 on a Unix socket.",
        discussion: """
            The database lives in the state directory (--state-dir, else $STATE_DIRECTORY, else \
            $XDG_STATE_HOME/treaty, else ~/.local/state/treaty). The socket is --socket, else $TREATY_SOCKET, \
            else $XDG_RUNTIME_DIR/treaty/treaty.sock, else /run/treaty/treaty.sock. Flags override the \
            configuration file.
            """,
        version: TreatyVersion.current)

    @Option(name: .customLong("state-dir"), help: "Directory for the database and the office key.")
    var stateDirectory: String?

    @Option(help: "Path of the Unix socket to serve.")
    var socket: String?

    @Option(help: .init("Listen for peer offices (mutual TLS) on HOST:PORT, such as 0.0.0.0:7420.", valueName: "HOST:PORT"))
    var listen: String?

    @Option(help: "A JSON configuration file (see examples/treatyd.json).")
    var config: String?

    @Option(help: .init("Log level: trace, debug, info, notice, warning, error, critical.", valueName: "level"))
    var logLevel: Logger.Level = .info

    @Option(
        name: .customLong("write-interface"),
        help: .init("Write the OpenRPC document, with example results run on SEED, to FILE, and exit.", valueName: "FILE"))
    var interfaceFile: String?

    @Option(help: .init("The seed JSON Lines file for --write-interface.", valueName: "SEED"))
    var seed: String = "examples/seed.jsonl"

    func run() throws {
        // Two malloc arenas instead of glibc's eight per core: with NIO, GRDB and sync threads each taking an arena,
        // resident memory otherwise creeps up with the amount of work (catching up a peer 20,000 change sets behind
        // took 28 MB more than 2,000; with two arenas, 4 MB).
        treaty_limit_malloc_arenas(2)
        let environment = ProcessInfo.processInfo.environment
        if let interfaceFile {
            let seed = seed
            Self.runToEnd { try await InterfaceWriter.write(to: interfaceFile, seed: seed) } failed: { error in
                FileHandle.standardError.write(Data("treatyd: \(error)\n".utf8))
            }
        }
        // Under systemd each line carries its journal priority; by hand, the usual timestamped lines.
        let journal = JournalLogHandler.isJournal(environment: environment)
        var logger = Logger(label: "treatyd") {
            journal ? JournalLogHandler(label: $0) : StreamLogHandler.standardError(label: $0) as any LogHandler
        }
        logger.logLevel = logLevel
        let configuration: DaemonConfiguration
        do {
            configuration = try DaemonConfiguration.load(
                file: config, stateDirectory: stateDirectory, socket: socket, listen: listen, environment: environment)
        } catch {
            throw ValidationError(error.description)
        }
        let (file, state, socket, listen) = (config, stateDirectory, socket, listen)
        let services = Daemon.services(configuration: configuration, logger: logger, environment: environment) {
            try DaemonConfiguration.load(
                file: file, stateDirectory: state, socket: socket, listen: listen, environment: environment)
        }
        let group = ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        let log = logger
        Self.runToEnd { try await group.run() } failed: { error in log.critical("treatyd stopped: \(error)") }
    }

    /// Runs `body` in a task at the default priority, and ends the process when it ends (status 1 after `failed`).
    ///
    /// The command itself is synchronous so that no work runs at the priority of an async main task
    /// (user-initiated): for that, libdispatch raises its worker threads' priority, which a service without
    /// CAP_SYS_NICE may not do, and it logged "Failed to set thread priority for worker thread ... errno=13".
    static func runToEnd(
        _ body: @escaping @Sendable () async throws -> Void, failed: @escaping @Sendable (any Error) -> Void
    ) -> Never {
        Task(priority: .medium) {
            do {
                try await body()
                Foundation.exit(0)
            } catch {
                failed(error)
                Foundation.exit(1)
            }
        }
        dispatchMain()
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
