import Foundation
import ServiceLifecycle
import Synchronization

/// A value one service makes once and others wait for: the store once it is open, the peers once they listen, the
/// socket once it is served. The services of a `ServiceGroup` start together; this is how each waits for what it
/// needs. A wait ends with the value, with the error the maker failed with, or when the waiting task is cancelled.
final class Handoff<Value: Sendable>: Sendable {
    private enum State {
        case waiting([Int: CheckedContinuation<Value, any Error>], next: Int)
        case done(Result<Value, any Error>)
    }

    private let state = Mutex(State.waiting([:], next: 0))

    /// Hands the value to every task waiting and every one that will.
    func publish(_ value: Value) { finish(.success(value)) }

    /// Every wait, now and later, throws `error`.
    func fail(_ error: any Error) { finish(.failure(error)) }

    private func finish(_ result: Result<Value, any Error>) {
        let waiting = state.withLock { state -> [CheckedContinuation<Value, any Error>] in
            guard case .waiting(let waiting, _) = state else { return [] }
            state = .done(result)
            return Array(waiting.values)
        }
        for continuation in waiting { continuation.resume(with: result) }
    }

    /// The value, once it is made.
    func value() async throws -> Value {
        let ticket = Mutex<Int?>(nil)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let ready = state.withLock { state -> Result<Value, any Error>? in
                    switch state {
                    case .done(let result): return result
                    case .waiting(var waiting, let next):
                        if Task.isCancelled { return .failure(CancellationError()) }
                        waiting[next] = continuation
                        state = .waiting(waiting, next: next + 1)
                        ticket.withLock { $0 = next }
                        return nil
                    }
                }
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            let cancelled = state.withLock { state -> CheckedContinuation<Value, any Error>? in
                guard case .waiting(var waiting, let next) = state, let id = ticket.withLock({ $0 }) else { return nil }
                let continuation = waiting.removeValue(forKey: id)
                state = .waiting(waiting, next: next)
                return continuation
            }
            cancelled?.resume(throwing: CancellationError())
        }
    }
}

extension Handoff {
    /// The value, or nil when the service waiting is told to stop before it comes; the maker's error is thrown.
    func valueUnlessStopped() async throws -> Value? {
        do {
            return try await cancelWhenGracefulShutdown { try await self.value() }
        } catch is CancellationError {
            return nil
        }
    }

    /// Runs `make` and publishes what it returns, or fails with what it throws; nil (published as a cancellation)
    /// when the service was told to stop first.
    func make(_ make: () async throws -> Value?) async throws -> Value? {
        do {
            guard let value = try await make() else {
                fail(CancellationError())
                return nil
            }
            publish(value)
            return value
        } catch {
            fail(error)
            throw error
        }
    }
}
