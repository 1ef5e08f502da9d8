import CSQLite
import GRDB
import Synchronization

/// Group commit for local writes. Writes that arrive while a batch commits wait together and then commit together:
/// one transaction and one fsync for all of them. Each still runs in its own savepoint with its own capture session,
/// so each is its own change set (its user, its clock stamp, its conflicts and history) and fails alone, rolled back
/// to its savepoint while the others commit. A caller hears back only once its write is durable.
///
/// No timer gathers a batch: the first write starts one at once, and what arrives meanwhile forms the next. One
/// writer alone commits as before; sixteen share their fsyncs.
final class WriteBatcher: Sendable {
    private let pool: DatabasePool
    private let office: OfficeIdentity
    private let layout: RecordLayout
    /// Where each batch's changes are published once it commits (in commit order: on the writer, at the commit).
    private let feed: ChangeFeed
    private let clock: @Sendable () -> Int64
    private let queue = Mutex<(jobs: [Job], draining: Bool)>(([], false))

    init(
        pool: DatabasePool, office: OfficeIdentity, layout: RecordLayout, feed: ChangeFeed,
        clock: @escaping @Sendable () -> Int64
    ) {
        self.layout = layout
        self.feed = feed
        self.pool = pool
        self.office = office
        self.clock = clock
    }

    /// Runs `body` in the next batch, captured as this office's next change set; returns once the batch committed.
    /// Subscribers hear `events` of what it returned when the batch commits, before any later commit's.
    func write<T: Sendable>(
        user: String, events: @escaping @Sendable (T) -> [ChangeEvent], _ body: @escaping @Sendable (Database) throws -> T
    ) async throws(StoreError) -> T {
        let result = Mutex<T?>(nil)
        do {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let job = Job(user: user) { db in
                    let value = try body(db)
                    result.withLock { $0 = value }
                    return events(value)
                } done: { error in
                    if let error { continuation.resume(throwing: error) } else { continuation.resume() }
                }
                let start = queue.withLock { state in
                    state.jobs.append(job)
                    defer { state.draining = true }
                    return !state.draining
                }
                if start { Task { await self.drain() } }
            }
        } catch {
            throw StoreError.wrap(error)
        }
        return result.withLock { $0 }!
    }

    /// Commits batches until no write waits.
    private func drain() async {
        while true {
            let jobs = queue.withLock { state in
                defer { state.jobs = [] }
                if state.jobs.isEmpty { state.draining = false }
                return state.jobs
            }
            guard !jobs.isEmpty else { return }
            let (office, layout, clock, feed) = (office, layout, clock, feed)
            do {
                try await pool.write { db in
                    var heard: [ChangeEvent] = []
                    for job in jobs {
                        do {
                            try db.inSavepoint {
                                let events = try LocalChanges.run(
                                    db, office: office, layout: layout, user: job.user, wallClock: clock()
                                ) { try job.body(db) }
                                // A reference left dangling would fail the whole batch at commit: fail this write now.
                                var (dangling, highest): (Int32, Int32) = (0, 0)
                                if sqlite3_db_status(db.sqliteConnection, SQLITE_DBSTATUS_DEFERRED_FKS, &dangling, &highest, 0)
                                    == SQLITE_OK, dangling != 0
                                {
                                    throw StoreError.database("a reference names a record that is not here")
                                }
                                heard += events
                                return .commit
                            }
                        } catch {
                            job.fail(StoreError.wrap(error))
                        }
                    }
                    let batch = heard
                    db.afterNextTransaction { _ in for event in batch { feed.publish(event) } }
                }
                for job in jobs { job.finish(nil) }
            } catch {
                let failure = StoreError.wrap(error)
                for job in jobs { job.finish(failure) }
            }
        }
    }

    /// One write waiting for its batch.
    private final class Job: Sendable {
        let user: String
        /// The write; returns what subscribers hear of it.
        let body: @Sendable (Database) throws -> [ChangeEvent]
        private let done: @Sendable ((any Error)?) -> Void
        /// Why this write failed inside a batch that committed.
        private let failure = Mutex<StoreError?>(nil)

        init(
            user: String, body: @escaping @Sendable (Database) throws -> [ChangeEvent],
            done: @escaping @Sendable ((any Error)?) -> Void
        ) {
            self.user = user
            self.body = body
            self.done = done
        }

        func fail(_ error: StoreError) { failure.withLock { $0 = error } }

        /// Tells the caller how its write ended: its own failure, else the batch's.
        func finish(_ batch: StoreError?) { done(failure.withLock { $0 } ?? batch) }
    }
}
