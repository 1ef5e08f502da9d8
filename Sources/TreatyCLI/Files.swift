#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file the CLI reads or writes, by its descriptor. Not Foundation's `FileHandle`: the CLI links
/// FoundationEssentials only, because all of Foundation made every command a millisecond slower to start.
final class OpenFile: Sendable {
    let descriptor: Int32
    /// The name errors give.
    let path: String
    private let closes: Bool

    static let standardOutput = OpenFile(descriptor: STDOUT_FILENO, path: "standard output", closes: false)
    static let standardError = OpenFile(descriptor: STDERR_FILENO, path: "standard error", closes: false)

    init(descriptor: Int32, path: String, closes: Bool = true) {
        self.descriptor = descriptor
        self.path = path
        self.closes = closes
    }

    /// Opens `path` to read from its start.
    static func reading(_ path: String) throws(CLIFailure) -> OpenFile {
        try open(path, flags: O_RDONLY, verb: "read")
    }

    /// Opens `path` to write from its start, creating it if absent.
    static func writing(_ path: String) throws(CLIFailure) -> OpenFile {
        try open(path, flags: O_WRONLY | O_CREAT | O_TRUNC, verb: "write")
    }

    private static func open(_ path: String, flags: Int32, verb: String) throws(CLIFailure) -> OpenFile {
        let descriptor = systemOpen(path, flags | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw CLIFailure("cannot \(verb) \(path): \(systemError())", code: 2) }
        return OpenFile(descriptor: descriptor, path: path, closes: true)
    }

    deinit {
        if closes { _ = systemClose(descriptor) }
    }

    /// Up to `count` bytes from where the last read ended; empty at the end of the file.
    func read(upTo count: Int) throws(CLIFailure) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got = bytes.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress! + filled, count - filled) }
            if got < 0, errno == EINTR { continue }
            guard got >= 0 else { throw CLIFailure("cannot read \(path): \(systemError())", code: 1) }
            if got == 0 { break }
            filled += got
        }
        bytes.removeSubrange(filled...)
        return bytes
    }

    /// Writes all of `bytes`.
    func write(_ bytes: some ContiguousBytes) throws(CLIFailure) {
        let failure: Int32? = bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = systemWrite(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0, errno == EINTR { continue }
                guard written >= 0 else { return errno }
                offset += written
            }
            return nil
        }
        if let failure { throw CLIFailure("cannot write \(path): \(systemError(failure))", code: 2) }
    }

    func write(_ text: String) throws(CLIFailure) {
        try write(Array(text.utf8))
    }
}

/// A program run with its stdin and stdout on pipes and its stderr on /dev/null (`dot` for `treaty graph`).
final class Subprocess {
    private let pid: pid_t
    private var input: OpenFile?
    let output: OpenFile

    init(_ path: String, arguments: [String]) throws(CLIFailure) {
        var inPipe: [Int32] = [-1, -1]
        var outPipe: [Int32] = [-1, -1]
        guard pipe(&inPipe) == 0 else { throw CLIFailure("cannot run \(path): \(systemError())") }
        guard pipe(&outPipe) == 0 else {
            let failure = systemError()
            _ = systemClose(inPipe[0])
            _ = systemClose(inPipe[1])
            throw CLIFailure("cannot run \(path): \(failure)")
        }
        // The child gets the pipes' other ends as its stdin and stdout (dup2 clears close-on-exec on those copies).
        for descriptor in inPipe + outPipe { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inPipe[0], STDIN_FILENO)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], STDOUT_FILENO)
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, environ)
        _ = systemClose(inPipe[0])
        _ = systemClose(outPipe[1])
        input = OpenFile(descriptor: inPipe[1], path: path)
        output = OpenFile(descriptor: outPipe[0], path: path)
        guard spawned == 0 else { throw CLIFailure("cannot run \(path): \(systemError(spawned))") }
        self.pid = pid
    }

    /// Writes all of `text` to its stdin and closes it. A program that exits before reading it all does not stop
    /// this one (SIGPIPE is ignored): the write fails instead.
    func write(_ text: String) throws(CLIFailure) {
        signal(SIGPIPE, SIG_IGN)
        defer { input = nil }
        try input?.write(text)
    }

    /// Waits for it to end: its exit status, or 128 and the signal that ended it.
    func wait() -> Int32 {
        input = nil
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }
}

/// Says `text` on stderr as it is (no newline added); a failure to is not reported anywhere.
func printError(_ text: String) {
    try? OpenFile.standardError.write(text)
}

/// The message of an errno.
func systemError(_ code: Int32 = errno) -> String {
    String(cString: strerror(code))
}

/// Files the CLI writes (`--out`). A path that names something other than a regular file (/dev/null,
/// /dev/stdout, a pipe) is written in place: renaming a new file over it, as an atomic write does, would replace
/// the device itself for a user allowed to (root).
enum OutputFile {
    static func isSpecial(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) != S_IFREG
    }

    /// Writes `bytes` to `path`: a regular file atomically (written beside it, then renamed over it, so a reader
    /// never sees half of it), anything else in place.
    static func write(_ bytes: some ContiguousBytes, to path: String) throws(CLIFailure) {
        if isSpecial(path) { return try OpenFile.writing(path).write(bytes) }
        let partial = path + ".partial"
        do {
            try OpenFile.writing(partial).write(bytes)
            try replace(path, with: partial)
        } catch {
            _ = unlink(partial)
            throw error
        }
    }

    /// Renames `partial` over `path` in one step: a reader sees the old file or the new one.
    static func replace(_ path: String, with partial: String) throws(CLIFailure) {
        guard rename(partial, path) == 0 else { throw CLIFailure("cannot write \(path): \(systemError())", code: 2) }
    }
}

private func systemOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 { open(path, flags, mode) }
private let systemClose = close
private let systemRead = read
private let systemWrite = write
