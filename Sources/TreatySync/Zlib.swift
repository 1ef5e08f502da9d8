import CZlib
import Foundation

/// zlib streams (RFC 1950), with a hard cap on what inflating may produce.
public enum Zlib {
    /// Compresses `data` at `level` (1 fastest .. 9 smallest).
    public static func deflate(_ data: Data, level: Int32 = 6) -> Data {
        var stream = z_stream()
        guard treaty_deflate_init(&stream, level) == Z_OK else { return Data() }
        defer { deflateEnd(&stream) }
        var output = Data()
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        var input = data
        input.withUnsafeMutableBytes { (source: UnsafeMutableRawBufferPointer) in
            stream.next_in = source.baseAddress?.assumingMemoryBound(to: Bytef.self)
            stream.avail_in = uInt(source.count)
            var status = Z_OK
            while status == Z_OK {
                chunk.withUnsafeMutableBufferPointer { buffer in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = uInt(buffer.count)
                    status = CZlib.deflate(&stream, Z_FINISH)
                    output.append(buffer.baseAddress!, count: buffer.count - Int(stream.avail_out))
                }
            }
        }
        return output
    }

    /// Inflates `data`, refusing to produce more than `limit` bytes: a small file that inflates to
    /// gigabytes (a bomb) stops at the limit, having allocated at most that.
    public static func inflate(_ data: Data, limit: Int) throws(SyncError) -> Data {
        var output = Data()
        try inflate(data, limit: limit) { output.append($0) }
        return output
    }

    /// Inflates `data` a piece at a time, handing each piece (at most 64 KiB) to `consume` as it comes, so
    /// memory holds one piece, not the whole output; refuses to produce more than `limit` bytes in all.
    public static func inflate(_ data: Data, limit: Int, _ consume: (Data) throws(SyncError) -> Void) throws(SyncError) {
        var stream = z_stream()
        guard treaty_inflate_init(&stream) == Z_OK else { throw .malformed("cannot start zlib") }
        defer { inflateEnd(&stream) }
        var produced = 0
        var chunk = Data(count: 64 << 10)
        var input = data
        var failure: SyncError?
        input.withUnsafeMutableBytes { (source: UnsafeMutableRawBufferPointer) in
            stream.next_in = source.baseAddress?.assumingMemoryBound(to: Bytef.self)
            stream.avail_in = uInt(source.count)
            while true {
                var status: Int32 = Z_OK
                let capacity = chunk.count
                chunk.withUnsafeMutableBytes { buffer in
                    stream.next_out = buffer.baseAddress?.assumingMemoryBound(to: Bytef.self)
                    stream.avail_out = uInt(capacity)
                    status = CZlib.inflate(&stream, Z_NO_FLUSH)
                }
                let count = capacity - Int(stream.avail_out)
                produced += count
                if produced > limit {
                    failure = .tooLarge("compressed data inflates past \(limit) bytes (a decompression bomb, or a header that lies)")
                    return
                }
                if count > 0 {
                    do throws(SyncError) {
                        try consume(chunk.prefix(count))
                    } catch {
                        failure = error
                        return
                    }
                }
                if status == Z_STREAM_END {
                    if stream.avail_in != 0 { failure = .malformed("\(stream.avail_in) bytes after the end of the zlib stream") }
                    return
                }
                if status != Z_OK {
                    failure = .malformed(
                        status == Z_BUF_ERROR ? "the zlib stream is truncated" : "the zlib stream is corrupt (zlib error \(status))")
                    return
                }
            }
        }
        if let failure { throw failure }
    }
}
