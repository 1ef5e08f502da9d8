import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization
import TreatyModel
import TreatyPeer
import TreatyProtocol
import TreatyStore
import TreatySync
import UnixSignals

/// treatyd as a service: opens the store, serves the socket, tells systemd how it is doing, and on a
/// graceful shutdown stops accepting, lets calls in flight finish, and closes the database cleanly.
public final class Daemon: Service, Sendable {
    public let configuration: DaemonConfiguration
    let logger: Logger
    let environment: [String: String]
    /// Reads the configuration again, for SIGHUP.
    let reload: @Sendable () throws -> DaemonConfiguration

    /// - Parameter reload: builds the configuration anew (file and flags) when SIGHUP asks for it.
    public init(
        configuration: DaemonConfiguration, logger: Logger, environment: [String: String],
        reload: @escaping @Sendable () throws -> DaemonConfiguration
    ) {
        self.configuration = configuration
        self.logger = logger
        self.environment = environment
        self.reload = reload
    }

    /// Every method, built over a store (examples name seed records).
    static func methods(
        store: TreatyStore, statistics: ServerStatistics, staging: ImportStaging, peers: PeerService,
        document: @escaping @Sendable () -> JSONValue
    ) -> [RPCMethod] {
        let examples = ExampleIDs()
        let groups: [[RPCMethod]] = [
            RecordMethods.all(store, examples: examples), QueryMethods.all(store, examples: examples),
            AnalystMethods.all(store, examples: examples), TransferMethods.all(store, staging: staging),
            SyncMethods.all(store, peers: peers, examples: examples, transfers: staging.bundles),
            PeerMethods.all(store, peers: peers),
            SystemMethods.all(store, statistics: statistics, document: document, examples: examples),
        ]
        return groups.flatMap { $0 }
    }

    /// The interface document without example results: what `rpc.discover` serves is the committed file,
    /// which adds them.
    public static func interfaceMethods() throws -> [RPCMethod] {
        // Method descriptions do not touch the store; a throwaway one stands in.
        let directory = NSTemporaryDirectory() + "treaty-doc-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try TreatyStore.open(path: directory + "/treaty.sqlite")
        defer { try? store.close() }
        let peers = try Self.peerService(store: store, configuration: nil, logger: Logger(label: "treatyd"))
        return methods(
            store: store, statistics: ServerStatistics(), staging: ImportStaging(directory: directory), peers: peers
        ) { .null }
    }

    /// How far each message while the database opens moves systemd's start timeout ahead (sent a third of it apart).
    static let startExtension: Duration = .seconds(90)

    public func run() async throws {
        let notifier = SystemdNotifier(environment: environment)
        let config = configuration
        try await StartupError.step("create the state directory \(config.stateDirectory)") {
            try FileManager.default.createDirectory(
                atPath: config.stateDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let lock = try StateDirectoryLock.acquire(directory: config.stateDirectory, socket: config.socketPath)
        defer { withExtendedLifetime(lock) {} }
        let descriptorRoom = DescriptorLimit.raise(toFit: config.limits.maxConnections)
        if descriptorRoom < config.limits.maxConnections {
            logger.warning(
                "the descriptor limit leaves room for fewer clients than max_connections; raise LimitNOFILE",
                metadata: ["clients": "\(descriptorRoom)", "max_connections": "\(config.limits.maxConnections)"])
        }
        notifier.notify("STATUS=opening \(config.databasePath)")
        var options = StoreOptions(
            maxClockSkew: Int64(config.maxClockSkewSeconds) * 1000, maxChangeSetRecords: config.maxChangeSetRecords,
            maxChangeSetBytes: config.maxChangeSetBytes)
        options.slowSearchForTests = environment["TREATY_TEST_SLOW_SEARCH"] == "1"
        // Opening runs the pending migrations, minutes for a large register (v9-schema-2 rebuilds the search index):
        // on a thread of its own, not a cooperative one, while systemd is told to wait longer than its start timeout.
        let extender = Task {
            while !Task.isCancelled {
                notifier.notify("EXTEND_TIMEOUT_USEC=\(Self.startExtension.components.seconds * 1_000_000)")
                try? await Task.sleep(for: Self.startExtension / 3)
            }
        }
        defer { extender.cancel() }
        let storeOptions = options
        let store = try await StartupError.step("open the database \(config.databasePath)") {
            try await LargeStack.perform {
                try TreatyStore.open(path: config.databasePath, officeName: config.officeName, options: storeOptions)
            }
        }
        extender.cancel()
        logger.info("database open", metadata: ["path": "\(config.databasePath)", "office": "\(store.office.id)"])
        // Change sets held for a stamp ahead of the clock when the daemon last stopped: apply those due, plan the rest.
        _ = try? await store.applyHeld()
        let statistics = ServerStatistics()
        let staging = ImportStaging(directory: config.stateDirectory)
        let document = Self.loadDocument(logger: logger)
        let peers = try await StartupError.step("set up TLS for peer offices") {
            try Self.peerService(store: store, configuration: config, logger: logger)
        }
        let methods = Self.methods(store: store, statistics: statistics, staging: staging, peers: peers) { document }
        let settings = LiveSettings(config)
        let dispatcher = Dispatcher(methods: methods, settings: settings, statistics: statistics, logger: logger)
        let server = try await StartupError.step("serve the socket \(config.socketPath)") {
            try await RPCServer.start(
                group: MultiThreadedEventLoopGroup.singleton, settings: settings, dispatcher: dispatcher,
                statistics: statistics, staging: staging, logger: logger, environment: environment,
                descriptorRoom: descriptorRoom)
        }
        try await StartupError.step("listen for peer offices on \(config.listen ?? "")") {
            try await peers.start(listen: config.listen)
        }
        // The SIGHUP handler must exist before READY=1: a SIGHUP before it would end the process.
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        let status = "STATUS=serving on \(server.path)"
        notifier.notify("READY=1\n" + status)
        let reloader = Task {
            for await _ in hangups {
                self.reloadConfiguration(into: settings, notifier: notifier)
                notifier.notify("READY=1\n" + status)
            }
        }

        let watchdog = SystemdNotifier.watchdogInterval(environment: environment).map { interval in
            Task {
                while !Task.isCancelled {
                    notifier.notify("WATCHDOG=1")
                    try? await Task.sleep(for: interval)
                }
            }
        }
        try? await gracefulShutdown()
        notifier.notify("STOPPING=1\nSTATUS=stopping")
        logger.info("stopping: finishing calls in flight")
        await server.stop()
        // Reads in flight end now (their callers get an error); writes finish, so nothing acknowledged is lost.
        store.interruptReads()
        await peers.stop()
        await dispatcher.drain(timeout: .seconds(30))
        watchdog?.cancel()
        reloader.cancel()
        try store.close()
        logger.info("stopped; database closed")
    }

    /// The peer service: its certificate is made from the office key at each start (renewing it is restarting;
    /// the office id, the hash of the key, stays).
    static func peerService(store: TreatyStore, configuration: DaemonConfiguration?, logger: Logger) throws -> PeerService {
        let key = store.office.privateKey.rawRepresentation
        let office = store.office.id
        let certificate = try LargeStack.run { try OfficeCertificate(rawKey: key, officeID: office) }
        return try PeerService(
            store: store, certificate: certificate, logger: logger,
            pollInterval: .seconds(configuration?.peerPollSeconds ?? 30))
    }

    /// Applies the configuration read anew; a broken one is logged and the old one stays in force.
    func reloadConfiguration(into settings: LiveSettings, notifier: SystemdNotifier) {
        notifier.notify("RELOADING=1\nSTATUS=reloading the configuration")
        do {
            let new = try reload()
            let kept = settings.replace(with: new)
            logger.notice(
                "configuration reloaded",
                metadata: kept.isEmpty ? [:] : ["needs restart": "\(kept.joined(separator: ", "))"])
        } catch {
            logger.error("configuration not reloaded; keeping the one in force", metadata: ["why": "\(error)"])
        }
    }

    /// The interface document: `proto/treaty.openrpc.json` installed beside the binary or in the source tree,
    /// else generated without example results.
    static func loadDocument(logger: Logger) -> JSONValue {
        // The running binary's own path (started from PATH, argv[0] is only "treatyd").
        let executable = (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0]))
            .resolvingSymlinksInPath().deletingLastPathComponent()
        let candidates = [
            executable.appendingPathComponent("../share/treaty/treaty.openrpc.json").path,
            executable.appendingPathComponent("../../../proto/treaty.openrpc.json").path,
            FileManager.default.currentDirectoryPath + "/proto/treaty.openrpc.json",
        ]
        for path in candidates {
            if let data = FileManager.default.contents(atPath: path), let json = try? JSONCodec.decode(data) { return json }
        }
        logger.notice("proto/treaty.openrpc.json not found; rpc.discover serves the document without examples")
        return (try? InterfaceDocument.build(methods: interfaceMethods())) ?? .null
    }
}
