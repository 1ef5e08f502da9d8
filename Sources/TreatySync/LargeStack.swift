#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs work on a thread with an 8 MiB stack and waits for it.
///
/// Ed25519 arithmetic (signing, verifying, deriving a public key) needs more stack in debug builds than the
/// dispatch threads that run database work have; it crashed there. Signing and checking change sets go
/// through here wherever they are called from. Costs a thread start (tens of microseconds), except on a thread
/// started by ``startThread(_:)``, which has the large stack already.
public enum LargeStack {
    public static let size = 8 << 20

    /// Marks the threads that have the large stack (set on each, never cleared).
    private static let onLargeStack: pthread_key_t = {
        var key = pthread_key_t()
        precondition(pthread_key_create(&key, nil) == 0, "no thread-specific key left")
        return key
    }()

    /// Runs `body` with the large stack: right here on a thread that has it, else on a new thread it waits for.
    public static func run<T>(_ body: () throws -> T) throws -> T {
        if pthread_getspecific(onLargeStack) != nil { return try body() }
        return try withoutActuallyEscaping(body) { body in
            var result: Result<T, any Error>?
            let job = Job {
                result = Result { try body() }
            }
            guard let thread = start(job, detached: false) else { return try body() }
            pthread_join(thread, nil)
            return try result!.get()
        }
    }

    /// Like ``run(_:)`` for an async caller: the work runs on its own thread and the caller is resumed when it is
    /// done, so no cooperative thread waits in `pthread_join` meanwhile (a peer session that verified a 70 MB change
    /// set that way went silent long enough for its peer to take the link as gone).
    public static func perform<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let job = Job { continuation.resume(with: Result { try body() }) }
            if start(job, detached: true) == nil { job.work() }
        }
    }

    /// Starts a thread with the large stack that runs `body` and ends with it: for a worker that lives across
    /// many calls (``run(_:)`` on it costs nothing). False when no thread could be made.
    public static func startThread(_ body: @escaping @Sendable () -> Void) -> Bool {
        start(Job(body), detached: true) != nil
    }

    /// Starts `job` on a thread with the large stack; nil when no thread could be made (then nothing ran).
    private static func start(_ job: Job, detached: Bool) -> pthread_t? {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, size)
        if detached { pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED)) }
        let context = Unmanaged.passRetained(job).toOpaque()
        #if canImport(Glibc)
            var thread = pthread_t()
        #else
            var thread: pthread_t?
        #endif
        let rc = pthread_create(
            &thread, &attributes,
            { context in
                pthread_setspecific(LargeStack.onLargeStack, UnsafeRawPointer(bitPattern: 1))
                Unmanaged<Job>.fromOpaque(context!).takeRetainedValue().work()
                return nil
            }, context)
        guard rc == 0 else {
            Unmanaged<Job>.fromOpaque(context).release()
            return nil
        }
        #if canImport(Glibc)
            return thread
        #else
            return thread!
        #endif
    }

    private final class Job: @unchecked Sendable {
        let work: () -> Void
        init(_ work: @escaping () -> Void) { self.work = work }
    }
}
