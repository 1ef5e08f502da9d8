import Crypto
import Foundation

/// Office ids: the lowercase hex SHA-256 of an office's raw Ed25519 public key.
public enum OfficeID {
    /// The id of the office whose raw public key is `publicKey`.
    public static func of(publicKey: Data) -> String {
        Data(SHA256.hash(data: publicKey)).hex
    }

    /// True when `text` has the form of an office id: 64 hex digits.
    public static func isWellFormed(_ text: String) -> Bool {
        text.utf8.count == 64 && text.allSatisfy(\.isHexDigit)
    }
}

/// `HOST:PORT` as peers are addressed (`[::1]:7420` for IPv6).
public enum PeerAddress {
    /// The host (brackets removed) and port, or nil when the text is not HOST:PORT with a port in 0...65535.
    public static func split(_ address: String) -> (host: String, port: Int)? {
        guard let colon = address.lastIndex(of: ":"), colon > address.startIndex,
            let port = Int(address[address.index(after: colon)...]), (0...65535).contains(port)
        else { return nil }
        var host = String(address[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host, port)
    }
}
