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

    private let dispatcher: Dispatcher
    private let session: Session
    private let lines: AsyncStream<Data>
    private let input: AsyncStream<Data>.Continuation
    private let onClose: @Sendable () -> Void
    private let maxLineBytes: Int
    private let backlog: Backlog

    init(
        channel: Channel, dispatcher: Dispatcher, session: Session, maxLineBytes: Int,
        onClose: @escaping @Sendable () -> Void
    ) {
        self.maxLineBytes = maxLineBytes
        self.dispatcher = dispatcher
        self.session = session
        self.onClose = onClose
        (lines, input) = AsyncStream.makeStream(of: Data.self)
        backlog = Backlog(channel: channel)
        let worker = ConnectionWorker(eventLoop: channel.eventLoop, dispatcher: dispatcher, session: session, backlog: backlog)
        let lines = self.lines
        Task { await worker.serve(lines) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .line(let buffer):
            input.yield(Data(buffer.readableBytesView))
            backlog.added()
        case .tooLong:
            // One error, then close: the rest of the line cannot be framed.
            input.finish()
            let error = RPCError.application(
                "line_too_long", "a line may be at most \(maxLineBytes) bytes; closing the connection",
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
        input.finish()
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
    private let backlog: Backlog

    init(eventLoop: EventLoop, dispatcher: Dispatcher, session: Session, backlog: Backlog) {
        self.eventLoop = eventLoop
        self.dispatcher = dispatcher
        self.session = session
        self.backlog = backlog
    }

    nonisolated var unownedExecutor: UnownedSerialExecutor { eventLoop.executor.asUnownedSerialExecutor() }

    func serve(_ lines: AsyncStream<Data>) async {
        for await line in lines {
            if let answer = await dispatcher.answer(line, session: session) {
                session.send(answer)
            }
            session.replied()
            backlog.answered()
        }
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

/// Writes lines to a channel from any task, dropping a client that lets more than `cap` bytes pile up.
final class LineWriter: Sendable {
    private let channel: Channel
    private let cap: Int
    private let pending = Atomic<Int>(0)
    private let dropped = Atomic<Bool>(false)
    private let onDrop: @Sendable () -> Void

    init(channel: Channel, cap: Int, onDrop: @escaping @Sendable () -> Void) {
        self.channel = channel
        self.cap = cap
        self.onDrop = onDrop
    }

    func send(_ value: JSONValue) {
        guard !dropped.load(ordering: .relaxed) else { return }
        var data = JSONCodec.encode(value)
        data.append(0x0A)
        let size = data.count
        let owed = pending.add(size, ordering: .relaxed).newValue
        // One answer larger than the cap (a bundle from sync.export) still goes to a client that owes nothing else;
        // a client that does not read is dropped at the next one.
        if owed > cap, owed > size {
            if !dropped.exchange(true, ordering: .relaxed) {
                onDrop()
                channel.close(promise: nil)
            }
            return
        }
        let buffer = channel.allocator.buffer(bytes: data)
        channel.writeAndFlush(buffer).whenComplete { _ in
            self.pending.subtract(size, ordering: .relaxed)
        }
    }
}
