import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The one daemon that serves a state directory: an exclusive `flock` on `treatyd.lock` inside it, held for the
/// life of the process (the kernel releases it when the process ends, however it ends). A second daemon on the
/// same directory refuses to start, naming the first; two would serve one office and cut each other's peer
/// connections.
final class StateDirectoryLock: Sendable {
    static let fileName = "treatyd.lock"
    private let descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Takes the lock and writes who holds it (pid and socket) into the file, or says who holds it already.
    static func acquire(directory: String, socket: String) throws(StartupError) -> StateDirectoryLock {
        let path = directory + "/" + fileName
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .stateDirectory("cannot open \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let held = errno == EWOULDBLOCK
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?
                .split(separator: "\n").joined(separator: ", ") ?? ""
            close(fd)
            throw .stateDirectory(
                held
                    ? "another treatyd serves \(directory) (\(holder.isEmpty ? "it is starting" : holder)); "
                        + "stop it first, or give this one another --state-dir"
                    : "cannot lock \(path): \(String(cString: strerror(errno)))")
        }
        let text = "pid \(getpid())\nsocket \(socket)\n"
        _ = ftruncate(fd, 0)
        _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
        return StateDirectoryLock(descriptor: fd)
    }

    deinit {
        close(descriptor)
    }
}

/// Why the daemon cannot start: said in one line, with what to do.
public enum StartupError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The state directory is another daemon's, or cannot be locked.
    case stateDirectory(String)
    /// Another daemon answers on the socket path.
    case socketInUse(String)
    /// A step of starting failed: what it was, and why.
    case failed(String)

    public var description: String {
        switch self {
        case .stateDirectory(let why), .socketInUse(let why), .failed(let why): return why
        }
    }
}

extension StartupError {
    /// Runs one step of starting; an error that is not already a ``StartupError`` comes out naming the step.
    static func step<T>(_ what: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as StartupError {
            throw error
        } catch {
            throw StartupError.failed("cannot \(what): \(error)")
        }
    }
}
