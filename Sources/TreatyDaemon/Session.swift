import Foundation
import Synchronization
import TreatyModel
import TreatyProtocol

/// One client connection: who it is, what it may do, and how to send it notifications.
public final class Session: Sendable {
    public let user: String
    public let role: AccessRole
    public let credentials: PeerCredentials?
    /// Sends one JSON value as a line to this client.
    let send: @Sendable (JSONValue) -> Void
    private let subscriptions = Mutex<[String: Task<Void, Never>]>([:])
    private let afterReply = Mutex<[@Sendable () -> Void]>([])

    public init(
        user: String, role: AccessRole, credentials: PeerCredentials?, send: @escaping @Sendable (JSONValue) -> Void
    ) {
        self.user = user
        self.role = role
        self.credentials = credentials
        self.send = send
    }

    /// Runs `action` once the reply to the call being answered has been sent.
    func whenReplied(_ action: @escaping @Sendable () -> Void) {
        afterReply.withLock { $0.append(action) }
    }

    /// Called by the connection after it sends a reply.
    func replied() {
        let actions = afterReply.withLock { a in
            defer { a.removeAll() }
            return a
        }
        for action in actions { action() }
    }

    func addSubscription(_ id: String, _ task: Task<Void, Never>) {
        subscriptions.withLock { $0[id] = task }
    }

    func removeSubscription(_ id: String) -> Bool {
        guard let task = subscriptions.withLock({ $0.removeValue(forKey: id) }) else { return false }
        task.cancel()
        return true
    }

    /// Ends every subscription: the connection is gone.
    func close() {
        let tasks = subscriptions.withLock { s in
            defer { s.removeAll() }
            return Array(s.values)
        }
        for task in tasks { task.cancel() }
    }
}

/// Counters for `stats`.
final class ServerStatistics: Sendable {
    let started = Date()
    let requests = Atomic<Int>(0)
    let errors = Atomic<Int>(0)
    let connections = Atomic<Int>(0)
    let connectionsRefused = Atomic<Int>(0)
    let clientsDropped = Atomic<Int>(0)
}
