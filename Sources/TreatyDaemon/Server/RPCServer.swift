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
    /// The inode of the socket file this process bound: it removes the file at the end only if it is still that one.
    let boundInode: UInt64?

    private init(channel: Channel, path: String, activated: Bool, boundInode: UInt64?) {
        self.channel = channel
        self.path = path
        self.activated = activated
        self.boundInode = boundInode
    }

    /// Binds the socket (or takes the one systemd passed as fd 3) and starts accepting.
    ///
    /// - Parameter descriptorRoom: how many clients the process's descriptor limit leaves room for; the connection
    ///   limits never exceed it, so the daemon refuses a client with an answer before accept could fail.
    static func start(
        group: EventLoopGroup, settings: LiveSettings, dispatcher: Dispatcher, statistics: ServerStatistics,
        staging: ImportStaging, logger: Logger, environment: [String: String], descriptorRoom: Int = .max
    ) async throws -> RPCServer {
        let configuration = settings.current
        let limits = ConnectionLimits(
            maximum: min(configuration.limits.maxConnections, descriptorRoom),
            maximumPerUser: min(configuration.limits.maxConnectionsPerUser, descriptorRoom))
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
                    let role = policy.role(of: peer)
                    if let refusal = limits.admit(uid: peer.uid, role: role) {
                        statistics.connectionsRefused.add(1, ordering: .relaxed)
                        logger.warning("connection refused", metadata: ["uid": "\(peer.uid)", "why": "\(refusal)"])
                        let error = RPCResponse(id: .null, outcome: .failure(.application(.tooManyConnections, refusal))).json
                        var buffer = channel.allocator.buffer(bytes: JSONCodec.encode(error))
                        buffer.writeInteger(UInt8(ascii: "\n"))
                        // Not written from here: the channel is not active yet, and a write now fails unseen.
                        return channel.pipeline.addHandler(RefusalHandler(answer: buffer))
                    }
                    statistics.connections.add(1, ordering: .relaxed)
                    let writer = LineWriter(channel: channel, cap: maxQueued) {
                        statistics.clientsDropped.add(1, ordering: .relaxed)
                        logger.warning("dropped a client that does not read", metadata: ["uid": "\(peer.uid)", "pid": "\(peer.pid)"])
                    }
                    let session = Session(
                        user: peer.userName, role: role, credentials: peer, send: writer.send)
                    let handler = ConnectionHandler(
                        channel: channel, dispatcher: dispatcher, session: session, writer: writer, maxLineBytes: maxLine
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
            return RPCServer(channel: channel, path: configuration.socketPath, activated: true, boundInode: nil)
        }
        let path = configuration.socketPath
        // A socket file another daemon answers on is that daemon's: binding would take it over, and removing it at
        // exit would leave the other unreachable. One nobody answers on was left by a daemon that died.
        if UnixSocket.isServing(path) {
            throw StartupError.socketInUse(
                "another treatyd answers on \(path); stop it first, or give this one another --socket")
        }
        try prepareDirectory(of: path)
        // Bind with a umask that leaves the socket 0600: only this user may connect, until systemd says otherwise.
        let old = umask(0o177)
        defer { umask(old) }
        let channel = try await bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).get()
        chmod(path, 0o600)
        logger.info("serving", metadata: ["socket": "\(path)"])
        return RPCServer(channel: channel, path: path, activated: false, boundInode: UnixSocket.inode(path))
    }

    /// Stops accepting, and removes the socket file if this process bound it and it is still that file.
    func stop() async {
        try? await channel.close()
        if !activated, let boundInode, UnixSocket.inode(path) == boundInode { unlink(path) }
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

/// Answers a connection the daemon will not serve with one error line, then closes it.
final class RefusalHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    private let answer: ByteBuffer

    init(answer: ByteBuffer) {
        self.answer = answer
    }

    func channelActive(context: ChannelHandlerContext) {
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(answer)).whenComplete { _ in channel.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}
