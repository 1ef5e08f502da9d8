import Crypto
import Foundation
import NIOSSL
import SwiftASN1
import X509

/// This office's TLS certificate, made from the office key itself: self-signed, Ed25519, its common name the
/// office id. Made afresh at each start (so renewing it is restarting), never changing the office id, which
/// is the hash of the key, not of the certificate.
public struct OfficeCertificate: Sendable {
    public let certificate: NIOSSLCertificate
    public let privateKey: NIOSSLPrivateKey

    /// Makes a certificate for the office whose raw Ed25519 private key is `rawKey`, valid for `validity`.
    public init(rawKey: Data, officeID: String, now: Date = Date(), validity: TimeInterval = 365 * 86_400) throws {
        let key = try Curve25519.Signing.PrivateKey(rawRepresentation: rawKey)
        let certificateKey = Certificate.PrivateKey(key)
        let name = try DistinguishedName {
            OrganizationName("Treaty office")
            CommonName(officeID)
        }
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(KeyUsage(digitalSignature: true))
            try ExtendedKeyUsage([.serverAuth, .clientAuth])
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: certificateKey.publicKey,
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(validity),
            issuer: name, subject: name, signatureAlgorithm: .ed25519, extensions: extensions,
            issuerPrivateKey: certificateKey)
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        self.certificate = try NIOSSLCertificate(bytes: serializer.serializedBytes, format: .der)
        // PKCS #8 (RFC 8410) for an Ed25519 key: a fixed 16-byte prefix, then the 32 raw bytes.
        let pkcs8: [UInt8] = [
            0x30, 0x2E, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
        ] + Array(rawKey)
        self.privateKey = try NIOSSLPrivateKey(bytes: pkcs8, format: .der)
    }
}
