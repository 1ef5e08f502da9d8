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
///
/// Closing waits for the reads running on other threads and refuses later ones: a read on a closed connection
/// dereferences freed memory (the daemon crashed when SIGTERM closed the store while an event loop still read).
/// Reads share a reader-writer lock, so they never wait for each other, only for ``close()``.
final class ThreadReaders: @unchecked Sendable {
    private let path: String
    private let connections = Mutex<[UInt: DatabaseQueue]>([:])
    /// Held shared by each read, exclusively by ``close()``. Allocated once; never moves.
    private let gate: UnsafeMutablePointer<pthread_rwlock_t>
    /// Written under `gate` held exclusively, read under it held shared.
    private var closed = false

    init(path: String) {
        self.path = path
        gate = .allocate(capacity: 1)
        gate.initialize(to: pthread_rwlock_t())
        pthread_rwlock_init(gate, nil)
    }

    deinit {
        pthread_rwlock_destroy(gate)
        gate.deallocate()
    }

    /// Runs `body` in a read transaction on the calling thread's own connection.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        pthread_rwlock_rdlock(gate)
        defer { pthread_rwlock_unlock(gate) }
        guard !closed else { throw StoreError.database("the database is closed: treatyd is stopping") }
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

    /// Waits for the reads in progress, then closes every connection; later reads fail.
    func close() {
        pthread_rwlock_wrlock(gate)
        defer { pthread_rwlock_unlock(gate) }
        closed = true
        for connection in connections.withLock({ $0.values }) { try? connection.close() }
    }
}
