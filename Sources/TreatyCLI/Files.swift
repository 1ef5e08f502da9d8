import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Files the CLI writes (`--out`). A path that names something other than a regular file (/dev/null,
/// /dev/stdout, a pipe) is written in place: renaming a new file over it, as an atomic write does, would replace
/// the device itself for a user allowed to (root).
enum OutputFile {
    static func isSpecial(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) != S_IFREG
    }

    /// Opens `path` for writing from its start, creating it if absent.
    static func open(_ path: String) throws(CLIFailure) -> FileHandle {
        let descriptor = Glibc.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw CLIFailure("cannot write \(path): \(String(cString: strerror(errno)))", code: 2) }
        return FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }

    /// Writes `data` to `path`: a regular file atomically (a reader never sees half of it), anything else in place.
    static func write(_ data: Data, to path: String) throws(CLIFailure) {
        do {
            if isSpecial(path) {
                try open(path).write(contentsOf: data)
            } else {
                try data.write(to: URL(fileURLWithPath: path), options: .atomic)
            }
        } catch let error as CLIFailure {
            throw error
        } catch {
            throw CLIFailure("cannot write \(path): \(error.localizedDescription)", code: 2)
        }
    }
}
