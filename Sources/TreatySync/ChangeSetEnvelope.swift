import Crypto
import Foundation

/// One office's write transaction as it travels: who made it (the origin office and its public key), its
/// number in that office's sequence, its clock stamp, the schema it was made on, the version vector it
/// was made on (what it depends on), the SQLite session changeset, and the origin's Ed25519 signature
/// over all of it.
///
/// The encoded bytes are kept as they were signed: a relay passes them on unchanged. A change set larger than
/// ``inlineLimit`` (only databases made before change sets were bounded hold one) is never copied into memory: its
/// bytes are a mapping of a file (``Spool``), and every path that carries it reads them in pieces.
public struct ChangeSetEnvelope: Sendable, Hashable {
    /// Office id: hex SHA-256 of ``publicKey``.
    public let origin: String
    /// The origin's raw Ed25519 public key (32 bytes), so anyone can check the signature and the id.
    public let publicKey: Data
    public let seq: UInt64
    public let clock: UInt64
    public let schemaVersion: UInt32
    /// Who made the change at the origin.
    public let user: String
    /// What the origin held when it made this change set; its own entry is `seq - 1`.
    public let dependencies: VersionVector
    /// The SQLite session changeset.
    public let changeset: Data
    /// The signed bytes, exactly as they travel.
    public let encoded: Data

    static let magic = Data("TCS1".utf8)
    static let signatureLength = 64
    /// No change set may be larger than this (bytes, encoded): 2 GiB. New ones are bounded far below it (an import
    /// is cut into change sets of at most a few MB); older databases can hold one change set per import, of any size.
    public static let maximumSize = 2 << 30
    /// Change sets larger than this travel in pieces and are spooled to a file and mapped, never held in anonymous
    /// memory whole.
    public static let inlineLimit = 16 << 20

    /// Builds a change set and signs it with `signingKey`, whose public key is `publicKey`. Call it on a thread with
    /// a large stack (``LargeStack``).
    public init(
        signingKey: Curve25519.Signing.PrivateKey, publicKey: Data, seq: UInt64, clock: UInt64,
        schemaVersion: UInt32, user: String, dependencies: VersionVector, changeset: Data
    ) throws(SyncError) {
        var writer = ByteWriter()
        writer.raw(Self.magic)
        writer.raw(publicKey)
        writer.u64(seq)
        writer.u64(clock)
        writer.u32(schemaVersion)
        writer.field(Data(user.utf8))
        let deps = dependencies.entries.sorted { $0.key < $1.key }
        writer.u32(UInt32(deps.count))
        for (origin, value) in deps {
            guard let raw = Data(hex: origin), raw.count == 32 else { throw .invalidVector("origin \(origin)") }
            writer.raw(raw)
            writer.u64(value)
        }
        writer.field(changeset)
        let body = writer.data
        let signature: Data
        do {
            signature = try signingKey.signature(for: body)
        } catch {
            throw .malformed("cannot sign: \(error)")
        }
        self.origin = OfficeID.of(publicKey: publicKey)
        self.publicKey = publicKey
        self.seq = seq
        self.clock = clock
        self.schemaVersion = schemaVersion
        self.user = user
        self.dependencies = dependencies
        self.changeset = changeset
        self.encoded = body + signature
    }

    /// Parses and verifies encoded bytes: the signature must be the key's, and the origin is the hash of
    /// that key, so a relay or courier can neither forge nor alter a change set.
    public init(decoding encoded: Data) throws(SyncError) {
        try self.init(encoded, verify: true)
    }

    /// Parses bytes this office checked when they arrived (they are stored only after that check).
    package init(trusted encoded: Data) throws(SyncError) {
        try self.init(encoded, verify: false)
    }

    private init(_ encoded: Data, verify: Bool) throws(SyncError) {
        guard encoded.count <= Self.maximumSize else { throw .tooLarge("a change set of \(encoded.count) bytes") }
        // A slice is copied so that it does not keep a larger buffer alive; whole bytes (a mapping) are kept as they
        // are, and the changeset is a slice of them.
        let encoded = encoded.startIndex == 0 ? encoded : Data(encoded)
        var reader = ByteReader(encoded)
        guard try reader.bytes(4) == Self.magic else { throw .malformed("not a change set (bad magic)") }
        let publicKey = Data(try reader.bytes(32))
        let seq = try reader.u64()
        let clock = try reader.u64()
        let schemaVersion = try reader.u32()
        guard let user = String(data: try reader.field(limit: 4096), encoding: .utf8) else {
            throw .malformed("user is not UTF-8")
        }
        let count = Int(try reader.u32())
        guard count <= 1 << 16 else { throw .malformed("\(count) dependencies") }
        var deps = VersionVector()
        for _ in 0..<count {
            let origin = Data(try reader.bytes(32)).hex
            deps[origin] = try reader.u64()
        }
        let changeset = try reader.field(limit: Self.maximumSize)
        guard reader.remaining == Self.signatureLength else {
            throw .malformed("\(reader.remaining) bytes after the changeset where a 64-byte signature belongs")
        }
        guard seq > 0 else { throw .malformed("sequence number 0: an office numbers its change sets from 1") }
        guard seq <= VersionVector.maximumSequence else {
            throw .malformed("sequence number \(seq) is past the last one an office can reach (2^63 - 1)")
        }
        let signed = encoded.prefix(encoded.count - Self.signatureLength)
        let signature = encoded.suffix(Self.signatureLength)
        let origin = OfficeID.of(publicKey: publicKey)
        if verify {
            guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey),
                key.isValidSignature(signature, for: signed)
            else { throw .badSignature(origin: origin, seq: seq) }
        }
        guard deps[origin] == seq - 1 else {
            throw .malformed("change set \(seq) of \(origin.prefix(12)) depends on its own \(deps[origin]), not \(seq - 1)")
        }
        self.origin = origin
        self.publicKey = publicKey
        self.seq = seq
        self.clock = clock
        self.schemaVersion = schemaVersion
        self.user = user
        self.dependencies = deps
        self.changeset = changeset
        self.encoded = encoded
    }
}
