#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import GRDB
import Synchronization

/// Read-only connections each owned by one long-lived thread, for point reads answered where they are asked for:
/// no hop to the pool's readers and back (two thread switches, most of a record read's cost), and never a wait for
/// a reader a long search holds. One connection per thread that asks, made on its first read; meant for a fixed
/// set of threads (the daemon's event loops), not for a pool that grows.
final class ThreadReaders: Sendable {
    private let path: String
    private let connections = Mutex<[UInt: DatabaseQueue]>([:])

    init(path: String) {
        self.path = path
    }

    /// Runs `body` in a read transaction on the calling thread's own connection.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        let thread = UInt(bitPattern: Int(bitPattern: pthread_self()))
        let connection = try connections.withLock { connections in
            if let connection = connections[thread] { return connection }
            var config = TreatyStore.readOnlyConfiguration()
            // A reader waits only in the rare moment the WAL's index is rebuilt; a short bound, as the thread is an
            // event loop that serves other clients too.
            config.busyMode = .timeout(1)
            let connection = try DatabaseQueue(path: path, configuration: config)
            connections[thread] = connection
            return connection
        }
        return try connection.read(body)
    }

    func close() {
        for connection in connections.withLock({ $0.values }) { try? connection.close() }
    }
}
