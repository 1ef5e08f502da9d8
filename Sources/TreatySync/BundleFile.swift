import Crypto
import Foundation
import TreatyModel

/// A bundle file: change sets for an office with no network, carried by hand.
///
/// Layout: the 8 bytes `TREATYB\n`; a 32-bit big-endian length and that many bytes of a JSON
/// ``Header``; then a zlib stream whose inflated bytes are frames, each a 32-bit length and one
/// ``ChangeSetEnvelope`` exactly as its origin signed it. The header names the format, the highest record
/// schema of the change sets inside, the origins and sequence ranges inside, both sizes and the SHA-256 of the
/// compressed bytes; every one is checked against the content, so a damaged, truncated or altered file is refused
/// before anything in it is used. Reading holds one change set at a time, whatever the bundle's size.
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

    /// Writes change sets (as their origins signed them) into a bundle. The header's schema is the highest record
    /// schema among them (`schema`, the exporting office's, when there are none).
    public static func write(_ envelopes: [ChangeSetEnvelope], schema: Int, level: Int32 = 6) -> Data {
        var frames = ByteWriter()
        for envelope in envelopes { frames.field(envelope.encoded) }
        let body = Zlib.deflate(frames.data, level: level)
        let header = Header(
            format: formatVersion, schema: envelopes.map { Int($0.schemaVersion) }.max() ?? schema,
            changeSets: envelopes.count, origins: ranges(of: envelopes), compressedBytes: body.count,
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

    /// Reads only the header, checking the magic, the format and that the JSON is strict (no member named twice).
    public static func header(of data: Data) throws(SyncError) -> (Header, body: Data) {
        var reader = ByteReader(data)
        guard data.count >= magic.count, try reader.bytes(magic.count) == magic else {
            throw .malformed("not a Treaty bundle (the file does not start with TREATYB)")
        }
        let json = try reader.field(limit: 1 << 20)
        let header: Header
        do {
            _ = try JSONCodec.decode(json)
            header = try JSONDecoder().decode(Header.self, from: json)
        } catch let error as JSONCodecError {
            throw .malformed("the header is not valid JSON: \(error)")
        } catch let error as DecodingError {
            throw .malformed("the header is not of the bundle format: \(Self.explain(error))")
        } catch {
            throw .malformed("the header is not of the bundle format")
        }
        guard header.format == formatVersion else { throw .unsupportedFormat(header.format) }
        guard header.schema >= 1 else { throw .headerMismatch("record schema \(header.schema); schemas start at 1") }
        guard header.changeSets >= 0, header.compressedBytes >= 0 else {
            throw .headerMismatch("negative counts (\(header.changeSets) change sets, \(header.compressedBytes) bytes)")
        }
        return (header, try reader.bytes(reader.remaining))
    }

    /// What a decoding error says, in words (its debug description is for programmers).
    private static func explain(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): return "the field \"\(key.stringValue)\" is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? "it is not an object" : "the field \"\(path)\" has the wrong type"
        @unknown default: return "it does not decode"
        }
    }

    /// Reads and checks a whole bundle: header, size, checksum, inflated size, every frame, every
    /// signature, and that the change sets inside are those the header lists. Throws on the first problem;
    /// nothing is returned from a bundle with any. Holds every change set in memory: ``check(_:inflateLimit:)``
    /// does not.
    public static func read(_ data: Data, inflateLimit: Int = defaultInflateLimit) throws(SyncError)
        -> (header: Header, envelopes: [ChangeSetEnvelope])
    {
        let checked = try check(data, inflateLimit: inflateLimit)
        var envelopes: [ChangeSetEnvelope] = []
        try checked.forEach { envelopes.append($0) }
        return (checked.header, envelopes)
    }

    /// Checks a whole bundle as ``read(_:inflateLimit:)`` does, holding one change set at a time: what it returns
    /// hands the change sets out again, one at a time, without checking their signatures twice.
    public static func check(_ data: Data, inflateLimit: Int = defaultInflateLimit) throws(SyncError) -> CheckedBundle {
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
        var ranges = RangeCounter()
        var highestSchema: UInt32 = 0
        let inflated = try frames(of: body, limit: header.uncompressedBytes) { frame throws(SyncError) in
            let envelope = try ChangeSetEnvelope(decoding: frame)
            ranges.add(envelope)
            highestSchema = max(highestSchema, envelope.schemaVersion)
        }
        guard inflated == header.uncompressedBytes else {
            throw .headerMismatch("\(inflated) bytes inflated where the header says \(header.uncompressedBytes)")
        }
        guard ranges.count == header.changeSets else {
            throw .headerMismatch("\(ranges.count) change sets where the header says \(header.changeSets)")
        }
        guard ranges.sorted == header.origins else {
            throw .headerMismatch("the origins and sequence ranges listed are not those of the change sets inside")
        }
        guard ranges.count == 0 || Int(highestSchema) == header.schema else {
            throw .headerMismatch(
                "the header says record schema \(header.schema); the change sets inside are of schema \(highestSchema) at most")
        }
        return CheckedBundle(header: header, body: body)
    }

    /// A bundle that passed ``check(_:inflateLimit:)``.
    public struct CheckedBundle: Sendable {
        public let header: Header
        let body: Data

        /// Hands out the change sets in the bundle's order, one at a time (inflating the bundle again).
        public func forEach(_ body: (ChangeSetEnvelope) throws(SyncError) -> Void) throws(SyncError) {
            _ = try BundleFile.frames(of: self.body, limit: header.uncompressedBytes) { frame throws(SyncError) in
                try body(try ChangeSetEnvelope(trusted: frame))
            }
        }

        /// Like ``forEach(_:)``, for a body that throws anything: its error comes back as it was thrown.
        public func forEach(_ body: (ChangeSetEnvelope) throws -> Void) throws {
            var failure: (any Error)?
            try forEach { (envelope: ChangeSetEnvelope) throws(SyncError) in
                guard failure == nil else { return }
                do { try body(envelope) } catch { failure = error }
            }
            if let failure { throw failure }
        }
    }

    /// Inflates `body` and hands each length-prefixed frame to `consume` as soon as it is whole; returns how
    /// many bytes were inflated.
    static func frames(of body: Data, limit: Int, _ consume: (Data) throws(SyncError) -> Void) throws(SyncError) -> Int {
        var pending = Data()
        var inflated = 0
        try Zlib.inflate(body, limit: limit) { piece throws(SyncError) in
            inflated += piece.count
            pending.append(piece)
            var reader = ByteReader(pending)
            while reader.remaining >= 4 {
                var peek = reader
                let length = Int(try peek.u32())
                guard length <= ChangeSetEnvelope.maximumSize else {
                    throw .malformed("a field of \(length) bytes is over the limit of \(ChangeSetEnvelope.maximumSize)")
                }
                guard peek.remaining >= length else { break }
                try consume(try peek.bytes(length))
                reader = peek
            }
            // Keep only the unfinished frame; while none was finished, keep appending (no copy per piece).
            if reader.remaining < pending.count { pending = Data(pending.suffix(reader.remaining)) }
        }
        guard pending.isEmpty else { throw .malformed("truncated: a frame is cut off at the end of the bundle") }
        return inflated
    }

    /// Each origin's first and last sequence number and count, sorted by origin.
    static func ranges(of envelopes: [ChangeSetEnvelope]) -> [Header.Range] {
        var counter = RangeCounter()
        for envelope in envelopes { counter.add(envelope) }
        return counter.sorted
    }

    /// Each origin's sequence range, counted one change set at a time.
    struct RangeCounter {
        private var ranges: [String: Header.Range] = [:]
        private(set) var count = 0

        mutating func add(_ envelope: ChangeSetEnvelope) {
            count += 1
            var range = ranges[envelope.origin] ?? .init(office: envelope.origin, first: envelope.seq, last: envelope.seq, count: 0)
            range.first = min(range.first, envelope.seq)
            range.last = max(range.last, envelope.seq)
            range.count += 1
            ranges[envelope.origin] = range
        }

        var sorted: [Header.Range] { ranges.values.sorted { $0.office < $1.office } }
    }
}
