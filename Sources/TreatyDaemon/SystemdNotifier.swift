import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// sd_notify without libsystemd: one datagram to `$NOTIFY_SOCKET` (a leading `@` is the abstract namespace).
///
/// The datagram socket is opened once, at start: a daemon whose descriptors are all taken by clients must still
/// tell the watchdog it lives (opening a socket per message failed there, and systemd killed the daemon).
final class SystemdNotifier: Sendable {
    let path: String?
    /// The datagram socket, or -1 when there is no `$NOTIFY_SOCKET` (or none could be opened).
    private let fd: Int32

    init(environment: [String: String]) {
        path = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        fd = path == nil ? -1 : socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// Watchdog interval from `$WATCHDOG_USEC` (for this process), pinged at half of it.
    static func watchdogInterval(environment: [String: String]) -> Duration? {
        guard let usec = environment["WATCHDOG_USEC"].flatMap(UInt64.init), usec > 0 else { return nil }
        if let pid = environment["WATCHDOG_PID"].flatMap(Int32.init), pid != getpid() { return nil }
        return .microseconds(Int64(usec / 2))
    }

    @discardableResult
    func notify(_ state: String) -> Bool {
        guard let path, fd >= 0, let (found, length) = UnixSocket.address(path) else { return false }
        var address = found
        let sent = state.utf8CString.withUnsafeBufferPointer { message in
            withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, message.baseAddress, message.count - 1, 0, $0, length)
                }
            }
        }
        return sent >= 0
    }
}
