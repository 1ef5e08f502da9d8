import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Unix-domain socket addresses and the one question the daemon asks of a path before binding it.
enum UnixSocket {
    /// The address of `path` (a leading `@` names the abstract namespace) and its length; nil when too long.
    static func address(_ path: String) -> (sockaddr_un, socklen_t)? {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        return (address, socklen_t(MemoryLayout<sa_family_t>.size + bytes.count))
    }

    /// True when a process accepts connections on `path` now (a socket file left by a daemon that died refuses).
    static func isServing(_ path: String) -> Bool {
        guard let (found, length) = address(path) else { return false }
        var address = found
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) }
        }
        // A full backlog (EAGAIN) is a live listener too.
        return result == 0 || errno == EAGAIN || errno == EINPROGRESS
    }

    /// The inode of the file at `path`, if any: whether the socket file is still the one this process bound.
    static func inode(_ path: String) -> UInt64? {
        var info = stat()
        return stat(path, &info) == 0 ? UInt64(info.st_ino) : nil
    }
}
