import Crypto
import Foundation

/// A bundle file: change sets for an office with no network, carried by hand.
///
/// Layout: the 8 bytes `TREATYB\n`; a 32-bit big-endian length and that many bytes of a JSON
/// ``Header``; then a zlib stream whose inflated bytes are frames, each a 32-bit length and one
/// ``ChangeSetEnvelope`` exactly as its origin signed it. The header names the format, the schema of the
/// exporting office, the origins and sequence ranges inside, both sizes and the SHA-256 of the compressed
/// bytes, so a damaged, truncated or altered file is refused before anything in it is used.
public enum BundleFile {
    public static let formatVersion = 1
    static let magic = Data("TREATYB\n".utf8)
    /// The default cap on a bundle's inflated size (bytes).
    public static let defaultInflateLimit = 1 << 30

    /// What a bundle says about itself.
    public struct Header: Codable, Sendable, Equatable {
        public struct Range: Codable, Sendable, Equatable {
            public var office: String
            public var first: UInt64
            public var last: UInt64
            public var count: Int
        }

        public var format: Int
        public var schema: Int
        public var changeSets: Int
        public var origins: [Range]
        public var compressedBytes: Int
        public var uncompressedBytes: Int
        public var sha256: String

        enum CodingKeys: String, CodingKey {
            case format, schema, origins, sha256
            case changeSets = "change_sets"
            case compressedBytes = "compressed_bytes"
            case uncompressedBytes = "uncompressed_bytes"
        }
    }

    /// Writes change sets (as their origins signed them) into a bundle.
    public static func write(_ envelopes: [ChangeSetEnvelope], schema: Int, level: Int32 = 6) -> Data {
        var frames = ByteWriter()
        for envelope in envelopes { frames.field(envelope.encoded) }
        let body = Zlib.deflate(frames.data, level: level)
        let header = Header(
            format: formatVersion, schema: schema, changeSets: envelopes.count,
            origins: ranges(of: envelopes), compressedBytes: body.count,
            uncompressedBytes: frames.data.count, sha256: Data(SHA256.hash(data: body)).hex)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = (try? encoder.encode(header)) ?? Data()
        var out = ByteWriter()
        out.raw(magic)
        out.field(json)
        out.raw(body)
        return out.data
    }

    /// Reads only the header, checking the magic and the format.
    public static func header(of data: Data) throws(SyncError) -> (Header, body: Data) {
        var reader = ByteReader(data)
        guard data.count >= magic.count, try reader.bytes(magic.count) == magic else {
            throw .malformed("not a Treaty bundle (the file does not start with TREATYB)")
        }
        let json = try reader.field(limit: 1 << 20)
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: json)
        } catch {
            throw .malformed("the header is not valid JSON of the bundle format: \(error)")
        }
        guard header.format == formatVersion else { throw .unsupportedFormat(header.format) }
        return (header, try reader.bytes(reader.remaining))
    }

    /// Reads and checks a whole bundle: header, size, checksum, inflated size, every frame, every
    /// signature, and that the change sets inside are those the header lists. Throws on the first problem;
    /// nothing is returned from a bundle with any.
    public static func read(_ data: Data, inflateLimit: Int = defaultInflateLimit) throws(SyncError)
        -> (header: Header, envelopes: [ChangeSetEnvelope])
    {
        let (header, body) = try header(of: data)
        guard body.count == header.compressedBytes else {
            throw body.count < header.compressedBytes
                ? .malformed("truncated: \(body.count) of \(header.compressedBytes) compressed bytes present")
                : .headerMismatch("\(body.count) compressed bytes where the header says \(header.compressedBytes)")
        }
        let digest = Data(SHA256.hash(data: body)).hex
        guard digest == header.sha256 else { throw .checksum(expected: header.sha256, actual: digest) }
        guard header.uncompressedBytes >= 0, header.uncompressedBytes <= inflateLimit else {
            throw .tooLarge("the header claims \(header.uncompressedBytes) bytes inflated; the limit is \(inflateLimit)")
        }
        let frames = try Zlib.inflate(body, limit: header.uncompressedBytes)
        guard frames.count == header.uncompressedBytes else {
            throw .headerMismatch("\(frames.count) bytes inflated where the header says \(header.uncompressedBytes)")
        }
        var reader = ByteReader(frames)
        var envelopes: [ChangeSetEnvelope] = []
        while reader.remaining > 0 {
            envelopes.append(try ChangeSetEnvelope(decoding: try reader.field(limit: ChangeSetEnvelope.maximumSize)))
        }
        guard envelopes.count == header.changeSets else {
            throw .headerMismatch("\(envelopes.count) change sets where the header says \(header.changeSets)")
        }
        guard ranges(of: envelopes) == header.origins else {
            throw .headerMismatch("the origins and sequence ranges listed are not those of the change sets inside")
        }
        return (header, envelopes)
    }

    /// Each origin's first and last sequence number and count, sorted by origin.
    static func ranges(of envelopes: [ChangeSetEnvelope]) -> [Header.Range] {
        var ranges: [String: Header.Range] = [:]
        for envelope in envelopes {
            var range = ranges[envelope.origin] ?? .init(office: envelope.origin, first: envelope.seq, last: envelope.seq, count: 0)
            range.first = min(range.first, envelope.seq)
            range.last = max(range.last, envelope.seq)
            range.count += 1
            ranges[envelope.origin] = range
        }
        return ranges.values.sorted { $0.office < $1.office }
    }
}
