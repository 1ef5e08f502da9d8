import Foundation
import Logging
import NIOCore
import NIOPosix
import TreatyModel
import TreatyProtocol

#if canImport(Glibc)
    import Glibc
#endif

/// Linux's `struct ucred` (pid, uid, gid), which Swift's Glibc module does not export.
struct SocketCredentials: Sendable {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}

/// The Unix-socket server: accepts clients, learns who they are from SO_PEERCRED, and hands their lines to
/// the dispatcher.
final class RPCServer: Sendable {
    let channel: Channel
    let path: String
    /// True when systemd passed the socket in (then systemd owns the file).
    let activated: Bool

    private init(channel: Channel, path: String, activated: Bool) {
        self.channel = channel
        self.path = path
        self.activated = activated
    }

    /// Binds the socket (or takes the one systemd passed as fd 3) and starts accepting.
    static func start(
        group: EventLoopGroup, settings: LiveSettings, dispatcher: Dispatcher, statistics: ServerStatistics,
        staging: ImportStaging, logger: Logger, environment: [String: String]
    ) async throws -> RPCServer {
        let configuration = settings.current
        let limits = ConnectionLimits(
            maximum: configuration.limits.maxConnections, maximumPerUser: configuration.limits.maxConnectionsPerUser)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .childChannelInitializer { channel in
                guard let provider = channel as? SocketOptionProvider else {
                    return channel.close()
                }
                let credentials: EventLoopFuture<SocketCredentials> = provider.unsafeGetSocketOption(
                    level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
                return credentials.flatMap { cred in
                    // Each connection takes the settings in force when it opens (a reload changes later ones).
                    let current = settings.current
                    let policy = settings.policy
                    let maxQueued = current.limits.maxQueuedBytes
                    let maxLine = current.limits.maxLineBytes
                    let peer = PeerCredentials(pid: cred.pid, uid: cred.uid, gid: cred.gid)
                    if let refusal = limits.admit(uid: peer.uid) {
                        statistics.connectionsRefused.add(1, ordering: .relaxed)
                        logger.warning("connection refused", metadata: ["uid": "\(peer.uid)", "why": "\(refusal)"])
                        let error = RPCResponse(id: .null, outcome: .failure(.application("too_many_connections", refusal))).json
                        var buffer = channel.allocator.buffer(bytes: JSONCodec.encode(error))
                        buffer.writeInteger(UInt8(ascii: "\n"))
                        return channel.writeAndFlush(buffer).flatMap { channel.close() }
                    }
                    statistics.connections.add(1, ordering: .relaxed)
                    let writer = LineWriter(channel: channel, cap: maxQueued) {
                        statistics.clientsDropped.add(1, ordering: .relaxed)
                        logger.warning("dropped a client that does not read", metadata: ["uid": "\(peer.uid)", "pid": "\(peer.pid)"])
                    }
                    let session = Session(
                        user: peer.userName, role: policy.role(of: peer), credentials: peer, send: writer.send)
                    let handler = ConnectionHandler(
                        channel: channel, dispatcher: dispatcher, session: session, maxLineBytes: maxLine
                    ) {
                        limits.release(uid: peer.uid)
                        statistics.connections.subtract(1, ordering: .relaxed)
                        Task { await staging.abandon(owner: session) }
                    }
                    do {
                        try channel.pipeline.syncOperations.addHandler(
                            ByteToMessageHandler(LineFrameDecoder(maximumLength: maxLine)))
                        try channel.pipeline.syncOperations.addHandler(handler)
                        return channel.eventLoop.makeSucceededVoidFuture()
                    } catch {
                        return channel.eventLoop.makeFailedFuture(error)
                    }
                }
            }

        if let fd = activatedSocket(environment: environment) {
            let channel = try await bootstrap.withBoundSocket(fd).get()
            logger.info("serving on the socket systemd passed", metadata: ["socket": "\(configuration.socketPath)"])
            return RPCServer(channel: channel, path: configuration.socketPath, activated: true)
        }
        let path = configuration.socketPath
        try prepareDirectory(of: path)
        // Bind with a umask that leaves the socket 0600: only this user may connect, until systemd says otherwise.
        let old = umask(0o177)
        defer { umask(old) }
        let channel = try await bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).get()
        chmod(path, 0o600)
        logger.info("serving", metadata: ["socket": "\(path)"])
        return RPCServer(channel: channel, path: path, activated: false)
    }

    /// Stops accepting; with `removeSocket`, unlinks a socket this process bound.
    func stop() async {
        try? await channel.close()
        if !activated { unlink(path) }
    }

    /// fd 3 when systemd passed exactly this process a socket (LISTEN_PID, LISTEN_FDS).
    static func activatedSocket(environment: [String: String]) -> CInt? {
        guard let pid = environment["LISTEN_PID"].flatMap(Int32.init), pid == getpid(),
            let count = environment["LISTEN_FDS"].flatMap(Int.init), count >= 1
        else { return nil }
        return 3
    }

    static func prepareDirectory(of path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        guard !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) else { return }
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }
}
