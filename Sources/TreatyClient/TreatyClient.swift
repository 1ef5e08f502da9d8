#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import Synchronization
import TreatyModel
import TreatyProtocol

/// An async client for treatyd's socket. Calls may be made concurrently: they are pipelined on one
/// connection and matched to their answers by id. Subscriptions deliver `changes.event` notifications.
public final class TreatyClient: Sendable {
    private let connection: LineConnection
    private let state: ClientState
    public let socketPath: String

    private init(connection: LineConnection, state: ClientState, socketPath: String) {
        self.connection = connection
        self.state = state
        self.socketPath = socketPath
    }

    /// Connects to the daemon's socket.
    public static func connect(socketPath: String) async throws(ClientError) -> TreatyClient {
        let state = ClientState()
        do throws(LineConnection.OpenError) {
            let connection = try LineConnection.open(
                path: socketPath,
                line: { line in
                    if let value = try? JSONCodec.decode(Data(line)) { state.received(value) }
                },
                closed: { state.closed() })
            return TreatyClient(connection: connection, state: state, socketPath: socketPath)
        } catch {
            switch error {
            case .system(EACCES): throw .socketDenied(path: socketPath, group: Self.groupName(ofFile: socketPath))
            case .system(let code): throw .cannotConnect(path: socketPath, reason: String(cString: strerror(code)))
            case .pathTooLong: throw .cannotConnect(path: socketPath, reason: "the path is longer than a socket's path may be")
            }
        }
    }

    /// The name of the group that owns the file at `path`, if it can be read.
    private static func groupName(ofFile path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0, let entry = getgrgid(info.st_gid) else { return nil }
        return String(cString: entry.pointee.gr_name)
    }

    /// Calls `method` with params by name and returns its result.
    ///
    /// - Throws: ``ClientError/rpc(_:)`` with the daemon's error, or a connection error.
    public func call(_ method: String, _ params: [String: JSONValue] = [:]) async throws(ClientError) -> JSONValue {
        let id = state.nextID()
        let request = RPCRequest(method: method, params: .object(params), id: .int(id))
        let outcome: Result<JSONValue, ClientError> = await withCheckedContinuation { continuation in
            guard state.register(id, continuation) else {
                continuation.resume(returning: .failure(state.closedFailure))
                return
            }
            send(request.json)
        }
        return try outcome.get()
    }

    /// Calls a method by its contract and reads its answer strictly: a field the contract names and the answer
    /// lacks is ``ClientError/protocolViolation(_:)`` naming it, never a blank.
    public func call<C: RPCContract>(_ contract: C.Type, _ params: C.Params) async throws(ClientError) -> C.Result {
        guard case .object(let object) = RPCCoding.json(params) else {
            throw .protocolViolation("the params of \(C.method) are not an object")
        }
        let result = try await call(C.method, object)
        do throws(ContractError) {
            return try RPCCoding.decode(C.Result.self, from: result)
        } catch {
            throw .protocolViolation("its answer to \(C.method) \(error.problem)")
        }
    }

    /// Calls a method that takes no params by its contract.
    public func call<C: RPCContract>(_ contract: C.Type) async throws(ClientError) -> C.Result where C.Params == RPCNoParams {
        try await call(contract, RPCNoParams())
    }

    /// Subscribes to committed changes (all, or those of one record, whose current state comes first).
    public func subscribe(to id: String? = nil) async throws(ClientError) -> (subscription: String, events: AsyncStream<JSONValue>) {
        let (stream, continuation) = AsyncStream.makeStream(of: JSONValue.self, bufferingPolicy: .bufferingNewest(10_000))
        // Register before the call so no event can slip past; the subscription id comes with the answer.
        let pendingKey = UUID().uuidString
        state.addPendingSubscription(pendingKey, continuation)
        let subscription = try await call(RPC.ChangesSubscribe.self, .init(id: id)).subscription
        state.bindSubscription(pendingKey, to: subscription)
        return (subscription, stream)
    }

    /// Closes the connection; calls still waiting fail with ``ClientError/connectionClosed``.
    public func close() async {
        connection.close()
    }

    private func send(_ value: JSONValue) {
        connection.send(JSONCodec.encode(value))
    }
}

/// Calls waiting for answers, and where notifications go.
final class ClientState: Sendable {
    private struct Inner {
        var nextID: Int64 = 0
        var waiting: [Int64: CheckedContinuation<Result<JSONValue, ClientError>, Never>] = [:]
        var subscriptions: [String: AsyncStream<JSONValue>.Continuation] = [:]
        /// Subscriptions whose id is not known yet: events for unknown ids go to all of them.
        var pending: [String: AsyncStream<JSONValue>.Continuation] = [:]
        var closed = false
        /// Why the daemon is closing the connection, when it said.
        var connectionError: RPCError?
    }

    private let inner = Mutex(Inner())

    func nextID() -> Int64 {
        inner.withLock { s in
            s.nextID += 1
            return s.nextID
        }
    }

    func register(_ id: Int64, _ continuation: CheckedContinuation<Result<JSONValue, ClientError>, Never>) -> Bool {
        inner.withLock { s in
            guard !s.closed else { return false }
            s.waiting[id] = continuation
            return true
        }
    }

    func addPendingSubscription(_ key: String, _ continuation: AsyncStream<JSONValue>.Continuation) {
        inner.withLock { $0.pending[key] = continuation }
    }

    func bindSubscription(_ key: String, to id: String) {
        inner.withLock { s in
            if let continuation = s.pending.removeValue(forKey: key) { s.subscriptions[id] = continuation }
        }
    }

    func received(_ value: JSONValue) {
        // An error with a null id is about the connection (too many connections, a line too long): the daemon closes
        // it next, and the calls waiting learn why instead of only that it closed.
        if let response = RPCResponse(json: value), response.id == .null, case .failure(let error) = response.outcome {
            inner.withLock { $0.connectionError = error }
            return
        }
        if let response = RPCResponse(json: value), case .int(let id) = response.id {
            let continuation = inner.withLock { $0.waiting.removeValue(forKey: id) }
            if let continuation {
                continuation.resume(returning: response.outcome.mapError { .rpc($0) })
                return
            }
        }
        if value["method"]?.stringValue == "changes.event", let params = value["params"],
            let subscription = params["subscription"]?.stringValue
        {
            let targets = inner.withLock { s -> [AsyncStream<JSONValue>.Continuation] in
                if let known = s.subscriptions[subscription] { return [known] }
                return Array(s.pending.values)
            }
            for target in targets { target.yield(params) }
        }
        // Anything else (an answer to a call no longer waiting) has nobody to go to.
    }

    /// What a call on the closed connection fails with: why the daemon closed it, when it said.
    var closedFailure: ClientError {
        inner.withLock { s in s.connectionError.map { .rpc($0) } ?? .connectionClosed }
    }

    func closed() {
        let (waiting, streams, why) = inner.withLock { s in
            s.closed = true
            defer {
                s.waiting.removeAll()
                s.subscriptions.removeAll()
                s.pending.removeAll()
            }
            return (Array(s.waiting.values), Array(s.subscriptions.values) + Array(s.pending.values), s.connectionError)
        }
        let failure: ClientError = why.map { .rpc($0) } ?? .connectionClosed
        for continuation in waiting { continuation.resume(returning: .failure(failure)) }
        for stream in streams { stream.finish() }
    }
}
