import NIOCore

/// What the line decoder hands on: a line (without its `\n`, or `\r\n`), or the news that a line grew past
/// the limit, after which the connection is closed.
enum LineFrame {
    case line(ByteBuffer)
    case tooLong
}

/// Splits the byte stream at newlines, refusing lines longer than `maximumLength` bytes without buffering
/// them: once the limit is passed it reports `.tooLong` and drops whatever else arrives.
struct LineFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = LineFrame

    let maximumLength: Int
    /// How far the current buffer was already searched for a newline.
    private var scanned = 0
    private var failed = false

    init(maximumLength: Int) {
        self.maximumLength = maximumLength
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if failed {
            buffer.moveReaderIndex(to: buffer.writerIndex)
            return .needMoreData
        }
        let view = buffer.readableBytesView
        if let newline = view.dropFirst(scanned).firstIndex(of: UInt8(ascii: "\n")) {
            var length = newline - view.startIndex
            scanned = 0
            if length > maximumLength {
                failed = true
                context.fireChannelRead(wrapInboundOut(.tooLong))
                return .needMoreData
            }
            if length > 0, view[newline - 1] == UInt8(ascii: "\r") { length -= 1 }
            let line = buffer.getSlice(at: buffer.readerIndex, length: length)!
            buffer.moveReaderIndex(forwardBy: newline - view.startIndex + 1)
            context.fireChannelRead(wrapInboundOut(.line(line)))
            return .continue
        }
        scanned = view.count
        if scanned > maximumLength {
            failed = true
            context.fireChannelRead(wrapInboundOut(.tooLong))
        }
        return .needMoreData
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws
        -> DecodingState
    {
        while try decode(context: context, buffer: &buffer) == .continue {}
        // A last line without a newline still counts.
        if !failed, buffer.readableBytes > 0, let line = buffer.readSlice(length: buffer.readableBytes) {
            context.fireChannelRead(wrapInboundOut(.line(line)))
        }
        return .needMoreData
    }
}
