import Synchronization

/// The configuration in force, replaced whole on a reload (SIGHUP). Connections read it when they open;
/// batches when they arrive. The state directory and socket change only with a restart.
public final class LiveSettings: Sendable {
    private let value: Mutex<DaemonConfiguration>

    public init(_ configuration: DaemonConfiguration) {
        value = Mutex(configuration)
    }

    public var current: DaemonConfiguration { value.withLock { $0 } }

    /// Takes `new`, keeping the state directory and socket; returns what was kept back.
    @discardableResult
    func replace(with new: DaemonConfiguration) -> [String] {
        value.withLock { old in
            var next = new
            var kept: [String] = []
            if next.stateDirectory != old.stateDirectory {
                kept.append("state_directory")
                next.stateDirectory = old.stateDirectory
            }
            if next.socketPath != old.socketPath {
                kept.append("socket")
                next.socketPath = old.socketPath
            }
            if next.maxClockSkewSeconds != old.maxClockSkewSeconds || next.maxChangeSetRecords != old.maxChangeSetRecords
                || next.maxChangeSetBytes != old.maxChangeSetBytes
            {
                kept.append("max_clock_skew_seconds, max_change_set_records, max_change_set_bytes")
                next.maxClockSkewSeconds = old.maxClockSkewSeconds
                next.maxChangeSetRecords = old.maxChangeSetRecords
                next.maxChangeSetBytes = old.maxChangeSetBytes
            }
            if next.listen != old.listen || next.peerPollSeconds != old.peerPollSeconds {
                kept.append("listen")
                next.listen = old.listen
                next.peerPollSeconds = old.peerPollSeconds
            }
            if next.limits.maxConnections != old.limits.maxConnections
                || next.limits.maxConnectionsPerUser != old.limits.maxConnectionsPerUser
            {
                kept.append("max_connections")
                next.limits.maxConnections = old.limits.maxConnections
                next.limits.maxConnectionsPerUser = old.limits.maxConnectionsPerUser
            }
            old = next
            return kept
        }
    }

    var policy: AccessPolicy {
        let c = current
        return AccessPolicy(writerGroup: c.writerGroup, readerGroup: c.readerGroup)
    }
}
