import Crypto
import Foundation
import Testing

@testable import TreatySync

/// Change sets signed by a throwaway office.
private struct Signer {
    let key = Curve25519.Signing.PrivateKey()
    var publicKey: Data { key.publicKey.rawRepresentation }
    var id: String { Data(SHA256.hash(data: publicKey)).hex }

    func envelope(seq: UInt64, changeset: Data = Data("row change".utf8), deps: VersionVector = VersionVector())
        throws -> ChangeSetEnvelope
    {
        var deps = deps
        deps[id] = seq - 1
        return try ChangeSetEnvelope(
            signingKey: key, publicKey: publicKey, seq: seq, clock: seq << 16, schemaVersion: 1, user: "ana",
            dependencies: deps, changeset: changeset)
    }
}

@Suite("Bundle files")
struct BundleTests {
    private func sample() throws -> (Data, [ChangeSetEnvelope]) {
        let a = Signer()
        let b = Signer()
        let envelopes = [
            try a.envelope(seq: 1), try a.envelope(seq: 2), try b.envelope(seq: 1, deps: VersionVector([a.id: 2])),
        ]
        return (BundleFile.write(envelopes, schema: 1), envelopes)
    }

    @Test("a bundle reads back the change sets byte for byte, with the header listing origins and ranges")
    func roundTrip() throws {
        let (data, envelopes) = try sample()
        let (header, read) = try BundleFile.read(data)
        #expect(read.map(\.encoded) == envelopes.map(\.encoded))
        #expect(header.changeSets == 3)
        #expect(header.origins.map(\.count).sorted() == [1, 2])
        #expect(read[2].dependencies[envelopes[0].origin] == 2)
    }

    @Test("every flipped byte of a bundle is refused", arguments: [0, 9, 20, 60])
    func flippedByte(stride: Int) throws {
        let (data, _) = try sample()
        // Flip one byte at a time across the file (every `stride`-th and the last), each must be refused.
        var positions = Array(Swift.stride(from: stride % 7, to: data.count, by: max(stride, 1) + 5))
        positions.append(data.count - 1)
        for position in positions {
            var damaged = data
            damaged[position] ^= 0x40
            #expect(throws: SyncError.self, "byte \(position) flipped") { try BundleFile.read(damaged) }
        }
    }

    @Test("a truncated bundle is refused at every length")
    func truncated() throws {
        let (data, _) = try sample()
        for length in Swift.stride(from: 0, to: data.count, by: 3) {
            #expect(throws: SyncError.self) { try BundleFile.read(data.prefix(length)) }
        }
    }

    @Test("a change set re-signed by another key, or altered, fails its signature even with a good checksum")
    func forged() throws {
        let a = Signer()
        let honest = try a.envelope(seq: 1, changeset: Data("title=A".utf8))
        // Alter the changeset bytes but keep the original signature: a courier's edit.
        var altered = honest.encoded
        let at = altered.firstRange(of: Data("title=A".utf8))!.lowerBound
        altered[at + 6] = UInt8(ascii: "B")
        #expect(throws: SyncError.badSignature(origin: a.id, seq: 1)) { try ChangeSetEnvelope(decoding: altered) }
        // A forger signs with its own key but claims the honest key: the signature does not verify.
        let forger = Signer()
        let forged = try ChangeSetEnvelope(
            signingKey: forger.key, publicKey: a.publicKey, seq: 1, clock: 1, schemaVersion: 1, user: "x",
            dependencies: VersionVector(), changeset: Data("title=B".utf8))
        #expect(throws: SyncError.badSignature(origin: a.id, seq: 1)) { try ChangeSetEnvelope(decoding: forged.encoded) }
        // Inside a bundle whose checksum is recomputed (so only the signature can catch it).
        let bundle = BundleFile.write([try ChangeSetEnvelope(trusted: altered)], schema: 1)
        #expect(throws: SyncError.badSignature(origin: a.id, seq: 1)) { try BundleFile.read(bundle) }
    }

    @Test("a decompression bomb stops at the limit, and a header claiming too much is refused unread")
    func bomb() throws {
        // 64 MiB of zeros compresses to ~64 KiB; the header claims 1 KiB.
        let zeros = Data(count: 64 << 20)
        let body = Zlib.deflate(zeros, level: 9)
        #expect(body.count < 200_000)
        var header = BundleFile.Header(
            format: 1, schema: 1, changeSets: 1, origins: [], compressedBytes: body.count, uncompressedBytes: 1024,
            sha256: Data(SHA256.hash(data: body)).hex)
        func file(_ header: BundleFile.Header) throws -> Data {
            var writer = ByteWriter()
            writer.raw(BundleFile.magic)
            writer.field(try JSONEncoder().encode(header))
            writer.raw(body)
            return writer.data
        }
        #expect(throws: SyncError.tooLarge("compressed data inflates past 1024 bytes (a decompression bomb, or a header that lies)")) {
            try BundleFile.read(try file(header))
        }
        header.uncompressedBytes = 64 << 20
        #expect(throws: SyncError.self) { try BundleFile.read(try file(header), inflateLimit: 1 << 20) }
    }

    /// A bundle of `body` under a header changed by `edit`, its JSON written as given by `json` when set.
    private func rewritten(_ data: Data, json: ((Data) -> Data)? = nil, edit: (inout BundleFile.Header) -> Void = { _ in })
        throws -> Data
    {
        let (header, body) = try BundleFile.header(of: data)
        var changed = header
        edit(&changed)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var encoded = try encoder.encode(changed)
        if let json { encoded = json(encoded) }
        var writer = ByteWriter()
        writer.raw(BundleFile.magic)
        writer.field(encoded)
        writer.raw(body)
        return writer.data
    }

    @Test("a header whose record schema is not that of the change sets inside is refused", arguments: [-1, 0, 2, 99])
    func headerSchema(schema: Int) throws {
        let (data, _) = try sample()
        #expect(throws: SyncError.self) { try BundleFile.read(try rewritten(data, edit: { $0.schema = schema })) }
        #expect(try BundleFile.read(try rewritten(data, edit: { $0.schema = 1 })).envelopes.count == 3)
    }

    @Test("a header that names a field twice is refused, whichever value a reader would take")
    func duplicateHeaderKey() throws {
        let (data, _) = try sample()
        let doubled = try rewritten(data, json: { json in
            // {"change_sets":3,... -> {"change_sets":99,"change_sets":3,...
            var text = String(decoding: json, as: UTF8.self)
            text = text.replacingOccurrences(of: #"{"change_sets":3"#, with: #"{"change_sets":99,"change_sets":3"#)
            return Data(text.utf8)
        })
        #expect(throws: SyncError.self) { try BundleFile.read(doubled) }
    }

    @Test("a change set numbered 0 is refused for its number, not as forged")
    func sequenceZero() throws {
        let a = Signer()
        let envelope = try ChangeSetEnvelope(
            signingKey: a.key, publicKey: a.publicKey, seq: 0, clock: 1, schemaVersion: 1, user: "x",
            dependencies: VersionVector(), changeset: Data())
        #expect(throws: SyncError.malformed("sequence number 0: an office numbers its change sets from 1")) {
            try ChangeSetEnvelope(decoding: envelope.encoded)
        }
    }

    @Test("a checked bundle hands out its change sets one at a time, the same as reading it whole")
    func streamed() throws {
        let a = Signer()
        // Frames larger than the 64 KiB pieces zlib inflates at a time, between small ones.
        let envelopes = try (1...6).map { seq in
            try a.envelope(seq: UInt64(seq), changeset: Data(repeating: UInt8(seq), count: seq % 2 == 0 ? 200_000 : 10))
        }
        let data = BundleFile.write(envelopes, schema: 1)
        var handed: [Data] = []
        try BundleFile.check(data).forEach { (envelope: ChangeSetEnvelope) throws(SyncError) in handed.append(envelope.encoded) }
        #expect(handed == envelopes.map(\.encoded))
        #expect(try BundleFile.read(data).envelopes.map(\.encoded) == handed)
    }

    @Test("a bundle written to a file one change set at a time reads back from the file, checked, a piece at a time")
    func streamedFile() throws {
        let a = Signer()
        let envelopes = try (1...40).map { seq in
            try a.envelope(seq: UInt64(seq), changeset: Data((0..<50_000).map { _ in UInt8.random(in: 0...255) }))
        }
        let path = NSTemporaryDirectory() + "treaty-bundle-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try BundleWriter(path: path)
        for envelope in envelopes { try writer.add(envelope) }
        let header = try writer.finish(schema: 1)
        #expect(header.changeSets == 40)
        #expect(!FileManager.default.fileExists(atPath: path + ".body"))
        var handed: [Data] = []
        try BundleFile.check(.file(path)).forEach { (envelope: ChangeSetEnvelope) throws(SyncError) in handed.append(envelope.encoded) }
        #expect(handed == envelopes.map(\.encoded))
        // The same bytes in memory read the same; cut short, the file is refused.
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(try BundleFile.read(data).envelopes.count == 40)
        try data.prefix(data.count - 1).write(to: URL(fileURLWithPath: path))
        #expect(throws: SyncError.self) { try BundleFile.check(.file(path)) }
    }

    @Test("a change set over the in-memory limit is spooled to a file as it inflates, and reads back byte for byte")
    func spooledChangeSet() throws {
        let a = Signer()
        var rng = SystemRandomNumberGenerator()
        let large = Data((0..<(ChangeSetEnvelope.inlineLimit + 3_000_001)).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
        let envelopes = [try a.envelope(seq: 1), try a.envelope(seq: 2, changeset: large), try a.envelope(seq: 3)]
        let directory = NSTemporaryDirectory() + "treaty-spool-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let writer = try BundleWriter(path: directory + "/all.bundle")
        for envelope in envelopes { try writer.add(envelope) }
        try writer.finish(schema: 1)
        var handed: [ChangeSetEnvelope] = []
        try BundleFile.check(.file(directory + "/all.bundle"), spoolDirectory: directory).forEach {
            (envelope: ChangeSetEnvelope) throws(SyncError) in handed.append(envelope)
        }
        #expect(handed == envelopes)
        // The spool files are gone once their change sets are handed out.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["all.bundle"])
    }

    @Test("a newer bundle format is refused by name")
    func newerFormat() throws {
        let (data, _) = try sample()
        let (header, body) = try BundleFile.header(of: data)
        var newer = header
        newer.format = 2
        var writer = ByteWriter()
        writer.raw(BundleFile.magic)
        writer.field(try JSONEncoder().encode(newer))
        writer.raw(body)
        #expect(throws: SyncError.unsupportedFormat(2)) { try BundleFile.read(writer.data) }
    }
}

@Suite("Version vectors and clocks")
struct VectorTests {
    @Test("a vector prints and parses back, and prefixes of known offices resolve")
    func parse() throws {
        let a = String(repeating: "a", count: 64)
        let b = String(repeating: "b", count: 63) + "c"
        let vector = VersionVector([a: 3, b: 9])
        #expect(try VersionVector.parse(vector.description) == vector)
        #expect(try VersionVector.parse("aaaaaaaa:3, bbbbbbbb:9", known: [a, b]) == vector)
        #expect(throws: SyncError.self) { try VersionVector.parse("aaaa:3", known: [a]) }
        #expect(throws: SyncError.self) { try VersionVector.parse("\(a)=3") }
        #expect(vector.includes(VersionVector([a: 2])))
        #expect(!vector.includes(VersionVector([a: 4])))
    }

    @Test("a stamp is after the wall clock and after every stamp seen, even when the wall clock goes back")
    func hybridClock() {
        let seen = HybridClock.next(after: 0, wallMilliseconds: 5_000)
        #expect(HybridClock.milliseconds(seen) == 5_000)
        let afterBackwardClock = HybridClock.next(after: seen, wallMilliseconds: 1_000)
        #expect(afterBackwardClock > seen)
        #expect(HybridClock.next(after: seen, wallMilliseconds: 9_000) > afterBackwardClock)
    }

    @Test("no stamp or wall clock, however far off, makes the next stamp trap")
    func hybridClockBounds() {
        #expect(HybridClock.next(after: .max, wallMilliseconds: 5_000) == .max)
        #expect(HybridClock.next(after: .max - 1, wallMilliseconds: .max) == .max)
        #expect(HybridClock.next(after: 0, wallMilliseconds: .min) == 1)
        #expect(HybridClock.milliseconds(.max) == (1 << 48) - 1)
    }
}
