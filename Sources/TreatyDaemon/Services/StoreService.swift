import Foundation
import Logging
import ServiceLifecycle
import TreatyStore
import TreatySync

/// Owns the database: locks the state directory, opens the store (running pending migrations while systemd is
/// told to wait), hands it on, and closes it last, once every other service has stopped.
struct StoreService: Service {
    let configuration: DaemonConfiguration
    let notifier: SystemdNotifier
    let environment: [String: String]
    let logger: Logger
    let store: Handoff<TreatyStore>

    /// How far each message while the database opens moves systemd's start timeout ahead (sent a third of it apart).
    static let startExtension: Duration = .seconds(90)

    func run() async throws {
        let opened: (TreatyStore, StateDirectoryLock)
        do {
            opened = try await open()
        } catch {
            store.fail(error)
            throw error
        }
        let (store, lock) = opened
        self.store.publish(store)
        // The other services stop first (the group stops them in the reverse of their order), so nothing uses the
        // store when it closes.
        try? await gracefulShutdown()
        try store.close()
        withExtendedLifetime(lock) {}
        logger.info("stopped; database closed")
    }

    private func open() async throws -> (TreatyStore, StateDirectoryLock) {
        let config = configuration
        try await StartupError.step("create the state directory \(config.stateDirectory)") {
            try FileManager.default.createDirectory(
                atPath: config.stateDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let lock = try StateDirectoryLock.acquire(directory: config.stateDirectory, socket: config.socketPath)
        notifier.notify("STATUS=opening \(config.databasePath)")
        var options = StoreOptions(
            maxClockSkew: Int64(config.maxClockSkewSeconds) * 1000, maxChangeSetRecords: config.maxChangeSetRecords,
            maxChangeSetBytes: config.maxChangeSetBytes)
        options.slowSearchForTests = environment["TREATY_TEST_SLOW_SEARCH"] == "1"
        // Opening runs the pending migrations, minutes for a large register (v9-schema-2 rebuilds the search index):
        // on a thread of its own, not a cooperative one, while systemd is told to wait longer than its start timeout.
        let notifier = notifier
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
        logger.info("database open", metadata: ["path": "\(config.databasePath)", "office": "\(store.office.id)"])
        // Change sets held for a stamp ahead of the clock when the daemon last stopped: apply those due, plan the rest.
        _ = try? await store.applyHeld()
        return (store, lock)
    }
}
