#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs work on a thread with an 8 MiB stack and waits for it.
///
/// Ed25519 arithmetic (signing, verifying, deriving a public key) needs more stack in debug builds than the
/// dispatch threads that run database work have; it crashed there. Signing and checking change sets go
/// through here wherever they are called from. Costs a thread start (tens of microseconds).
public enum LargeStack {
    public static let size = 8 << 20

    public static func run<T>(_ body: () throws -> T) throws -> T {
        try withoutActuallyEscaping(body) { body in
            var result: Result<T, any Error>?
            let job = Job {
                result = Result { try body() }
            }
            var attributes = pthread_attr_t()
            pthread_attr_init(&attributes)
            defer { pthread_attr_destroy(&attributes) }
            pthread_attr_setstacksize(&attributes, size)
            let context = Unmanaged.passRetained(job).toOpaque()
            #if canImport(Glibc)
                var thread = pthread_t()
            #else
                var thread: pthread_t?
            #endif
            let rc = pthread_create(
                &thread, &attributes,
                { context in
                    Unmanaged<Job>.fromOpaque(context!).takeRetainedValue().work()
                    return nil
                }, context)
            if rc != 0 {
                Unmanaged<Job>.fromOpaque(context).release()
                return try body()
            }
            #if canImport(Glibc)
                pthread_join(thread, nil)
            #else
                pthread_join(thread!, nil)
            #endif
            return try result!.get()
        }
    }

    private final class Job: @unchecked Sendable {
        let work: () -> Void
        init(_ work: @escaping () -> Void) { self.work = work }
    }
}
