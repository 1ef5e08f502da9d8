import Foundation
import Logging
import NIOCore
import Synchronization
import TreatyModel
import TreatyProtocol

/// Serves one client: lines in, answers out, in order. Lines are answered one after another (a client that
/// pipelines a write and then a read sees its write); clients are served concurrently with each other.
///
/// Output that a client does not read is counted; past the cap the client is dropped, and nobody else waits
/// for it.
final class ConnectionHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = LineFrame

    private let session: Session
    private let worker: ConnectionWorker
    private let onClose: @Sendable () -> Void
    private let maxLineBytes: Int
    private let backlog: Backlog

    init(
        channel: Channel, dispatcher: Dispatcher, session: Session, writer: LineWriter, maxLineBytes: Int,
        onClose: @escaping @Sendable () -> Void
    ) {
        self.maxLineBytes = maxLineBytes
        self.session = session
        self.onClose = onClose
        backlog = Backlog(channel: channel)
        worker = ConnectionWorker(
            eventLoop: channel.eventLoop, dispatcher: dispatcher, session: session, writer: writer, backlog: backlog)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .line(let buffer):
            let line = Data(buffer.readableBytesView)
            backlog.added()
            // The worker runs on this event loop: the line goes straight to it, with no hop to another thread.
            worker.assumeIsolated { $0.received(line) }
        case .tooLong:
            // One error, then close: the rest of the line cannot be framed.
            worker.assumeIsolated { $0.finish() }
            let error = RPCError.application(
                .lineTooLong, "a line may be at most \(maxLineBytes) bytes; closing the connection",
                details: ["limit": .int(Int64(maxLineBytes))])
            let answer = RPCResponse(id: .null, outcome: .failure(error)).json
            var out = context.channel.allocator.buffer(capacity: 256)
            out.writeBytes(JSONCodec.encode(answer))
            out.writeInteger(UInt8(ascii: "\n"))
            context.writeAndFlush(NIOAny(out), promise: nil)
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        worker.assumeIsolated { $0.finish() }
        session.close()
        onClose()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}

/// Answers a connection's lines in order, on the connection's own event loop: the answer is written from
/// the loop's thread, and only the database work leaves it. (Each thread hop costs a wake-up.)
actor ConnectionWorker {
    private let eventLoop: EventLoop
    private let dispatcher: Dispatcher
    private let session: Session
    private let writer: LineWriter
    private let backlog: Backlog

    init(eventLoop: EventLoop, dispatcher: Dispatcher, session: Session, writer: LineWriter, backlog: Backlog) {
        self.eventLoop = eventLoop
        self.dispatcher = dispatcher
        self.session = session
        self.writer = writer
        self.backlog = backlog
    }

    /// Lines read and not yet answered (the backlog bounds them), oldest first.
    private var waiting = CircularBuffer<Data>()
    private var serving = false
    private var finished = false

    nonisolated var unownedExecutor: UnownedSerialExecutor { eventLoop.executor.asUnownedSerialExecutor() }

    /// Queues a line; starts answering unless a line is being answered now.
    func received(_ line: Data) {
        guard !finished else { return }
        waiting.append(line)
        guard !serving else { return }
        serving = true
        Task { await self.serve() }
    }

    /// No more lines will be taken; those queued are still answered (as a write sent just before a close is).
    func finish() {
        finished = true
    }

    private func serve() async {
        while let line = waiting.popFirst() {
            if let answer = await dispatcher.answer(line, session: session) {
                await writer.answer(answer)
            }
            session.replied()
            backlog.answered()
        }
        serving = false
    }
}

/// Lines read but not yet answered. Past ``limit`` the connection stops reading from its socket (the kernel's
/// buffer then pushes back on the client) until the worker catches up, so a client that floods requests,
/// notifications included, cannot make the daemon's memory grow.
final class Backlog: Sendable {
    static let limit = 1024
    private let channel: Channel
    private let waiting = Atomic<Int>(0)

    init(channel: Channel) {
        self.channel = channel
    }

    func added() {
        if waiting.add(1, ordering: .relaxed).newValue == Self.limit {
            channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in }
        }
    }

    func answered() {
        if waiting.subtract(1, ordering: .relaxed).newValue == Self.limit / 2 {
            channel.setOption(ChannelOptions.autoRead, value: true).whenComplete { _ in }
        }
    }
}

/// Writes lines to a channel from any task.
///
/// Answers are owed: while more than `cap` bytes wait unread, the connection's worker waits for the client to read
/// before it answers the next request, so a client that pipelines requests behind a large answer gets every
/// answer, in order. A client that takes nothing for ``stallLimit`` while more than `cap` bytes wait is not
/// reading: it is dropped. Notifications are not owed: a client that lets more than `cap` bytes of them pile up is
/// dropped at once.
final class LineWriter: Sendable {
    private let channel: Channel
    private let cap: Int
    /// Bytes written and not yet taken by the socket, and of those, bytes of answers.
    private let pending = Atomic<Int>(0)
    private let answering = Atomic<Int>(0)
    private let dropped = Atomic<Bool>(false)
    private let onDrop: @Sendable () -> Void

    init(channel: Channel, cap: Int, onDrop: @escaping @Sendable () -> Void) {
        self.channel = channel
        self.cap = cap
        self.onDrop = onDrop
    }

    /// How long a client may leave more than the cap unread before it is taken as not reading.
    static let stallLimit = TimeAmount.seconds(10)

    /// Writes an answer, and returns once the client has room for more (or has been dropped for not reading).
    func answer(_ value: JSONValue) async {
        guard !dropped.load(ordering: .relaxed) else { return }
        let (write, _) = self.write(value, answer: true)
        guard pending.load(ordering: .relaxed) > cap else { return }
        let stall = channel.eventLoop.scheduleTask(in: Self.stallLimit) { self.drop() }
        try? await write.get()
        stall.cancel()
    }

    /// Sends a notification, or drops the client when more than `cap` bytes of them would wait unread (one larger
    /// than the cap still goes to a client that owes no other).
    func send(_ value: JSONValue) {
        guard !dropped.load(ordering: .relaxed) else { return }
        let owed = pending.load(ordering: .relaxed) - answering.load(ordering: .relaxed)
        let (_, size) = write(value) { size in owed + size > self.cap && owed > 0 }
        if size == 0 { drop() }
    }

    private func drop() {
        guard !dropped.exchange(true, ordering: .relaxed) else { return }
        onDrop()
        channel.close(promise: nil)
    }

    /// Writes one line unless `refuse` says no to its size; returns the write and its size (0 when refused). An
    /// answer's bytes are counted as an answer's before they count as pending, so a notification never takes them
    /// for unread notifications.
    @discardableResult
    private func write(_ value: JSONValue, answer: Bool = false, refuse: (Int) -> Bool = { _ in false })
        -> (EventLoopFuture<Void>, Int)
    {
        var data = JSONCodec.bytes(value)
        data.append(0x0A)
        let size = data.count
        guard !refuse(size) else { return (channel.eventLoop.makeSucceededVoidFuture(), 0) }
        if answer { answering.add(size, ordering: .relaxed) }
        pending.add(size, ordering: .relaxed)
        let write = channel.writeAndFlush(channel.allocator.buffer(bytes: data))
        write.whenComplete { _ in
            self.pending.subtract(size, ordering: .relaxed)
            if answer { self.answering.subtract(size, ordering: .relaxed) }
        }
        return (write, size)
    }
}
