import Foundation
import Logging
import Synchronization
import TreatyModel
import TreatyProtocol
import TreatyStore

/// Answers lines: parses them by JSON-RPC 2.0's rules, checks batch size, access and params, and calls
/// the method. Returns the line to send back, or nil when nothing is owed (notifications).
public struct Dispatcher: Sendable {
    let methods: [String: RPCMethod]
    let settings: LiveSettings
    let statistics: ServerStatistics
    let logger: Logger
    /// Calls being answered now, so a shutdown can wait for them.
    private let inFlight = InFlight()

    init(methods: [RPCMethod], settings: LiveSettings, statistics: ServerStatistics, logger: Logger) {
        self.methods = Dictionary(uniqueKeysWithValues: methods.map { ($0.name, $0) })
        self.settings = settings
        self.statistics = statistics
        self.logger = logger
    }

    /// Waits until no call is being answered, or the timeout passes.
    func drain(timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await inFlight.idle() }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    /// The answer to one line, as JSON; nil when nothing is owed.
    public func answer(_ line: Data, session: Session) async -> JSONValue? {
        inFlight.enter()
        defer { inFlight.leave() }
        switch RPCIncoming.parse(line) {
        case .single(let call):
            return await answer(call, session: session)?.json
        case .batch(let calls):
            let maxBatch = settings.current.limits.maxBatch
            guard calls.count <= maxBatch else {
                return RPCResponse(
                    id: .null,
                    outcome: .failure(
                        .application(
                            .batchTooLarge, "a batch may hold at most \(maxBatch) calls, not \(calls.count)",
                            details: ["limit": .int(Int64(maxBatch))]))
                ).json
            }
            var responses: [JSONValue] = []
            for call in calls {
                if let response = await answer(call, session: session) { responses.append(response.json) }
            }
            return responses.isEmpty ? nil : .array(responses)
        }
    }

    func answer(_ call: RPCIncoming.RPCCall, session: Session) async -> RPCResponse? {
        statistics.requests.add(1, ordering: .relaxed)
        switch call {
        case .invalid(let error, let id):
            statistics.errors.add(1, ordering: .relaxed)
            return id.map { RPCResponse(id: $0, outcome: .failure(error)) }
        case .call(let request):
            let outcome = await run(request, session: session)
            if case .failure(let error) = outcome {
                statistics.errors.add(1, ordering: .relaxed)
                logger.debug(
                    "call failed", metadata: ["method": "\(request.method)", "error": "\(error.name ?? "")", "user": "\(session.user)"])
            }
            return request.id.map { RPCResponse(id: $0, outcome: outcome) }
        }
    }

    func run(_ request: RPCRequest, session: Session) async -> Result<JSONValue, RPCError> {
        guard let method = methods[request.method] else { return .failure(.methodNotFound(request.method)) }
        guard session.role >= method.access else {
            return .failure(permissionDenied(method: method, session: session))
        }
        do {
            let params = try method.validate(request.params)
            return .success(try await method.handler(RPCCall(params: params, session: session)))
        } catch {
            return .failure(error)
        }
    }

    func permissionDenied(method: RPCMethod, session: Session) -> RPCError {
        let configuration = settings.current
        let group = method.access == .writer ? configuration.writerGroup : configuration.readerGroup
        return .application(
            .permissionDenied,
            "\(session.user) may not call \(method.name): it needs \(method.access.rawValue) access; "
                + "join the group \(group) (sudo usermod -aG \(group) \(session.user)) and log in again",
            details: ["needs": .string(method.access.rawValue), "user": .string(session.user), "group": .string(group)])
    }
}

extension StoreError {
    /// The JSON-RPC error for a store error: invalid params for bad input, an application error otherwise.
    var rpc: RPCError {
        var details: [String: JSONValue] = [:]
        if let line { details["line"] = .int(Int64(line)) }
        if case .invalidRecord(let error, _) = self, let field = error.field { details["field"] = .string(field) }
        if case .badLines(let errors, let total) = self {
            details["bad_lines"] = .int(Int64(total))
            details["errors"] = .array(
                errors.map { ["line": $0.line.map { .int(Int64($0)) } ?? .null, "message": .string($0.description)] })
        }
        switch self {
        case .invalidRecord, .invalidJSON, .invalidArgument, .badLines:
            var data = details
            data["name"] = .string(name.rawValue)
            // Invalid params whatever the name (the bad lines of an import are named by their first).
            return RPCError(code: ErrorName.invalidParams.code, message: "Invalid params: \(description)", data: .object(data))
        case .staleVersion(_, _, let current):
            details["current_version"] = .int(current)
            return .application(name, description, details: details)
        default:
            return .application(name, description, details: details)
        }
    }
}

/// A count of calls in flight, and the tasks waiting for it to reach zero.
final class InFlight: Sendable {
    private let count = Atomic<Int>(0)
    private let nextWaiter = Atomic<Int>(0)
    private let waiters = Mutex<[Int: CheckedContinuation<Void, Never>]>([:])

    func enter() { count.add(1, ordering: .relaxed) }

    func leave() {
        guard count.subtract(1, ordering: .relaxed).newValue == 0 else { return }
        // Under the lock, so a waiter either saw the count above zero and is in the table, or sees it at zero.
        let idle = waiters.withLock { waiters -> [CheckedContinuation<Void, Never>] in
            guard count.load(ordering: .relaxed) == 0 else { return [] }
            defer { waiters.removeAll() }
            return Array(waiters.values)
        }
        for waiter in idle { waiter.resume() }
    }

    /// Returns once no call is in flight, or when the waiting task is cancelled.
    func idle() async {
        let id = nextWaiter.add(1, ordering: .relaxed).newValue
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let now = waiters.withLock { waiters in
                    if count.load(ordering: .relaxed) == 0 || Task.isCancelled { return true }
                    waiters[id] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            waiters.withLock { $0.removeValue(forKey: id) }?.resume()
        }
    }
}
