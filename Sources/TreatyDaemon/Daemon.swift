import Foundation
import Logging
import ServiceLifecycle
import TreatyModel
import TreatyPeer
import TreatyProtocol
import TreatyStore
import TreatySync

/// treatyd as services of one `ServiceGroup`: the store, the peers, the socket, reloads and the watchdog. The
/// group starts them together (each waits for what it needs through a ``Handoff``) and on a graceful shutdown stops
/// them one by one in the reverse order: pings and reloads end, the socket stops accepting and lets calls in flight
/// finish, the peers disconnect, and the database closes last.
public enum Daemon {
    /// The services, in the order they are given to the group.
    ///
    /// - Parameter reload: builds the configuration anew (file and flags) when SIGHUP asks for it.
    public static func services(
        configuration: DaemonConfiguration, logger: Logger, environment: [String: String],
        reload: @escaping @Sendable () throws -> DaemonConfiguration
    ) -> [any Service] {
        let notifier = SystemdNotifier(environment: environment)
        let settings = LiveSettings(configuration)
        let (store, peers, serving) = (Handoff<TreatyStore>(), Handoff<PeerService>(), Handoff<String>())
        return [
            StoreService(configuration: configuration, notifier: notifier, environment: environment, logger: logger, store: store),
            PeerNetworkService(configuration: configuration, logger: logger, store: store, peers: peers),
            SocketService(
                configuration: configuration, settings: settings, environment: environment, logger: logger, store: store,
                peers: peers, serving: serving),
            ReloadService(settings: settings, notifier: notifier, logger: logger, serving: serving, reload: reload),
            WatchdogService(
                notifier: notifier, interval: SystemdNotifier.watchdogInterval(environment: environment), serving: serving),
        ]
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
