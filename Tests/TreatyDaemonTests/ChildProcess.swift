import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A program the tests start: it inherits nothing of the test process but the three streams it is given, runs in its
/// own process group, and is waited for with a deadline, off the test executor's threads.
///
/// Foundation's `Process` is not used: on Linux it lists the descriptors to close in the child before it spawns, so a
/// descriptor another test opens meanwhile leaks into the child. A daemon that inherited another program's exit-watch
/// socket kept `Process` from ever seeing that program end, and the test waiting for it (with both of the executor's
/// threads blocked the same way) hung the whole run.
final class ChildProcess: @unchecked Sendable {
    let pid: pid_t
    let command: String
    private let lock = NSLock()
    private var status: Int32?

    /// Starts `path` with `arguments`. `input`, `output` and `error` are descriptors of the test process (nil: /dev/null);
    /// `environment` replaces the whole environment when given; `directory` is the working directory.
    init(
        _ path: String, _ arguments: [String], environment: [String: String]? = nil, directory: String? = nil,
        input: Int32? = nil, output: Int32? = nil, error: Int32? = nil
    ) throws {
        command = ([path] + arguments).joined(separator: " ")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (descriptor, target) in [(input, STDIN_FILENO), (output, STDOUT_FILENO), (error, STDERR_FILENO)] {
            if let descriptor {
                posix_spawn_file_actions_adddup2(&actions, descriptor, target)
            } else {
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == STDIN_FILENO ? O_RDONLY : O_WRONLY, 0)
            }
        }
        guard Spawn.closeFrom(&actions, 3) == 0 else { throw ChildProcessError.cannotStart(command, errno) }
        if let directory, Spawn.changeDirectory(&actions, directory) != 0 { throw ChildProcessError.cannotStart(command, errno) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        // The test process ignores SIGPIPE; its children should not inherit that.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let envp = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { envp?.forEach { free($0) } }
        var child = pid_t()
        let result = envp.map { posix_spawn(&child, path, &actions, &attributes, argv, $0) }
            ?? posix_spawn(&child, path, &actions, &attributes, argv, environ)
        guard result == 0 else { throw ChildProcessError.cannotStart(command, result) }
        pid = child
    }

    /// The exit status once the program has ended (128 + the signal's number if a signal ended it; -1 if something
    /// else reaped it), else nil.
    var exitStatus: Int32? {
        lock.withLock {
            if status == nil {
                var raw: Int32 = 0
                switch waitpid(pid, &raw, WNOHANG) {
                case pid: status = raw & 0x7f == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
                case -1 where errno == ECHILD: status = -1  // reaped elsewhere: ended, status unknown
                default: break
                }
            }
            return status
        }
    }

    var isRunning: Bool { exitStatus == nil }

    /// Waits until the program ends; nil if it still runs after `deadline`.
    func exit(within deadline: Duration) async -> Int32? {
        let end = ContinuousClock.now + deadline
        while ContinuousClock.now < end {
            if let exitStatus { return exitStatus }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return exitStatus
    }

    /// Sends `signal` to the program, if it still runs (its pid is not yet free for another).
    func send(_ signal: Int32) {
        lock.withLock { if status == nil { _ = kill(pid, signal) } }
    }

    /// Kills the program and everything in its process group (a wrapper script and what it started).
    func killGroup() {
        lock.withLock { if status == nil { _ = kill(-pid, SIGKILL) } }
    }

    deinit {
        if status == nil {
            kill(-pid, SIGKILL)
            var raw: Int32 = 0
            waitpid(pid, &raw, 0)
        }
    }
}

enum ChildProcessError: Error, CustomStringConvertible {
    case cannotStart(String, Int32)
    case timedOut(String, Duration, String)

    var description: String {
        switch self {
        case .cannotStart(let command, let code): return "cannot start \(command): \(String(cString: strerror(code)))"
        case .timedOut(let command, let deadline, let output): return "\(command) still ran after \(deadline); killed. Output:\n\(output)"
        }
    }
}

/// glibc's spawn extensions (2.34 and later), which its headers declare only for `_GNU_SOURCE`.
private enum Spawn {
    typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    typealias ChangeDirectory = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32

    static let closeFrom: CloseFrom = symbol("posix_spawn_file_actions_addclosefrom_np")
    static let changeDirectory: ChangeDirectory = symbol("posix_spawn_file_actions_addchdir_np")

    private static func symbol<T>(_ name: String) -> T {
        guard let address = dlsym(dlopen(nil, RTLD_NOW), name) else { fatalError("glibc 2.34 or later is needed: no \(name)") }
        return unsafeBitCast(address, to: T.self)
    }
}

/// Runs a program to the end, its output collected in a file (never a pipe: what a program leaves behind cannot keep
/// the reader waiting); returns its exit status and output (stdout, and stderr unless kept apart). A program still
/// running after `deadline` is killed and reported.
@discardableResult
func runProgram(
    _ path: String, _ arguments: [String], stderrToo: Bool = true, environment: [String: String]? = nil,
    deadline: Duration = .seconds(600)
) async throws -> (status: Int32, output: String) {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("treaty-output-\(UUID().uuidString)").path
    let descriptor = open(file, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { throw ChildProcessError.cannotStart(path, errno) }
    defer {
        close(descriptor)
        unlink(file)
    }
    let child = try ChildProcess(path, arguments, environment: environment, output: descriptor, error: stderrToo ? descriptor : nil)
    let status = await child.exit(within: deadline)
    let output = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
    guard let status else {
        child.killGroup()
        throw ChildProcessError.timedOut(child.command, deadline, output)
    }
    return (status, output)
}
