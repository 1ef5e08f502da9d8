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
        return lead(header) + body
    }

    /// The bytes before the body: the magic and the header.
    static func lead(_ header: Header) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var out = ByteWriter()
        out.raw(magic)
        out.field((try? encoder.encode(header)) ?? Data())
        return out.data
    }

    /// Reads only the header, checking the magic, the format and that the JSON is strict (no member named twice).
    public static func header(of data: Data) throws(SyncError) -> (Header, body: Data) {
        let (header, offset) = try header(of: .data(data))
        return (header, data.dropFirst(offset))
    }

    /// Reads the header of a bundle from `source`, and where its body starts.
    static func header(of source: BundleSource) throws(SyncError) -> (Header, bodyOffset: Int) {
        let lead = try source.read(at: 0, count: magic.count + 4)
        guard lead.count == magic.count + 4, lead.prefix(magic.count) == magic else {
            throw .malformed("not a Treaty bundle (the file does not start with TREATYB)")
        }
        let length = lead.suffix(4).reduce(0) { $0 << 8 | Int($1) }
        guard length <= 1 << 20 else { throw .malformed("a header of \(length) bytes is over the limit of \(1 << 20)") }
        let json = try source.read(at: lead.count, count: length)
        guard json.count == length else { throw .malformed("truncated: the header is cut off") }
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
        return (header, lead.count + length)
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
        try check(.data(data), inflateLimit: inflateLimit)
    }

    /// Checks a bundle from `source` (a file is read a piece at a time: memory holds a piece and one change set,
    /// whatever the bundle's size).
    public static func check(
        _ source: BundleSource, inflateLimit: Int = defaultInflateLimit,
        spoolDirectory: String = FileManager.default.temporaryDirectory.path
    ) throws(SyncError) -> CheckedBundle {
        let (header, offset) = try header(of: source)
        let present = try source.count() - offset
        guard present == header.compressedBytes else {
            throw present < header.compressedBytes
                ? .malformed("truncated: \(present) of \(header.compressedBytes) compressed bytes present")
                : .headerMismatch("\(present) compressed bytes where the header says \(header.compressedBytes)")
        }
        var hash = SHA256()
        try source.pieces(from: offset) { hash.update(data: $0) }
        let digest = Data(hash.finalize()).hex
        guard digest == header.sha256 else { throw .checksum(expected: header.sha256, actual: digest) }
        guard header.uncompressedBytes >= 0, header.uncompressedBytes <= inflateLimit else {
            throw .tooLarge("the header claims \(header.uncompressedBytes) bytes inflated; the limit is \(inflateLimit)")
        }
        let bundle = CheckedBundle(header: header, source: source, bodyOffset: offset, spoolDirectory: spoolDirectory)
        var ranges = RangeCounter()
        var highestSchema: UInt32 = 0
        let inflated = try bundle.frames { frame throws(SyncError) in
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
        return bundle
    }

    /// A bundle that passed ``check(_:inflateLimit:)``.
    public struct CheckedBundle: Sendable {
        public let header: Header
        let source: BundleSource
        let bodyOffset: Int
        /// Where a change set over ``ChangeSetEnvelope/inlineLimit`` is spooled while it is read.
        let spoolDirectory: String

        /// Hands out the change sets in the bundle's order, one at a time (inflating the bundle again).
        public func forEach(_ body: (ChangeSetEnvelope) throws(SyncError) -> Void) throws(SyncError) {
            _ = try frames { frame throws(SyncError) in try body(try ChangeSetEnvelope(trusted: frame)) }
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

        /// Inflates the body and hands each length-prefixed frame to `consume` as soon as it is whole; returns how
        /// many bytes were inflated. A frame over ``ChangeSetEnvelope/inlineLimit`` is spooled to a file as it
        /// inflates and handed out mapped.
        func frames(_ consume: (Data) throws(SyncError) -> Void) throws(SyncError) -> Int {
            var pending = Data()
            var large: (spool: Spool, left: Int)?
            let inflater = try Inflater(limit: header.uncompressedBytes)
            try source.pieces(from: bodyOffset) { piece throws(SyncError) in
                try inflater.push(piece) { inflated throws(SyncError) in
                    var rest = inflated
                    while !rest.isEmpty {
                        if let (spool, left) = large.map({ ($0.spool, $0.left) }) {
                            let take = min(left, rest.count)
                            try spool.append(rest.prefix(take))
                            rest = rest.dropFirst(take)
                            large = left > take ? (spool, left - take) : nil
                            if large == nil { try consume(try spool.mapped()) }
                            continue
                        }
                        pending.append(rest)
                        rest = Data()
                        var reader = ByteReader(pending)
                        while reader.remaining >= 4 {
                            var peek = reader
                            let length = Int(try peek.u32())
                            guard length <= ChangeSetEnvelope.maximumSize else {
                                throw .malformed("a field of \(length) bytes is over the limit of \(ChangeSetEnvelope.maximumSize)")
                            }
                            if length > ChangeSetEnvelope.inlineLimit {
                                // What follows the length goes to a file; the loop above feeds it.
                                large = (try Spool(directory: spoolDirectory), length)
                                rest = try peek.bytes(peek.remaining)
                                reader = peek
                                break
                            }
                            guard peek.remaining >= length else { break }
                            try consume(try peek.bytes(length))
                            reader = peek
                        }
                        // Keep only the unfinished frame; while none was finished, keep appending (no copy per piece).
                        if reader.remaining < pending.count { pending = Data(pending.suffix(reader.remaining)) }
                    }
                }
            }
            try inflater.finish()
            guard pending.isEmpty, large == nil else {
                throw .malformed("truncated: a frame is cut off at the end of the bundle")
            }
            return inflater.produced
        }
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

/// Where a bundle's bytes are: in memory, or in a file read a piece at a time.
public enum BundleSource: Sendable {
    case data(Data)
    case file(String)

    static let pieceSize = 1 << 20

    func count() throws(SyncError) -> Int {
        switch self {
        case .data(let data): return data.count
        case .file(let path):
            guard let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int else {
                throw .malformed("cannot read \(path)")
            }
            return size
        }
    }

    /// Up to `count` bytes from `offset`.
    func read(at offset: Int, count: Int) throws(SyncError) -> Data {
        switch self {
        case .data(let data):
            let start = data.startIndex + min(offset, data.count)
            return Data(data[start..<min(start + count, data.endIndex)])
        case .file:
            var result = Data()
            try pieces(from: offset, limit: count) { result.append($0) }
            return result
        }
    }

    /// The bytes from `offset` on (at most `limit` of them), a piece at a time.
    func pieces(from offset: Int, limit: Int = .max, _ body: (Data) throws(SyncError) -> Void) throws(SyncError) {
        switch self {
        case .data(let data):
            var start = data.startIndex + min(offset, data.count)
            let end = data.endIndex - max(0, data.count - offset - limit)
            while start < end {
                let next = min(start + Self.pieceSize, end)
                try body(data[start..<next])
                start = next
            }
        case .file(let path):
            guard let handle = FileHandle(forReadingAtPath: path) else { throw .malformed("cannot read \(path)") }
            defer { try? handle.close() }
            var left = limit
            do {
                try handle.seek(toOffset: UInt64(offset))
                while left > 0, let piece = try handle.read(upToCount: min(Self.pieceSize, left)), !piece.isEmpty {
                    left -= piece.count
                    try body(piece)
                }
            } catch let error as SyncError {
                throw error
            } catch {
                throw .malformed("cannot read \(path): \(error)")
            }
        }
    }
}

/// Writes a bundle to a file one change set at a time: the frames are compressed into a body file beside it as
/// they come, and ``finish(schema:)`` writes the header and the body into place. Memory holds one change set.
public final class BundleWriter {
    private let path: String
    private let bodyPath: String
    private let body: FileHandle
    private let deflater: Deflater
    private var hash = SHA256()
    private var ranges = BundleFile.RangeCounter()
    private var highestSchema = 0
    private var compressed = 0
    private var uncompressed = 0
    private var failure: (any Error)?

    public init(path: String, level: Int32 = 6) throws(SyncError) {
        self.path = path
        bodyPath = path + ".body"
        guard FileManager.default.createFile(atPath: bodyPath, contents: nil, attributes: [.posixPermissions: 0o600]),
            let body = FileHandle(forWritingAtPath: bodyPath)
        else { throw .malformed("cannot write \(bodyPath)") }
        self.body = body
        deflater = try Deflater(level: level)
    }

    deinit {
        try? body.close()
        try? FileManager.default.removeItem(atPath: bodyPath)
    }

    /// Adds one change set, exactly as its origin signed it (a piece at a time: it can be a mapping of a file).
    public func add(_ envelope: ChangeSetEnvelope) throws(SyncError) {
        var length = ByteWriter()
        length.u32(UInt32(envelope.encoded.count))
        uncompressed += 4 + envelope.encoded.count
        ranges.add(envelope)
        highestSchema = max(highestSchema, Int(envelope.schemaVersion))
        deflater.push(length.data) { self.append($0) }
        var start = envelope.encoded.startIndex
        while start < envelope.encoded.endIndex {
            let end = min(start + BundleSource.pieceSize, envelope.encoded.endIndex)
            deflater.push(envelope.encoded[start..<end]) { self.append($0) }
            start = end
        }
        if let failure { throw .malformed("cannot write \(bodyPath): \(failure)") }
    }

    /// Writes the bundle (the exporting office's `schema` counts when it holds no change set); returns its header.
    @discardableResult
    public func finish(schema: Int) throws(SyncError) -> BundleFile.Header {
        deflater.finish { self.append($0) }
        try? body.close()
        if let failure { throw .malformed("cannot write \(bodyPath): \(failure)") }
        let header = BundleFile.Header(
            format: BundleFile.formatVersion, schema: ranges.count == 0 ? schema : highestSchema,
            changeSets: ranges.count, origins: ranges.sorted, compressedBytes: compressed,
            uncompressedBytes: uncompressed, sha256: Data(hash.finalize()).hex)
        guard FileManager.default.createFile(atPath: path, contents: BundleFile.lead(header), attributes: [.posixPermissions: 0o600]),
            let out = FileHandle(forWritingAtPath: path)
        else { throw .malformed("cannot write \(path)") }
        defer { try? out.close() }
        do {
            try out.seekToEnd()
            try BundleSource.file(bodyPath).pieces(from: 0) { piece throws(SyncError) in
                do { try out.write(contentsOf: piece) } catch { throw .malformed("cannot write \(path): \(error)") }
            }
        } catch let error as SyncError {
            throw error
        } catch {
            throw .malformed("cannot write \(path): \(error)")
        }
        try? FileManager.default.removeItem(atPath: bodyPath)
        return header
    }

    private func append(_ piece: Data) {
        guard failure == nil else { return }
        hash.update(data: piece)
        compressed += piece.count
        do { try body.write(contentsOf: piece) } catch { failure = error }
    }
}
