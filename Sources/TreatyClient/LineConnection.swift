import Dispatch
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
import Synchronization

/// A connection to a Unix socket that carries one JSON value per line.
///
/// A thread of its own reads it, so no caller's thread ever waits on the socket. A line is written straight from
/// the caller's thread when the socket takes all of it at once (`MSG_DONTWAIT`, the usual case for a request); what
/// it does not take goes to a writer thread, started the first time one is needed, which waits for the daemon to
/// read. The client needs no event-loop group: for a one-shot `treaty` command, starting NIO's group and connecting
/// through its channel pipeline took 1.8-3.1 ms, where a plain socket connects in 0.2-0.4 ms and its first answer
/// comes 0.8 ms after the request (timed inside `treaty agreement show`).
final class LineConnection: Sendable {
    private let fd: Int32
    private let output = Mutex(Output())
    private let wakeWriter = DispatchSemaphore(value: 0)

    private struct Output {
        /// Bytes the socket has not taken yet, in order.
        var pending: [Data] = []
        var writer: Writer = .none
        var closed = false
    }

    private enum Writer { case none, waiting, writing }

    /// Why a connection could not be made: the errno of `socket` or `connect`, or a path too long for a socket.
    enum OpenError: Error {
        case system(Int32)
        case pathTooLong
    }

    /// Connects to the socket at `path`. `line` gets each line the other end sends, without its newline, on the
    /// connection's reader thread; `closed` is called once when the connection ends (the other end closed it, an
    /// error, or ``close()``).
    static func open(
        path: String, line: @escaping @Sendable (ArraySlice<UInt8>) -> Void, closed: @escaping @Sendable () -> Void
    ) throws(OpenError) -> LineConnection {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw .pathTooLong }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .system(errno) }
        // Connecting to a Unix socket does not wait for the other end: it succeeds, or fails at once (EAGAIN when
        // the daemon's queue of new connections is full).
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { systemConnect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            let code = errno
            _ = systemClose(fd)
            throw .system(code)
        }
        let connection = LineConnection(fd: fd)
        let started = startThread { connection.read(line: line, closed: closed) }
        guard started == 0 else { throw .system(started) }
        return connection
    }

    private init(fd: Int32) {
        self.fd = fd
    }

    deinit {
        _ = systemClose(fd)
    }

    /// Sends `bytes` followed by a newline. Lines go out whole and in the order they are sent.
    func send(_ bytes: Data) {
        var line = bytes
        line.append(UInt8(ascii: "\n"))
        let wake = output.withLock { o -> Bool in
            guard !o.closed else { return false }
            if o.pending.isEmpty, o.writer != .writing {
                let written = line.withUnsafeBytes { systemSend(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL)) }
                if written == line.count { return false }
                // EAGAIN or a part taken: the writer waits for the daemon to read the rest. Another error shows as
                // the read's end.
                if written < 0, errno != EAGAIN, errno != EWOULDBLOCK { return false }
                line.removeFirst(max(written, 0))
            }
            o.pending.append(line)
            if o.writer == .none {
                o.writer = .waiting
                // Without a writer the line cannot go out: the connection ends, as when a write breaks it.
                if startThread({ self.write() }) != 0 { shutdown(fd, Int32(SHUT_RDWR)) }
                return false
            }
            return o.writer == .waiting
        }
        if wake { wakeWriter.signal() }
    }

    /// Closes the connection: the reader sees its end and `closed` is called; lines not yet sent are dropped.
    func close() {
        shutdown(fd, Int32(SHUT_RDWR))
    }

    /// The reader thread: reads until the connection ends, handing out each line.
    private func read(line: (ArraySlice<UInt8>) -> Void, closed: () -> Void) {
        var splitter = LineSplitter()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            splitter.append(chunk[..<count])
            while let next = splitter.next() { line(next) }
        }
        output.withLock { $0.closed = true }
        wakeWriter.signal()
        closed()
    }

    /// The writer thread: writes what the socket would not take at once, waiting for the daemon to read it.
    private func write() {
        enum Next { case line(Data), idle, closed }
        while true {
            let next = output.withLock { o -> Next in
                if o.closed { return .closed }
                guard let first = o.pending.first else {
                    o.writer = .waiting
                    return .idle
                }
                o.writer = .writing
                return .line(first)
            }
            switch next {
            case .closed: return
            case .idle: wakeWriter.wait()
            case .line(let bytes):
                guard writeAll(bytes) else { return }
                output.withLock { o in _ = o.pending.removeFirst() }
            }
        }
    }

    /// Writes all of `bytes`, waiting as long as the socket is full; false if the connection broke.
    private func writeAll(_ bytes: Data) -> Bool {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = systemSend(fd, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                if written < 0, errno == EINTR { continue }
                guard written > 0 else { return false }
                offset += written
            }
            return true
        }
    }
}

/// Runs `body` on a new detached thread; the errno of `pthread_create` if none could be started. A plain thread,
/// not Foundation's `Thread`: the client links FoundationEssentials only, whose start-up is a millisecond shorter.
private func startThread(_ body: @escaping @Sendable () -> Void) -> Int32 {
    final class Body: Sendable {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }
    let argument = Unmanaged.passRetained(Body(body)).toOpaque()
    var thread = pthread_t()
    let started = pthread_create(&thread, nil, { argument in
        Unmanaged<Body>.fromOpaque(argument!).takeRetainedValue().run()
        return nil
    }, argument)
    guard started == 0 else {
        Unmanaged<Body>.fromOpaque(argument).release()
        return started
    }
    pthread_detach(thread)
    return 0
}

private let systemConnect = connect
private let systemClose = close
private let systemSend = send
private let systemRead = read

/// Cuts a stream of bytes into lines. Bytes already searched are not searched again: a 6 MB answer (a bundle piece)
/// arrives in a hundred reads, and searching it from its start at each one took the CLI seconds, long enough under
/// load for the daemon to drop it as a client that does not read.
struct LineSplitter {
    private var buffer: [UInt8] = []
    /// Where the next line starts.
    private var start = 0
    /// Where the search for its newline goes on.
    private var scanned = 0

    mutating func append<Bytes: Sequence<UInt8>>(_ bytes: Bytes) {
        if start > 0, start >= buffer.count / 2 {
            buffer.removeFirst(start)
            scanned -= start
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next whole line without its newline, or nil until more bytes come.
    mutating func next() -> ArraySlice<UInt8>? {
        guard let newline = buffer[scanned...].firstIndex(of: UInt8(ascii: "\n")) else {
            scanned = buffer.count
            return nil
        }
        let line = buffer[start..<newline]
        start = newline + 1
        scanned = start
        return line
    }
}
