import Foundation
import Logging
import NIOCore
import TreatyModel
import TreatyStore
import TreatySync

/// One established, verified connection with a peer office: both sides say hello with what they hold, then
/// each sends what the other lacks, page by page, and keeps pushing what it commits or receives later.
///
/// Memory does not grow with how far behind a peer is: the sender reads change sets a page at a time and
/// each write waits while the connection cannot take more; the receiver applies change sets in batches of at
/// most ``batchLimit`` and NIO stops reading the socket while its inbound buffer is full.
actor PeerSession {
    /// Change sets applied in one transaction at most.
    static let batchLimit = 256
    /// ...or this many bytes of change sets, whichever comes first (an import's change sets are up to a few MB).
    static let batchBytes = 8 << 20
    /// Change sets read from the database per page.
    static let pageSize = 128
    /// This side says something at least this often: a vector, when nothing else went out.
    static let heartbeat = Duration.seconds(2)
    /// A peer that promised heartbeats and was silent this many of them is taken as gone: the connection ends and
    /// the dialing side dials again. (TCP alone noticed a dead link after up to two minutes, and its
    /// retransmissions backed off to about a minute before a healed link carried data again.)
    static let silentHeartbeats = 3

    let store: TreatyStore
    let office: String
    let name: String
    /// True when this office opened the connection.
    let dialed: Bool
    let traffic: TrafficCounter
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private let close: @Sendable () -> Void
    /// Writes straight to the channel and waits until it is flushed: for a last word before closing.
    private let writeLast: @Sendable (ByteBuffer) async throws -> Void
    private let logger: Logger
    private let pollInterval: Duration

    /// What the peer holds, as it last said (nil until its hello).
    private var known: VersionVector?
    /// Per origin, the highest sequence number sent to it with nothing missing below it since `known`.
    private var sentUpTo: [String: UInt64] = [:]
    /// Received change sets (checked, not yet applied), and their size.
    private var pending: [Data] = []
    private var pendingBytes = 0
    /// A large change set arriving in pieces: the file they go to, and its size when whole.
    private var arriving: (spool: Spool, total: Int)?
    /// `sync now` rounds asked for and not yet answered by a send pass.
    private var roundsToSend: Set<String> = []
    private var rounds: [String: RoundProgress] = [:]
    private let wake: AsyncStream<Void>.Continuation
    private let wakes: AsyncStream<Void>
    /// True once `run` has returned, what it received applied.
    private var hasEnded = false
    /// True once the session was told to close or has ended: not one to start a round on.
    private(set) var isClosing = false
    private var endWaiters: [CheckedContinuation<Void, Never>] = []
    /// When this side last wrote a frame, and last heard one (or finished handling one).
    private var lastSent = ContinuousClock.now
    private var lastHeard = ContinuousClock.now
    /// True while a frame is being handled (applying a batch can take longer than a heartbeat).
    private var handling = false
    /// The peer's promised heartbeat, from its hello.
    private var peerHeartbeat: Duration?

    struct RoundProgress {
        var received = false
        var acknowledged = false
        var waiter: CheckedContinuation<Void, any Error>?
    }

    init(
        store: TreatyStore, office: String, name: String, dialed: Bool,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, close: @escaping @Sendable () -> Void,
        writeLast: @escaping @Sendable (ByteBuffer) async throws -> Void, traffic: TrafficCounter, logger: Logger,
        pollInterval: Duration
    ) {
        self.writeLast = writeLast
        self.store = store
        self.office = office
        self.name = name
        self.dialed = dialed
        self.outbound = outbound
        self.close = close
        self.traffic = traffic
        self.logger = logger
        self.pollInterval = pollInterval
        (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Says hello and serves the connection until it closes; then applies what arrived whole.
    func run(inbound: NIOAsyncChannelInboundStream<PeerMessage>) async throws {
        defer { end() }
        let vector = try await store.versionVector()
        try await send(
            .hello(
                .init(
                    protocol: PeerMessage.protocolVersion, office: store.office.id, schema: store.recordSchema,
                    vector: vector.entries, heartbeatSeconds: Int(Self.heartbeat.components.seconds))))
        let changes = store.changes.subscribe()
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await self.sendLoop() }
                group.addTask {
                    // Local commits and change sets arriving from other peers: push them on.
                    for await _ in changes { await self.nudge() }
                }
                group.addTask {
                    while true {
                        try await Task.sleep(for: self.pollInterval)
                        try await self.send(.vector(try await self.store.versionVector(), round: nil))
                    }
                }
                group.addTask {
                    while true {
                        try await Task.sleep(for: Self.heartbeat)
                        try await self.heartbeatIfQuiet()
                    }
                }
                group.addTask {
                    while true {
                        try await Task.sleep(for: .milliseconds(500))
                        try await self.checkSilence()
                    }
                }
                group.addTask {
                    for try await message in inbound { try await self.received(message) }
                    throw await self.closedReason()
                }
                defer { group.cancelAll() }
                try await group.next()
            }
        } catch {
            try? await applyPending(round: nil, acknowledge: false)
            finishRounds(with: error)
            throw error
        }
    }

    /// Sends the current vector when nothing went out for a heartbeat.
    private func heartbeatIfQuiet() async throws {
        guard ContinuousClock.now - lastSent >= Self.heartbeat else { return }
        try await send(.vector(try await store.versionVector(), round: nil))
    }

    /// Ends the session when a peer that promised heartbeats has been silent for several of them.
    private func checkSilence() throws {
        guard let peerHeartbeat, !handling else { return }
        let silence = ContinuousClock.now - lastHeard
        if silence > peerHeartbeat * Self.silentHeartbeats {
            throw PeerError.timeout(
                "heard nothing from \(name) for \(silence.components.seconds) s (it promised a frame every "
                    + "\(peerHeartbeat.components.seconds) s): the link is down or the peer is stuck; dialing again")
        }
    }

    private func received(_ message: PeerMessage) async throws {
        lastHeard = .now
        handling = true
        defer {
            handling = false
            lastHeard = .now
        }
        try await handle(message)
    }

    /// Why the connection ended when the peer closed it. Closing before its hello is how a TLS 1.3 server
    /// refuses a client certificate (the client's handshake has already completed by then).
    func closedReason() -> PeerError {
        known == nil
            ? .refused(
                "\(name) closed the connection before its hello: is this office pinned there? (give it the id "
                    + "`treaty identity` prints here)")
            : .closed("\(name) closed the connection")
    }

    /// True once the peer's hello arrived.
    var heardHello: Bool { known != nil }

    /// Asks for a send pass soon (passes coalesce).
    func nudge() {
        wake.yield()
    }

    /// A `sync now` round: both sides send what the other lacks; done when this side has applied what the peer
    /// sent and the peer has applied what this side sent.
    func round(timeout: Duration) async throws -> PeerTraffic {
        let before = traffic.current
        let id = RecordID.generate()
        rounds[id] = RoundProgress()
        roundsToSend.insert(id)
        try await send(.vector(try await store.versionVector(), round: id))
        wake.yield()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.wait(for: id) }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw PeerError.timeout("a sync round with \(self.name) did not finish in \(timeout)")
            }
            defer { group.cancelAll() }
            try await group.next()
        }
        rounds[id] = nil
        return traffic.current - before
    }

    private func wait(for id: String) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            guard var progress = rounds[id] else { return continuation.resume() }
            if progress.received, progress.acknowledged { return continuation.resume() }
            progress.waiter = continuation
            rounds[id] = progress
        }
    }

    private func advance(round id: String?, received: Bool = false, acknowledged: Bool = false) {
        guard let id, var progress = rounds[id] else { return }
        progress.received = progress.received || received
        progress.acknowledged = progress.acknowledged || acknowledged
        if progress.received, progress.acknowledged, let waiter = progress.waiter {
            progress.waiter = nil
            waiter.resume()
        }
        rounds[id] = progress
    }

    private func finishRounds(with error: any Error) {
        for (id, progress) in rounds {
            progress.waiter?.resume(throwing: error)
            rounds[id]?.waiter = nil
        }
    }

    // MARK: Receiving

    private func handle(_ message: PeerMessage) async throws {
        switch message {
        case .hello(let hello):
            guard hello.protocol == PeerMessage.protocolVersion else {
                await sendLast(.error(PeerError.protocolMismatch(hello.protocol).description))
                throw PeerError.protocolMismatch(hello.protocol)
            }
            guard hello.office == office else {
                throw PeerError.refused("the hello names office \(hello.office.prefix(12)), the key is \(office.prefix(12))'s")
            }
            known = VersionVector(hello.vector)
            peerHeartbeat = hello.heartbeatSeconds.map { .seconds(max(1, min($0, 3600))) }
            try await store.notePeer(office: office, seen: true, error: .some(nil), vector: known)
            wake.yield()
        case .changeSet(let bytes):
            guard arriving == nil else { throw PeerError.refused("\(name) sent a change set inside another one's pieces") }
            try await add(bytes)
        case .changeSetPiece(let total, let bytes):
            let spool = try arriving?.spool ?? Spool(directory: store.spoolDirectory)
            guard arriving.map({ $0.total == total }) ?? true, spool.count + bytes.count <= total else {
                throw PeerError.refused("\(name) sent pieces of a change set that do not add up to its \(total) bytes")
            }
            try spool.append(bytes)
            arriving = (spool, total)
            if spool.count == total {
                arriving = nil
                try await add(try spool.mapped())
            }
        case .vector(let vector, let round):
            // "This is what I hold": send what it lacks beyond what this connection has sent already (TCP
            // delivers in order, so what was sent arrives; what arrived but is not applied yet is on its way).
            known = (known ?? VersionVector()).merged(with: vector)
            if let round { roundsToSend.insert(round) }
            wake.yield()
        case .caughtUp(let vector, let round):
            known = (known ?? VersionVector()).merged(with: vector)
            try await applyPending(round: round, acknowledge: true)
            advance(round: round, received: true)
        case .ack(let vector, let round):
            known = (known ?? VersionVector()).merged(with: vector)
            try await store.notePeer(office: office, synced: true, vector: vector)
            advance(round: round, acknowledged: true)
        case .error(let why):
            if why == Self.duplicateWord { throw PeerError.duplicate }
            try? await store.notePeer(office: office, error: .some("the peer said: \(why)"))
            throw PeerError.refused("the peer said: \(why)")
        }
    }

    /// Keeps a change set that arrived whole, and applies the batch once it is full.
    private func add(_ bytes: Data) async throws {
        traffic.update { $0.received += 1 }
        pending.append(bytes)
        pendingBytes += bytes.count
        if pending.count >= Self.batchLimit || pendingBytes >= Self.batchBytes {
            try await applyPending(round: nil, acknowledge: true)
        }
    }

    /// Checks the signatures of what arrived and applies it in one transaction, then says what this office holds.
    private func applyPending(round: String?, acknowledge: Bool) async throws {
        let batch = pending
        pending = []
        pendingBytes = 0
        if !batch.isEmpty {
            let envelopes: [ChangeSetEnvelope]
            do {
                envelopes = try await LargeStack.perform { try batch.map { try ChangeSetEnvelope(decoding: $0) } }
            } catch {
                // A peer that sends a forged or damaged change set is cut off; nothing of the batch is applied.
                logger.warning("refused a change set from a peer", metadata: ["peer": "\(name)", "why": "\(error)"])
                await sendLast(.error("refused a change set: \(error)"))
                throw PeerError.refused("\(name) sent a change set that does not verify: \(error)")
            }
            // Applied even when the connection ends meanwhile and the session's tasks are cancelled: what arrived
            // whole is kept, so the peer does not send it again.
            let store = store
            let summary = try await Task.detached { try await store.receive(envelopes) }.value
            traffic.update {
                $0.applied += summary.applied
                $0.alreadyHad += summary.alreadyHad
            }
        }
        if acknowledge { try await send(.ack(try await store.versionVector(), round: round)) }
    }

    // MARK: Sending

    private func sendLoop() async throws {
        for await _ in wakes {
            guard let known else { continue }
            let rounds = roundsToSend
            roundsToSend = []
            try await sendPass(known: known)
            let vector = try await store.versionVector()
            if rounds.isEmpty {
                try await send(.caughtUp(vector, round: nil))
            } else {
                for round in rounds { try await send(.caughtUp(vector, round: round)) }
            }
        }
    }

    /// Sends every change set the peer lacks, oldest first, a page at a time.
    private func sendPass(known: VersionVector) async throws {
        var floor = known
        for (origin, seq) in sentUpTo where seq > floor[origin] { floor[origin] = seq }
        var cursor: ChangeSetCursor?
        repeat {
            let page = try await store.changeSets(missingFrom: floor, after: cursor, limit: Self.pageSize)
            for envelope in page.envelopes {
                let bytes = envelope.encoded
                if bytes.count <= ChangeSetEnvelope.inlineLimit {
                    try await send(.changeSet(bytes))
                } else {
                    // A change set from before they were bounded: in pieces, read from its mapping as they go.
                    var start = bytes.startIndex
                    while start < bytes.endIndex {
                        let end = min(start + PeerMessage.pieceSize, bytes.endIndex)
                        try await send(.changeSetPiece(total: bytes.count, bytes: bytes[start..<end]))
                        start = end
                    }
                }
                traffic.update { $0.sent += 1 }
                let reached = max(self.known?[envelope.origin] ?? 0, sentUpTo[envelope.origin] ?? 0)
                if envelope.seq == reached + 1 { sentUpTo[envelope.origin] = envelope.seq }
            }
            cursor = page.next
        } while cursor != nil
    }

    /// Sends a message that must arrive before the connection closes (an `error`).
    private func sendLast(_ message: PeerMessage) async {
        var buffer = ByteBuffer()
        message.encode(into: &buffer)
        try? await writeLast(buffer)
    }

    private func send(_ message: PeerMessage) async throws {
        var buffer = ByteBuffer()
        message.encode(into: &buffer)
        traffic.update { $0.bytesSent += buffer.readableBytes }
        lastSent = .now
        try await outbound.write(buffer)
    }
}

extension PeerSession {
    /// What a side says when it closes a connection because both offices dialed at once and it keeps the other.
    static let duplicateWord = "duplicate: both offices dialed at once; the other connection is kept"

    /// Closes a connection that duplicates one kept, saying so first (else the other side would take the close
    /// before a hello for a refusal).
    func closeAsDuplicate() async {
        isClosing = true
        await sendLast(.error(Self.duplicateWord))
        close()
    }

    /// Closes the connection; `run` then ends.
    func shutdown() {
        isClosing = true
        close()
    }

    /// Waits until `run` has returned: the change sets it received are applied by then.
    func ended() async {
        guard !hasEnded else { return }
        await withCheckedContinuation { endWaiters.append($0) }
    }

    private func end() {
        hasEnded = true
        isClosing = true
        for waiter in endWaiters { waiter.resume() }
        endWaiters = []
    }
}
