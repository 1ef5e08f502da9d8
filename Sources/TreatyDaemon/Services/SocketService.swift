import Logging
import NIOPosix
import ServiceLifecycle
import TreatyPeer
import TreatyStore

/// The RPC socket: once the store is open and the peers listen, builds the methods and serves them. On shutdown it
/// stops accepting, ends the reads in flight, and lets every other call finish, so nothing acknowledged is lost.
struct SocketService: Service {
    let configuration: DaemonConfiguration
    let settings: LiveSettings
    let environment: [String: String]
    let logger: Logger
    let store: Handoff<TreatyStore>
    let peers: Handoff<PeerService>
    /// The socket's path, once it is served.
    let serving: Handoff<String>

    func run() async throws {
        var started: (store: TreatyStore, server: RPCServer, dispatcher: Dispatcher)?
        _ = try await serving.make {
            guard let store = try await self.store.valueUnlessStopped(), let peers = try await self.peers.valueUnlessStopped()
            else { return nil }
            let (server, dispatcher) = try await start(store: store, peers: peers)
            started = (store, server, dispatcher)
            return server.path
        }
        guard let started else { return }
        try? await gracefulShutdown()
        logger.info("stopping: finishing calls in flight")
        await started.server.stop()
        // Reads in flight end now (their callers get an error); writes finish, so nothing acknowledged is lost.
        started.store.interruptReads()
        await started.dispatcher.drain(timeout: .seconds(30))
    }

    private func start(store: TreatyStore, peers: PeerService) async throws -> (RPCServer, Dispatcher) {
        let descriptorRoom = DescriptorLimit.raise(toFit: configuration.limits.maxConnections)
        if descriptorRoom < configuration.limits.maxConnections {
            logger.warning(
                "the descriptor limit leaves room for fewer clients than max_connections; raise LimitNOFILE",
                metadata: ["clients": "\(descriptorRoom)", "max_connections": "\(configuration.limits.maxConnections)"])
        }
        let statistics = ServerStatistics()
        let staging = ImportStaging(directory: configuration.stateDirectory)
        let document = Daemon.loadDocument(logger: logger)
        let methods = Daemon.methods(store: store, statistics: statistics, staging: staging, peers: peers) { document }
        let dispatcher = Dispatcher(methods: methods, settings: settings, statistics: statistics, logger: logger)
        let server = try await StartupError.step("serve the socket \(configuration.socketPath)") {
            try await RPCServer.start(
                group: MultiThreadedEventLoopGroup.singleton, settings: settings, dispatcher: dispatcher,
                statistics: statistics, staging: staging, logger: logger, environment: environment,
                descriptorRoom: descriptorRoom)
        }
        return (server, dispatcher)
    }
}
