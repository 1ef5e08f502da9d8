import CZlib
import Foundation

/// zlib streams (RFC 1950), whole or a piece at a time, with a hard cap on what inflating may produce.
public enum Zlib {
    /// Compresses `data` at `level` (1 fastest .. 9 smallest).
    public static func deflate(_ data: Data, level: Int32 = 6) -> Data {
        var output = Data()
        guard let deflater = try? Deflater(level: level) else { return Data() }
        deflater.push(data) { output.append($0) }
        deflater.finish { output.append($0) }
        return output
    }

    /// Inflates `data`, refusing to produce more than `limit` bytes: a small file that inflates to
    /// gigabytes (a bomb) stops at the limit, having allocated at most that.
    public static func inflate(_ data: Data, limit: Int) throws(SyncError) -> Data {
        var output = Data()
        let inflater = try Inflater(limit: limit)
        try inflater.push(data) { output.append($0) }
        try inflater.finish()
        return output
    }
}

/// Size of the pieces the streams hand out.
private let pieceSize = 64 << 10

/// An inflating zlib stream fed a piece at a time.
public final class Inflater {
    private var stream = z_stream()
    private let limit: Int
    private var ended = false
    /// Bytes produced so far.
    public private(set) var produced = 0

    public init(limit: Int) throws(SyncError) {
        self.limit = limit
        guard treaty_inflate_init(&stream) == Z_OK else { throw .malformed("cannot start zlib") }
    }

    deinit {
        inflateEnd(&stream)
    }

    /// Inflates `input`, handing out what it produces as it comes.
    public func push(_ input: Data, _ consume: (Data) throws(SyncError) -> Void) throws(SyncError) {
        guard !input.isEmpty else { return }
        guard !ended else { throw .malformed("\(input.count) bytes after the end of the zlib stream") }
        var failure: SyncError?
        pump(&stream, input, { CZlib.inflate(&$0, Z_NO_FLUSH) }) { piece, status, left in
            produced += piece.count
            if produced > limit {
                failure = .tooLarge("compressed data inflates past \(limit) bytes (a decompression bomb, or a header that lies)")
                return false
            }
            if !piece.isEmpty {
                do throws(SyncError) {
                    try consume(piece)
                } catch {
                    failure = error
                    return false
                }
            }
            if status == Z_STREAM_END {
                ended = true
                if left != 0 { failure = .malformed("\(left) bytes after the end of the zlib stream") }
                return false
            }
            // Everything given is taken and nothing more comes out: wait for the next piece.
            if status == Z_BUF_ERROR || (status == Z_OK && left == 0 && piece.count < pieceSize) { return false }
            if status != Z_OK {
                failure = .malformed("the zlib stream is corrupt (zlib error \(status))")
                return false
            }
            return true
        }
        if let failure { throw failure }
    }

    /// Checks that the stream ended, exactly.
    public func finish() throws(SyncError) {
        guard ended else { throw .malformed("the zlib stream is truncated") }
    }
}

/// A deflating zlib stream fed a piece at a time.
public final class Deflater {
    private var stream = z_stream()

    public init(level: Int32 = 6) throws(SyncError) {
        guard treaty_deflate_init(&stream, level) == Z_OK else { throw .malformed("cannot start zlib") }
    }

    deinit {
        deflateEnd(&stream)
    }

    /// Compresses `input`, handing out what comes out.
    public func push(_ input: Data, _ consume: (Data) -> Void) {
        guard !input.isEmpty else { return }
        run(input, flush: Z_NO_FLUSH, consume)
    }

    /// Ends the stream, handing out the rest.
    public func finish(_ consume: (Data) -> Void) {
        run(Data(), flush: Z_FINISH, consume)
    }

    private func run(_ input: Data, flush: Int32, _ consume: (Data) -> Void) {
        pump(&stream, input, { CZlib.deflate(&$0, flush) }) { piece, status, left in
            if !piece.isEmpty { consume(piece) }
            if status == Z_STREAM_END || status < 0 { return false }
            // Without Z_FINISH, done once all input is taken and the output was not full.
            return !(flush == Z_NO_FLUSH && left == 0 && piece.count < pieceSize)
        }
    }
}

/// Feeds `input` to `stream` and runs `step` (inflate or deflate) into a piece of ``pieceSize`` bytes again and
/// again, handing `output` each piece with the step's status and the input left, while it answers true. The input
/// is read in place (zlib does not write to it): a slice of a mapped change set is not copied.
private func pump(
    _ stream: inout z_stream, _ input: Data, _ step: (inout z_stream) -> Int32,
    _ output: (_ piece: Data, _ status: Int32, _ left: uInt) -> Bool
) {
    var chunk = Data(count: pieceSize)
    input.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
        stream.next_in = UnsafeMutablePointer(mutating: bytes.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(bytes.count)
        while true {
            let status = chunk.withUnsafeMutableBytes { buffer in
                stream.next_out = buffer.baseAddress?.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(pieceSize)
                return step(&stream)
            }
            guard output(chunk.prefix(pieceSize - Int(stream.avail_out)), status, stream.avail_in) else { break }
        }
    }
    stream.next_in = nil
}
