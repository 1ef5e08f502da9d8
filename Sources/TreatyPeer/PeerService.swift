import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization
import TreatyStore
import TreatySync

/// This office on the network: a mutual-TLS listener for peers, a dialer per pinned peer (reconnecting with
/// backoff), and the sessions between them.
///
/// Only pinned offices get past the handshake: a connection whose certificate key does not hash to a pinned
/// peer's office id is refused there, and the id it offered is logged.
public actor PeerService {
    /// What `treaty peer list` and `treaty sync now` report for one peer.
    public struct Status: Sendable {
        public let peer: Peer
        public let connected: Bool
        public let traffic: PeerTraffic

        public init(peer: Peer, connected: Bool, traffic: PeerTraffic) {
            self.peer = peer
            self.connected = connected
            self.traffic = traffic
        }
    }

    /// What one `sync now` round with one peer moved.
    public struct RoundReport: Sendable {
        public let peer: String
        public let traffic: PeerTraffic
        public let error: String?
    }

    let store: TreatyStore
    let logger: Logger
    let group: any EventLoopGroup
    let pollInterval: Duration
    private let tls: NIOSSLContext
    private let pins = Pins()
    private var sessions: [String: PeerSession] = [:]
    private var traffic: [String: TrafficCounter] = [:]
    private var dialers: [String: Task<Void, Never>] = [:]
    private var server: NIOAsyncChannel<Connection, Never>?
    private var listenerTask: Task<Void, Never>?
    /// The address the listener is bound to, when there is one.
    public private(set) var listeningAddress: String?

    /// The key a dialed peer offered when it was not the pinned one, set by the verification callback, for the
    /// error that attempt ends with.
    final class OfferedKey: Sendable {
        let office = Mutex<String?>(nil)

        /// What to note for `peer` when its key was refused; nil when it was not.
        func refusal(of peer: Peer) -> String? {
            office.withLock { $0 }.map { "refused: \(peer.address) presented office \($0), not the pinned \(peer.office)" }
        }
    }

    /// Offices allowed in, read by the TLS verification callbacks on the event loops.
    final class Pins: Sendable {
        private let offices = Mutex<[String: String]>([:])
        func set(_ peers: [Peer]) { offices.withLock { $0 = Dictionary(peers.map { ($0.office, $0.name) }, uniquingKeysWith: { a, _ in a }) } }
        func name(of office: String) -> String? { offices.withLock { $0[office] } }
    }

    public init(
        store: TreatyStore, certificate: OfficeCertificate, logger: Logger,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, pollInterval: Duration = .seconds(30)
    ) throws {
        self.store = store
        self.logger = logger
        self.group = group
        self.pollInterval = pollInterval
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(certificate.certificate)], privateKey: .privateKey(certificate.privateKey))
        configuration.minimumTLSVersion = .tlsv13
        // Office keys are Ed25519, which BoringSSL offers only when asked.
        configuration.signingSignatureAlgorithms = [.ed25519]
        configuration.verifySignatureAlgorithms = [.ed25519]
        // Peers are checked by the callbacks below (pinned key ids), not against certificate authorities; this
        // setting makes the server ask every client for its certificate.
        configuration.certificateVerification = .noHostnameVerification
        // No certificate authority is ever trusted, so none is loaded: the system's roots are not needed, and
        // loading them fails where /etc/ssl/certs does not exist (a minimal server without ca-certificates).
        configuration.trustRoots = .certificates([])
        tls = try NIOSSLContext(configuration: configuration)
    }

    // MARK: Running

    /// Binds the listener (HOST:PORT; port 0 picks a free one) and starts dialing the pinned peers.
    public func start(listen: String?) async throws {
        try await refresh()
        guard let listen else { return }
        let (host, port) = try Self.split(listen)
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try self.configure(channel, handler: NIOSSLServerHandler(context: self.tls, customVerificationCallback: self.verifyAny(channel)))
                }
            }
        self.server = server
        let bound = server.channel.localAddress
        listeningAddress = "\(host):\(bound?.port ?? port)"
        logger.info("listening for peers", metadata: ["address": "\(listeningAddress ?? "")"])
        listenerTask = Task {
            try? await server.executeThenClose { inbound in
                await withDiscardingTaskGroup { group in
                    do {
                        for try await connection in inbound {
                            group.addTask { await self.serve(connection, expected: nil) }
                        }
                    } catch {
                        self.logger.warning("peer listener stopped", metadata: ["why": "\(error)"])
                    }
                }
            }
        }
    }

    /// Stops listening and dialing, and closes every session.
    public func stop() async {
        try? await server?.channel.close()
        listenerTask?.cancel()
        for task in dialers.values { task.cancel() }
        dialers = [:]
        for session in sessions.values { await session.shutdown() }
        await listenerTask?.value
    }

    /// Reads the peers table again: new peers are dialed, removed ones are dropped and no longer let in.
    public func refresh() async throws {
        let peers = try await store.peers()
        pins.set(peers)
        let names = Set(peers.map(\.name))
        for (name, task) in dialers where !names.contains(name) {
            task.cancel()
            dialers[name] = nil
        }
        for (office, session) in sessions where pins.name(of: office) == nil {
            await session.shutdown()
            sessions[office] = nil
        }
        for peer in peers where dialers[peer.name] == nil {
            dialers[peer.name] = Task { await self.dial(peer) }
        }
    }

    /// Each pinned peer's row, whether it is connected, and what its connections moved.
    public func status() async throws -> [Status] {
        try await store.peers().map { peer in
            Status(peer: peer, connected: sessions[peer.office] != nil, traffic: traffic[peer.office]?.current ?? PeerTraffic())
        }
    }

    /// A round with one peer (by name) or all: connect if need be, send what it lacks, take what it has.
    public func syncNow(peer name: String?, timeout: Duration = .seconds(60)) async throws -> [RoundReport] {
        let peers = try await store.peers().filter { name == nil || $0.name == name }
        if let name, peers.isEmpty { throw PeerError.unknownPeer(name) }
        var reports: [RoundReport] = []
        for peer in peers {
            do {
                let session = try await connectedSession(peer, timeout: .seconds(10))
                reports.append(RoundReport(peer: peer.name, traffic: try await session.round(timeout: timeout), error: nil))
            } catch {
                reports.append(RoundReport(peer: peer.name, traffic: PeerTraffic(), error: "\(error)"))
            }
        }
        return reports
    }

    /// The open session with `peer`; if there is none, dials at once (instead of waiting out the backoff) and
    /// waits for one. A session that is closing (replaced, or its connection gone) does not count.
    private func connectedSession(_ peer: Peer, timeout: Duration) async throws -> PeerSession {
        let end = ContinuousClock.now + timeout
        if sessions[peer.office] == nil {
            dialers[peer.name]?.cancel()
            dialers[peer.name] = Task { await self.dial(peer) }
        }
        while ContinuousClock.now < end {
            if let session = sessions[peer.office], await !session.isClosing { return session }
            try await Task.sleep(for: .milliseconds(20))
        }
        let error = try await store.peers().first { $0.name == peer.name }?.lastError
        throw PeerError.timeout("could not reach \(peer.name) at \(peer.address)" + (error.map { ": \($0)" } ?? ""))
    }

    // MARK: Connections

    /// Keeps a connection to `peer` open: dial, serve, and after a failure wait 1, 2, 4 ... 60 s and try again.
    private func dial(_ peer: Peer) async {
        var backoff = Duration.seconds(1)
        while !Task.isCancelled {
            if sessions[peer.office] == nil {
                let offered = OfferedKey()
                do {
                    let (host, port) = try Self.split(peer.address)
                    let channel = try await ClientBootstrap(group: group)
                        .connectTimeout(.seconds(10))
                        .connect(host: host, port: port) { channel in
                            channel.eventLoop.makeCompletedFuture {
                                try self.configure(
                                    channel,
                                    handler: try NIOSSLClientHandler(
                                        context: self.tls, serverHostname: nil,
                                        customVerificationCallback: self.verify(expected: peer, offered: offered, channel)))
                            }
                        }
                    backoff = .seconds(1)
                    await serve(channel, expected: peer, offered: offered)
                } catch {
                    logger.notice("cannot reach peer", metadata: ["peer": "\(peer.name)", "why": "\(PeerError.describe(error))"])
                    let why = offered.refusal(of: peer) ?? "cannot connect: \(PeerError.describe(error))"
                    try? await store.notePeer(office: peer.office, error: .some(why))
                }
            }
            try? await Task.sleep(for: backoff)
            // At most a few seconds between dials: a healed link carries data again soon after, and a dial of an
            // office that is away costs one packet.
            backoff = min(backoff * 2, .seconds(8))
        }
    }

    /// A connection: TLS, then frames; with a future for the end of its handshake.
    struct Connection: Sendable {
        let channel: NIOAsyncChannel<PeerMessage, ByteBuffer>
        let handshake: EventLoopFuture<Void>
    }

    private nonisolated func configure(_ channel: any Channel, handler: any ChannelHandler) throws -> Connection {
        let operations = channel.pipeline.syncOperations
        let watcher = HandshakeWatcher(eventLoop: channel.eventLoop)
        try operations.addHandler(handler)
        try operations.addHandler(watcher)
        try operations.addHandler(ByteToMessageHandler(PeerFrameDecoder()))
        // At most 8 frames wait to be handled: a frame can be an import's change set of a megabyte or more.
        let wrapped = try NIOAsyncChannel<PeerMessage, ByteBuffer>(
            wrappingChannelSynchronously: channel,
            configuration: .init(backPressureStrategy: .init(lowWatermark: 2, highWatermark: 8)))
        return Connection(channel: wrapped, handshake: watcher.completed.futureResult)
    }

    /// Accepts a client whose key hashes to any pinned office; logs the id of one that does not.
    private nonisolated func verifyAny(_ channel: any Channel) -> NIOSSLCustomVerificationCallback {
        { [pins, logger] chain, promise in
            let office = chain.first.flatMap(PeerIdentity.office(of:))
            if let office, pins.name(of: office) != nil {
                promise.succeed(.certificateVerified)
            } else {
                logger.warning(
                    "refused a peer that is not pinned",
                    metadata: ["office": "\(office ?? "(not an Ed25519 key)")", "from": "\(channel.remoteAddress.map { "\($0)" } ?? "?")"])
                promise.succeed(.failed)
            }
        }
    }

    /// Accepts the server only if its key hashes to the office pinned for this peer.
    private nonisolated func verify(expected peer: Peer, offered: OfferedKey, _ channel: any Channel)
        -> NIOSSLCustomVerificationCallback
    {
        { [logger] chain, promise in
            let office = chain.first.flatMap(PeerIdentity.office(of:))
            if office == peer.office {
                promise.succeed(.certificateVerified)
            } else {
                logger.warning(
                    "refused a peer whose key is not the pinned one",
                    metadata: ["peer": "\(peer.name)", "pinned": "\(peer.office)", "offered": "\(office ?? "(not Ed25519)")"])
                offered.office.withLock { $0 = office ?? "(not Ed25519)" }
                promise.succeed(.failed)
            }
        }
    }

    /// Runs a verified connection as a session until it ends.
    private func serve(_ established: Connection, expected: Peer?, offered: OfferedKey? = nil) async {
        let connection = established.channel
        var started: PeerSession?
        do {
            try await connection.executeThenClose { inbound, outbound in
                try await established.handshake.get()
                guard let certificate = try await connection.channel.nioSSL_peerCertificate().get(),
                    let office = PeerIdentity.office(of: certificate), let key = PeerIdentity.rawKey(of: certificate),
                    let name = pins.name(of: office)
                else { throw PeerError.refused("no pinned certificate after the handshake") }
                try await admitIfNew(office: office, key: key, name: name)
                let counter = traffic[office] ?? TrafficCounter()
                traffic[office] = counter
                let channel = connection.channel
                let session = PeerSession(
                    store: store, office: office, name: name, dialed: expected != nil, outbound: outbound,
                    close: { channel.close(promise: nil) }, writeLast: { try await channel.writeAndFlush($0).get() },
                    traffic: counter, logger: logger, pollInterval: pollInterval)
                started = session
                guard await register(session) else { return }
                defer { unregister(session) }
                logger.info("peer connected", metadata: ["peer": "\(name)", "office": "\(office.prefix(12))"])
                try await session.run(inbound: inbound)
            }
        } catch PeerError.duplicate {
            logger.info("peer connection closed as a duplicate", metadata: ["peer": "\(expected?.name ?? "inbound")", "why": "\(PeerError.duplicate)"])
        } catch {
            var why = PeerError.describe(error)
            if let expected, let refusal = offered?.refusal(of: expected) {
                why = refusal
            } else if let started, expected != nil, await !started.heardHello {
                why = await started.closedReason().description
            }
            logger.notice("peer connection ended", metadata: ["peer": "\(expected?.name ?? "inbound")", "why": "\(why)"])
            if let expected { try? await store.notePeer(office: expected.office, error: .some(why)) }
        }
    }

    /// Pinning a peer is trusting it: its office joins the offices table (with the key from its certificate)
    /// if it is not there yet, so its change sets apply.
    private func admitIfNew(office: String, key: Data, name: String) async throws {
        let known = try await store.offices().contains { $0.id == office }
        if !known {
            // The nickname stays in the peers table: the office record is synced, and its name is the office's own.
            _ = try await store.addOffice(id: office, publicKey: key.base64EncodedString(), name: nil, user: "peer \(name)")
        }
    }

    /// Keeps one session per office. When both sides dialed at once, both keep the connection dialed by the
    /// office with the smaller id, so they close the same one.
    ///
    /// A session that replaces another starts once that one has ended: the change sets the old connection
    /// brought are applied as it ends, and the new hello must count them, or the peer sends them again.
    private func register(_ session: PeerSession) async -> Bool {
        while let existing = sessions[session.office] {
            let keepDialedBy = min(store.office.id, session.office)
            let newDialer = session.dialed ? store.office.id : session.office
            guard newDialer == keepDialedBy else {
                await session.closeAsDuplicate()
                return false
            }
            await existing.shutdown()
            await existing.ended()
            if sessions[session.office] === existing { sessions[session.office] = nil }
        }
        sessions[session.office] = session
        return true
    }

    private func unregister(_ session: PeerSession) {
        if sessions[session.office] === session { sessions[session.office] = nil }
    }

    static func split(_ address: String) throws -> (String, Int) {
        guard let (host, port) = PeerAddress.split(address) else { throw PeerError.refused("\(address) is not HOST:PORT") }
        return (host, port)
    }
}
