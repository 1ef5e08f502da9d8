import Logging
import ServiceLifecycle
import TreatyPeer
import TreatyStore
import TreatySync

/// The connections to other offices: once the store is open, listens (when `listen` is set) and dials the pinned
/// peers, then hands the peer service on to the socket's methods. Stops after the socket, before the store closes.
struct PeerNetworkService: Service {
    let configuration: DaemonConfiguration
    let logger: Logger
    let store: Handoff<TreatyStore>
    let peers: Handoff<PeerService>

    func run() async throws {
        let started = try await peers.make {
            guard let store = try await self.store.valueUnlessStopped() else { return nil }
            let peers = try await StartupError.step("set up TLS for peer offices") {
                try Daemon.peerService(store: store, configuration: configuration, logger: logger)
            }
            try await StartupError.step("listen for peer offices on \(configuration.listen ?? "")") {
                try await peers.start(listen: configuration.listen)
            }
            return peers
        }
        guard let started else { return }
        try? await gracefulShutdown()
        await started.stop()
    }
}
