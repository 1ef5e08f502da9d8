import Crypto
import Foundation
import NIOCore
import NIOSSL
import NIOTLS
import TreatySync

/// Which office a TLS certificate speaks for: the SHA-256 of its Ed25519 key, whatever else the certificate
/// says. Peers are pinned by this id (as Syncthing pins device ids), not by names or certificate authorities.
public enum PeerIdentity {
    /// The DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows it.
    static let ed25519Prefix: [UInt8] = [0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00]

    /// The raw Ed25519 key of a certificate, or nil when its key is of another kind.
    public static func rawKey(of certificate: NIOSSLCertificate) -> Data? {
        guard let spki = try? certificate.extractPublicKey().toSPKIBytes(), spki.count == 44,
            Array(spki.prefix(12)) == ed25519Prefix
        else { return nil }
        return Data(spki.suffix(32))
    }

    /// The office id a certificate speaks for, or nil when its key is not Ed25519.
    public static func office(of certificate: NIOSSLCertificate) -> String? {
        rawKey(of: certificate).map { OfficeID.of(publicKey: $0) }
    }
}

/// Completes when the TLS handshake does (or fails when the connection closes or the handler goes first), so
/// a session knows the verified peer before it says anything.
final class HandshakeWatcher: ChannelInboundHandler, RemovableChannelHandler, @unchecked Sendable {
    typealias InboundIn = Any
    let completed: EventLoopPromise<Void>
    /// Touched only on the channel's event loop.
    private var done = false

    init(eventLoop: EventLoop) {
        completed = eventLoop.makePromise()
    }

    private func finish(_ result: Result<Void, any Error>) {
        guard !done else { return }
        done = true
        completed.completeWith(result)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event { finish(.success(())) }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(PeerError.closed("the connection closed during the TLS handshake")))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failure(error))
        context.fireErrorCaught(error)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        finish(.failure(PeerError.closed("the connection closed before the TLS handshake ended")))
    }
}

extension PeerError {
    /// A sentence for `treaty peer list` instead of a library's error dump.
    static func describe(_ error: any Error) -> String {
        if let error = error as? PeerError { return error.description }
        if let error = error as? NIOSSLError, case .handshakeFailed = error {
            return "TLS handshake failed: is this office pinned there (with the id `treaty identity` prints here), and is "
                + "the key it presents the pinned one?"
        }
        if error is ChannelError { return "connection closed (\(error))" }
        return "\(error)"
    }
}

/// Why a peer connection failed or was refused.
public enum PeerError: Error, Sendable, CustomStringConvertible {
    case closed(String)
    case refused(String)
    case protocolMismatch(Int)
    case timeout(String)
    case unknownPeer(String)
    /// Both offices dialed at once and the other side kept the connection it dialed: nothing went wrong.
    case duplicate

    public var description: String {
        switch self {
        case .closed(let why): return why
        case .refused(let why): return "refused: \(why)"
        case .protocolMismatch(let version):
            return "the peer speaks peer protocol \(version); this office speaks \(PeerMessage.protocolVersion): upgrade the older one"
        case .timeout(let what): return "timed out: \(what)"
        case .unknownPeer(let name): return "no peer named \(name) (treaty peer list)"
        case .duplicate: return "both offices dialed at once; the connection the other one dialed is kept"
        }
    }
}
