import Crypto
import Foundation
import TreatyModel
import TreatySync

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// This office: an Ed25519 key pair made with the database. Its id is the SHA-256 of the public key, so
/// it survives a new certificate or a renamed office.
public struct OfficeIdentity: Sendable {
    /// The raw 32 bytes of the private key (kept as bytes: the key type is not `Sendable`).
    let privateKeyBytes: Data
    /// The raw 32 bytes of the public key, derived once: key arithmetic needs more stack than the
    /// database's dispatch threads give in debug builds, so it never runs there.
    public let publicKeyBytes: Data
    /// Lowercase hex SHA-256 of the raw public key: 64 characters.
    public let id: String

    public var privateKey: Curve25519.Signing.PrivateKey {
        // The bytes came from a valid key, so this cannot fail.
        try! Curve25519.Signing.PrivateKey(rawRepresentation: privateKeyBytes)
    }

    /// Base64 of the raw public key, as stored in the `office` table.
    public var publicKeyBase64: String { publicKeyBytes.base64EncodedString() }

    public init(privateKey: Curve25519.Signing.PrivateKey) {
        self.privateKeyBytes = privateKey.rawRepresentation
        self.publicKeyBytes = privateKey.publicKey.rawRepresentation
        self.id = OfficeIdentity.id(of: publicKeyBytes)
    }

    /// The office id for a raw public key.
    public static func id(of rawPublicKey: Data) -> String {
        OfficeID.of(publicKey: rawPublicKey)
    }

    /// Makes a new key and writes it to `path` with mode 0600. Fails if the file exists.
    static func create(at path: String, raw: Data? = nil) throws(StoreError) -> OfficeIdentity {
        let key = raw.flatMap { try? Curve25519.Signing.PrivateKey(rawRepresentation: $0) } ?? Curve25519.Signing.PrivateKey()
        let text = key.rawRepresentation.base64EncodedString() + "\n"
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else {
            throw .officeKey("cannot create \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let written = text.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) }
        guard written == text.utf8.count, fsync(fd) == 0 else {
            throw .officeKey("cannot write \(path): \(String(cString: strerror(errno)))")
        }
        return OfficeIdentity(privateKey: key)
    }

    /// Reads the key at `path`.
    static func load(from path: String) throws(StoreError) -> OfficeIdentity {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw .officeKey(
                "\(path) is missing or unreadable; it holds this office's private key and was made with the "
                    + "database. Restore it from backup.")
        }
        guard let raw = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)),
            let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)
        else { throw .officeKey("\(path) does not hold an Ed25519 private key") }
        return OfficeIdentity(privateKey: key)
    }
}
