import CSQLite
import Foundation
import GRDB
import Synchronization
import TreatyModel
import TreatySync

/// The register: one SQLite database (WAL, foreign keys on) and this office's key beside it.
///
/// All methods are safe to call from any task: GRDB's pool serialises writes and runs reads
/// concurrently on snapshots.
public final class TreatyStore: Sendable {
    /// Where the database lives.
    public let path: String
    /// Where a change set too large for memory is spooled while it travels: beside the database.
    public var spoolDirectory: String { URL(fileURLWithPath: path).deletingLastPathComponent().path }
    /// This office.
    public let office: OfficeIdentity
    let pool: DatabasePool
    /// Connections of the threads that read here and now (``read(onThisThread:_:)``).
    let threadReaders: ThreadReaders
    let clock: @Sendable () -> Int64
    let options: StoreOptions
    /// The record tables as this store lays them out (``StoreOptions/recordSchema``).
    let layout: RecordLayout
    /// The record schema of this store's tables and change sets.
    public var recordSchema: Int { layout.version }
    /// Local writes, committed in groups.
    let batcher: WriteBatcher
    /// Changes as they commit, for subscriptions.
    public let changes = ChangeFeed()
    private let closed = Atomic<Bool>(false)
    /// The content digest last computed and the version vector it was computed at. Synced content changes only by
    /// captured local writes and applied change sets, and each moves the vector: the same vector, the same digest.
    let digestCache = Mutex<(vector: VersionVector, digest: String)?>(nil)
    /// Wakes a merge when change sets held for a stamp too far ahead of this office's clock can be applied.
    let heldRelease = ReleaseTimer()
    private let interruption: ReadInterruption

    /// The file name of the database inside a state directory.
    public static let databaseFileName = "treaty.sqlite"

    /// The office key lives beside the database: `<database>.key`, mode 0600.
    public static func keyPath(forDatabase path: String) -> String { path + ".key" }

    /// Opens (creating if needed) the database at `path` and runs pending migrations.
    ///
    /// A new database makes a new office: an Ed25519 key written beside it with mode 0600, and the
    /// office's row. A database whose schema is newer than this build is refused before anything is
    /// written to it.
    ///
    /// - Parameters:
    ///   - clock: milliseconds since 1970, injectable so tests control time.
    ///   - officeName: the name given to a new office.
    public static func open(
        path: String, officeName: String? = nil,
        clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) },
        options: StoreOptions = StoreOptions()
    ) throws(StoreError) -> TreatyStore {
        let keyPath = keyPath(forDatabase: path)
        let exists = FileManager.default.fileExists(atPath: path)
        guard let layout = RecordLayout.at(options.recordSchema) else {
            throw .database("no Treaty has record schema \(options.recordSchema)")
        }
        if exists {
            try refuseNewerSchema(at: path, supported: layout.version)
        } else if FileManager.default.fileExists(atPath: keyPath) {
            throw .officeKey(
                "\(keyPath) exists but \(path) does not; refusing to reuse an office key for a new database "
                    + "(its sequence numbers would clash). Move the key away or restore the database.")
        }
        let identity =
            exists
            ? try OfficeIdentity.load(from: keyPath) : try OfficeIdentity.create(at: keyPath, raw: options.newOfficeKey)

        var config = Configuration()
        // GRDB's default (user-initiated) makes libdispatch raise its threads' priority, which treatyd under
        // systemd may not do; the database's work runs at the default priority like everything else.
        config.qos = .default
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(10)
        let interruption = ReadInterruption()
        config.prepareDatabase { db in
            // The pool's readers: ``interruptReads()`` ends what they run. (The closure keeps `interruption` alive.)
            if db.configuration.readonly { interruption.install(on: db) }
        }
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: config)
            // GRDB sets `synchronous = NORMAL` on the pool's writer after `prepareDatabase` (its WAL setup), which
            // syncs the WAL only at checkpoints: a committed write could be lost to a power cut. The writer is one
            // connection for the pool's life, so setting it here holds.
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: options.durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = OFF")
                // A bulk write's dirty pages stay in memory up to this bound (SQLite's default is 2 MB) instead of
                // spilling to the WAL mid-transaction, each page again at each spill (profiled: a merge spent 7% in
                // spilling). Readers keep the default.
                try db.execute(sql: "PRAGMA cache_size = -\(Self.writerCacheKiB)")
            }
            try Migrations.migrator(schema: layout.version).migrate(pool)
            try pool.write { db in
                try db.execute(sql: "PRAGMA user_version = \(layout.version)")
            }
        } catch {
            throw .database("cannot open \(path): \(error)")
        }
        let store = TreatyStore(
            path: path, office: identity, pool: pool, clock: clock, options: options, layout: layout,
            interruption: interruption)
        try store.ensureOfficeRow(name: officeName)
        return store
    }

    /// The writer's page cache, in KiB.
    package static let writerCacheKiB = 32 << 10

    init(
        path: String, office: OfficeIdentity, pool: DatabasePool, clock: @escaping @Sendable () -> Int64,
        options: StoreOptions, layout: RecordLayout, interruption: ReadInterruption
    ) {
        self.path = path
        self.office = office
        self.pool = pool
        self.clock = clock
        self.options = options
        self.layout = layout
        self.interruption = interruption
        batcher = WriteBatcher(pool: pool, office: office, layout: layout, feed: changes, clock: clock)
        threadReaders = ThreadReaders(path: path)
    }

    /// Ends every read running now or started later with an error (a long search, when the daemon stops); writes
    /// go on, so a write in flight still commits.
    public func interruptReads() {
        interruption.stop()
    }

    /// A read-only connection's configuration.
    static func readOnlyConfiguration() -> Configuration {
        var config = Configuration()
        // GRDB's default (user-initiated) makes libdispatch raise its threads' priority, which treatyd under
        // systemd may not do; the database's work runs at the default priority like everything else.
        config.qos = .default
        config.readonly = true
        return config
    }

    /// Reads `user_version` through a read-only connection so a newer database is never touched.
    private static func refuseNewerSchema(at path: String, supported: Int) throws(StoreError) {
        let found: Int
        do {
            let queue = try DatabaseQueue(path: path, configuration: readOnlyConfiguration())
            found = try queue.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0 }
            try queue.close()
        } catch {
            throw .database("cannot read \(path): \(error)")
        }
        if found > supported {
            throw .newerSchema(path: path, found: found, supported: supported)
        }
    }

    /// Checkpoints the WAL and closes every connection. Closing again does nothing.
    public func close() throws(StoreError) {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        heldRelease.cancel()
        threadReaders.close()
        do {
            _ = try pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
            try pool.close()
        } catch {
            throw .database("cannot close \(path): \(error)")
        }
    }

    private func ensureOfficeRow(name: String?) throws(StoreError) {
        let identity = office
        let publicKey = identity.publicKeyBase64
        let context = context(user: "treatyd")
        try writeSync(user: "treatyd") { db in
            if try RecordRows.kind(of: identity.id, db) != nil { return }
            var fields: [String: JSONValue] = ["public_key": .string(publicKey)]
            if let name { fields["name"] = .string(name) }
            try Writes.create(
                db, Record(kind: .office, id: identity.id, fields: fields), context: context, deferReferences: nil)
            try db.execute(
                sql: "INSERT OR REPLACE INTO treaty_meta (key, value) VALUES ('office_id', ?)", arguments: [identity.id])
        }
    }

    /// The current time as a provenance timestamp.
    func timestamp() -> String { Timestamp.format(millisecondsSince1970: clock()) }

    func context(user: String) -> WriteContext {
        WriteContext(office: office.id, user: user, now: timestamp(), layout: layout)
    }

    // MARK: Running work on the database, with errors made typed

    /// Runs `body` in a read transaction: in the pool, or with `onThisThread` right here on a connection of the
    /// calling thread's own (``ThreadReaders``), for a thread that answers many point reads and lives as long as the
    /// store (an event loop), where a read costs no thread switch. Not for cooperative threads or a pool's: each
    /// thread that reads on itself keeps a connection open.
    func read<T: Sendable>(onThisThread: Bool = false, _ body: @escaping @Sendable (Database) throws -> T)
        async throws(StoreError) -> T
    {
        do {
            return onThisThread ? try threadReaders.read(body) : try await pool.read(body)
        } catch {
            throw StoreError.wrap(error)
        }
    }

    /// Runs a local write, captured as this office's next change set, in a transaction it may share with writes
    /// that arrived at the same time (``WriteBatcher``); returns once it is durable. Subscribers hear `events` of
    /// what it returned as it commits, in commit order.
    func write<T: Sendable>(
        user: String, events: @escaping @Sendable (T) -> [ChangeEvent] = { _ in [] },
        _ body: @escaping @Sendable (Database) throws -> T
    ) async throws(StoreError) -> T {
        let value = try await batcher.write(user: user, events: events, body)
        if let hook = options.afterCommitForTests { await hook() }
        return value
    }

    /// Runs work on the writer with no transaction opened for it (the body opens its own, and captures its
    /// changes itself).
    func writeWithoutTransaction<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do {
            return try await pool.writeWithoutTransaction(body)
        } catch {
            throw StoreError.wrap(error)
        }
    }

    /// A write in one transaction that is not this office's change, so no capture: merging remote change sets,
    /// and local bookkeeping that does not sync (peers).
    func writeUncaptured<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do {
            return try await pool.write(body)
        } catch {
            throw StoreError.wrap(error)
        }
    }

    func writeSync<T>(user: String, _ body: (Database) throws -> T) throws(StoreError) -> T {
        let (office, layout) = (office, layout)
        do {
            return try pool.write { db in
                try LocalChanges.run(db, office: office, layout: layout, user: user, wallClock: clock()) { try body(db) }
            }
        } catch {
            throw StoreError.wrap(error)
        }
    }

    func readSync<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try pool.read(body)
        } catch {
            throw StoreError.wrap(error)
        }
    }
}

extension StoreError {
    static func wrap(_ error: any Error) -> StoreError {
        if let error = error as? StoreError { return error }
        if let error = error as? RecordError { return .invalidRecord(error, line: nil) }
        return .database(String(describing: error))
    }
}

/// How a store is opened.
public struct StoreOptions: Sendable {
    /// `synchronous=FULL` (the default): a committed write survives a power cut. Tests of many short-lived
    /// stores turn it off.
    public var durable: Bool
    /// How remote change sets merge; only tests change it.
    package var mergePolicy: MergePolicy
    /// The raw private key a new office gets, so a seed reproduces a test run; nil draws a random one.
    package var newOfficeKey: Data?
    /// Makes every search spin in SQLite until interrupted: a slow query for the test that shutdown ends it.
    package var slowSearchForTests = false
    /// How far ahead of this office's clock a change set's stamp may be, in milliseconds. One further ahead is
    /// held, with the reason, until this office's clock has caught up to within this much of it: otherwise an
    /// office whose clock is set wrong would win every concurrent edit for as long as its clock is ahead.
    public var maxClockSkew: Int64
    /// The record schema the store lays its tables out in and writes its change sets with: this build's
    /// (``Schema/version``); a test runs an older one to play an office that has not upgraded.
    package var recordSchema = Schema.version
    /// Runs after each local write commits, before the call returns: a test delays it to show subscribers hear
    /// changes in commit order whatever the callers do next.
    package var afterCommitForTests: (@Sendable () async -> Void)?

    /// The default ``maxClockSkew``: ten minutes.
    public static let defaultMaxClockSkew: Int64 = 10 * 60 * 1000

    /// The bound on one change set of a bulk write (an import): at most this many records, or this many bytes of
    /// input (about the size of its changeset), whichever comes first. The write stays one transaction; it travels
    /// as several change sets, so no single one outgrows what a peer frame, a bundle or a receiver's memory takes.
    public var maxChangeSetRecords: Int
    public var maxChangeSetBytes: Int

    /// The default bounds: 2,000 records or 1 MiB.
    public static let defaultMaxChangeSetRecords = 2000
    public static let defaultMaxChangeSetBytes = 1 << 20

    public init(
        durable: Bool = true, maxClockSkew: Int64 = defaultMaxClockSkew,
        maxChangeSetRecords: Int = defaultMaxChangeSetRecords, maxChangeSetBytes: Int = defaultMaxChangeSetBytes
    ) {
        self.durable = durable
        self.mergePolicy = .fieldClock
        self.maxClockSkew = maxClockSkew
        self.maxChangeSetRecords = maxChangeSetRecords
        self.maxChangeSetBytes = maxChangeSetBytes
    }
}

/// Lets reads be ended from outside: a progress handler on each reader connection, checked every thousand steps
/// of SQLite's virtual machine, answers "interrupt" once ``stop()`` was called.
final class ReadInterruption: Sendable {
    private let stopped = Atomic<Bool>(false)

    func stop() { stopped.store(true, ordering: .relaxed) }

    func install(on db: Database) {
        sqlite3_progress_handler(
            db.sqliteConnection, 1000,
            { context in
                guard let context else { return 0 }
                return Unmanaged<ReadInterruption>.fromOpaque(context).takeUnretainedValue().stopped.load(ordering: .relaxed)
                    ? 1 : 0
            }, Unmanaged.passUnretained(self).toOpaque())
    }
}

/// Runs one action at a wall-clock time, the earliest asked for; a later request for a later time waits its turn
/// (the action plans the next one itself).
final class ReleaseTimer: Sendable {
    private let pending = Mutex<(at: Int64, task: Task<Void, Never>)?>(nil)

    /// Runs `action` at `time` (milliseconds since 1970; `now` is the same clock's reading), unless an earlier
    /// time is already planned.
    func schedule(at time: Int64, now: Int64, _ action: @escaping @Sendable () async -> Void) {
        pending.withLock { planned in
            if let planned, planned.at <= time { return }
            planned?.task.cancel()
            let delay = max(time - now, 0) + 1
            planned = (time, Task { [weak self] in
                try? await Task.sleep(for: .milliseconds(delay))
                guard !Task.isCancelled else { return }
                self?.pending.withLock { if $0?.at == time { $0 = nil } }
                await action()
            })
        }
    }

    func cancel() {
        pending.withLock { planned in
            planned?.task.cancel()
            planned = nil
        }
    }
}

/// Who is writing, from which office, and when: stamped on every row a write touches.
struct WriteContext: Sendable {
    let office: String
    let user: String
    let now: String
    /// The record tables written to.
    let layout: RecordLayout

    func newProvenance() -> Provenance {
        Provenance(
            createdAt: now, createdOffice: office, createdUser: user, updatedAt: now, updatedOffice: office,
            updatedUser: user, version: 1, deleted: false)
    }
}
