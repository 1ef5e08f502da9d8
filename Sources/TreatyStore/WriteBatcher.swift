import CSQLite
import Dispatch
import GRDB
import Synchronization
import TreatySync

/// Group commit for local writes. Writes that arrive while a batch commits wait together and then commit together:
/// one transaction and one fsync for all of them, and one change set (one stamp, one signature) for each run of
/// consecutive writes by the same user. Each write still runs in its own savepoint and fails alone, rolled back to
/// its savepoint while the others commit; its history entry, provenance and events stay its own. A caller hears
/// back only once its write is durable.
///
/// No timer gathers a batch: the first write starts one at once, and what arrives meanwhile forms the next. One
/// writer alone commits as before; sixteen share their fsyncs and their change sets.
///
/// Batches run on a thread of the batcher's own (with the large stack signing needs, so a change set costs no thread
/// start), which calls the database synchronously: no task hop and no queue hop per write. The thread waits on a
/// semaphore while no write waits and ends after `idleTimeout` without one; the next write starts another.
final class WriteBatcher: Sendable {
    private let pool: DatabasePool
    private let office: OfficeIdentity
    private let layout: RecordLayout
    /// Where each batch's changes are published once it commits (in commit order: on the writer, at the commit).
    private let feed: ChangeFeed
    private let clock: @Sendable () -> Int64
    private let state = Mutex<(jobs: [Job], worker: Worker)>(([], .none))
    /// Signalled when a write arrives for an idle worker.
    private let wakeup = DispatchSemaphore(value: 0)
    private static let idleTimeout = DispatchTimeInterval.seconds(10)

    private enum Worker { case none, busy, idle }

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

    /// Runs `body` in the next batch, captured in this office's next change set; returns once the batch committed.
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
                let worker = state.withLock { state in
                    state.jobs.append(job)
                    defer { state.worker = .busy }
                    return state.worker
                }
                switch worker {
                case .none:
                    if !LargeStack.startThread({ self.work() }) { failAll("cannot start the writer thread") }
                case .idle: wakeup.signal()
                case .busy: break
                }
            }
        } catch {
            throw StoreError.wrap(error)
        }
        return result.withLock { $0 }!
    }

    /// The worker: commits batches, waits while no write waits, ends when none came for `idleTimeout`.
    private func work() {
        while true {
            let jobs = state.withLock { state in
                defer { state.jobs = [] }
                if state.jobs.isEmpty { state.worker = .idle }
                return state.jobs
            }
            if !jobs.isEmpty {
                commit(jobs)
                continue
            }
            if wakeup.wait(timeout: .now() + Self.idleTimeout) == .success { continue }
            let idle = state.withLock { state in
                defer { if state.worker == .idle { state.worker = .none } }
                return state.worker == .idle
            }
            if idle { return }
            wakeup.wait()  // a write came as the wait timed out: its signal is on the way
        }
    }

    /// Fails every waiting write (no thread could be made to commit them).
    private func failAll(_ reason: String) {
        let jobs = state.withLock { state in
            defer { (state.jobs, state.worker) = ([], .none) }
            return state.jobs
        }
        for job in jobs { job.finish(.database(reason)) }
    }

    /// Commits one batch and tells each write how it ended.
    func commit(_ jobs: [Job]) {
        let feed = feed
        do {
            try pool.write { db in
                var heard: [ChangeEvent] = []
                for run in Self.runs(of: jobs) { heard += commit(run, db) }
                let batch = heard
                db.afterNextTransaction { _ in for event in batch { feed.publish(event) } }
            }
            for job in jobs { job.finish(nil) }
        } catch {
            let failure = StoreError.wrap(error)
            for job in jobs { job.finish(failure) }
        }
    }

    /// Consecutive writes by the same user: each run is one change set, in the order the writes arrived (a later
    /// write may stand on an earlier one, so runs are never reordered).
    static func runs(of jobs: [Job]) -> [ArraySlice<Job>] {
        var runs: [ArraySlice<Job>] = []
        var start = jobs.startIndex
        for index in jobs.indices.dropFirst() where jobs[index].user != jobs[start].user {
            runs.append(jobs[start..<index])
            start = index
        }
        if start < jobs.endIndex { runs.append(jobs[start...]) }
        return runs
    }

    /// Runs one user's writes, each in its own savepoint, captured as one change set; returns what subscribers hear
    /// of those that succeeded. A write that fails is rolled back alone and told why; if the change set itself
    /// cannot be made, the whole run fails and the rest of the batch goes on.
    private func commit(_ run: ArraySlice<Job>, _ db: Database) -> [ChangeEvent] {
        var heard: [ChangeEvent] = []
        do {
            try db.inSavepoint {
                try LocalChanges.run(db, office: office, layout: layout, user: run.first!.user, wallClock: clock()) {
                    for job in run {
                        do {
                            try db.inSavepoint {
                                let events = try job.body(db)
                                try Self.checkNoDanglingReference(db)
                                heard += events
                                return .commit
                            }
                        } catch {
                            job.fail(StoreError.wrap(error))
                        }
                    }
                }
                return .commit
            }
            return heard
        } catch {
            let failure = StoreError.wrap(error)
            for job in run { job.fail(failure) }
            return []
        }
    }

    /// A reference left dangling would fail the whole batch at commit: fail the write that left it now.
    private static func checkNoDanglingReference(_ db: Database) throws {
        var (dangling, highest): (Int32, Int32) = (0, 0)
        if sqlite3_db_status(db.sqliteConnection, SQLITE_DBSTATUS_DEFERRED_FKS, &dangling, &highest, 0) == SQLITE_OK,
            dangling != 0
        {
            throw StoreError.database("a reference names a record that is not here")
        }
    }

    /// One write waiting for its batch.
    final class Job: Sendable {
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
