import Synchronization

/// What one peer connection moved, for `treaty peer list` and `treaty sync now`.
public struct PeerTraffic: Sendable, Equatable {
    /// Change sets sent to the peer.
    public var sent = 0
    /// Change sets received from the peer.
    public var received = 0
    /// Of those received, how many were applied here.
    public var applied = 0
    /// Of those received, how many this office had already.
    public var alreadyHad = 0
    /// Bytes written to the peer (frames, before TLS).
    public var bytesSent = 0

    public init() {}

    static func - (lhs: PeerTraffic, rhs: PeerTraffic) -> PeerTraffic {
        var result = PeerTraffic()
        result.sent = lhs.sent - rhs.sent
        result.received = lhs.received - rhs.received
        result.applied = lhs.applied - rhs.applied
        result.alreadyHad = lhs.alreadyHad - rhs.alreadyHad
        result.bytesSent = lhs.bytesSent - rhs.bytesSent
        return result
    }

    static func + (lhs: PeerTraffic, rhs: PeerTraffic) -> PeerTraffic {
        var result = lhs
        result.sent += rhs.sent
        result.received += rhs.received
        result.applied += rhs.applied
        result.alreadyHad += rhs.alreadyHad
        result.bytesSent += rhs.bytesSent
        return result
    }
}

/// Traffic counters shared between a session and whoever reports on it.
final class TrafficCounter: Sendable {
    private let value = Mutex(PeerTraffic())

    var current: PeerTraffic { value.withLock { $0 } }

    func update(_ change: (inout PeerTraffic) -> Void) {
        value.withLock { change(&$0) }
    }
}
